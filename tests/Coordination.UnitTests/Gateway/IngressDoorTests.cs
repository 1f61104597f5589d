using System.Runtime.CompilerServices;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Schemas;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Application.Ingress.Types;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Sealing;

namespace Coordination.UnitTests.Gateway;

public sealed class IngressDoorTests : IDisposable
{
    private readonly string _keys = Path.Combine(Path.GetTempPath(), $"ingress-door-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_keys))
            Directory.Delete(_keys, recursive: true);
    }

    private byte[] DigestOf(string lastName, string firstNames = "Jean") =>
        // The digest reads no table: the vault's database is not needed to compute it.
        new IdentityVault(null!, new SealingKeyStore(_keys)).IdentityDigest(
            TerritoryCode.Parse("75"),
            new PersonIdentity(lastName, firstNames, new DateOnly(1980, 5, 17), null)
        );

    [Fact]
    public void Names_differing_only_by_unicode_forms_get_one_person_ref()
    {
        var plain = DigestOf("LEFEVRE");
        Assert.Equal(plain, DigestOf("Lefèvre"));
        Assert.Equal(plain, DigestOf("Le\u200Bfèvre")); // zero-width space
        Assert.Equal(plain, DigestOf("Le\u00ADfe\u2060vre\uFEFF")); // soft hyphen, word joiner, BOM
        Assert.Equal(plain, DigestOf("Le\u200C\u200Dfevre")); // zero-width (non-)joiner
        Assert.Equal(plain, DigestOf("Ｌｅｆèｖｒｅ")); // full-width letters
        Assert.Equal(plain, DigestOf("Lefe\u0300vre")); // the accent as a combining mark
        Assert.Equal(DigestOf("OEuvray"), DigestOf("Œuvray"));
        Assert.Equal(DigestOf("OEUVRAY"), DigestOf("œuvray"));
        Assert.Equal(DigestOf("Laetitia"), DigestOf("Lætitia"));
        Assert.Equal(DigestOf("Laetitia", "Marie-Ange"), DigestOf("Lætitia", "Marie\u200B Ange"));
        Assert.NotEqual(plain, DigestOf("Lefebvre"));
        Assert.NotEqual(plain, DigestOf("LEFEVRE", "Jeanne"));
    }

    public static TheoryData<string> EscapingIds() =>
        new()
        {
            "../../etc",
            "75-police/../x",
            "75-police.inbox.x",
            "",
            "75-" + new string('a', 197),
            "75-police\n",
            "75-police/x",
            "75-Police",
            "20-police",
            "75-",
        };

    [Theory]
    [MemberData(nameof(EscapingIds))]
    public async Task Agency_ids_that_could_escape_a_path_or_queue_name_are_refused(string id)
    {
        Assert.False(AgencyId.TryParse(id, out _));
        Assert.False(PartnerId.TryParse(id, out _));
        // Refused before the directory's table is read: no database is needed to say so.
        Assert.Null(await new AgencyDirectory(null!).FindAsync(id, CancellationToken.None));
        var store = new SealingKeyStore(_keys);
        Assert.Throws<ArgumentException>(() => store.CurrentKeyOf(id));
        Assert.Throws<ArgumentException>(() => store.RingFor(id));
        Assert.Throws<ArgumentException>(() => store.Rotate(id));
        Assert.Throws<ArgumentException>(() => store.Digest(id, "x"));
        Assert.False(
            Directory.Exists(_keys) && Directory.EnumerateFileSystemEntries(_keys, "*", SearchOption.AllDirectories).Any(),
            "no file or folder was created for the refused owner"
        );
    }

    [Theory]
    [InlineData("75-prosecutor")]
    [InlineData("93-prison-administration")]
    [InlineData("2A-mairie-ajaccio")]
    [InlineData("974-police")]
    public void Agency_ids_of_the_published_pattern_are_accepted_and_name_their_territory(string id)
    {
        Assert.True(AgencyId.TryParse(id, out var agency));
        Assert.Equal(id[..id.IndexOf('-')], agency.Territory.Value);
        Assert.NotNull(new SealingKeyStore(_keys).CurrentKeyOf(id));
    }

    [Fact]
    public void Every_demo_agency_and_platform_key_owner_fits_the_rules()
    {
        foreach (var principal in DemoPrincipals.All.Where(p => p.Agency is not null))
            Assert.True(AgencyId.IsValid(principal.Agency), principal.Agency);
        var store = new SealingKeyStore(_keys);
        foreach (var owner in new[] { "gateway", "gateway-vault", "supervision", "opinions", "court-reporting", "briefings" })
            Assert.NotNull(store.CurrentKeyOf(owner));
    }

    [Fact]
    public void Each_ingress_type_is_one_class_with_a_published_schema()
    {
        var classes = typeof(IngressType)
            .Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(IngressType)) && !t.IsAbstract)
            .Select(t => (IngressType)RuntimeHelpers.GetUninitializedObject(t))
            .ToList();
        Assert.Equal(IngressTypeNames.All.Order(), classes.Select(c => c.Name).Order());
        foreach (var type in classes)
            Assert.Contains(AgencySchemas.FileName(type.Name, type.SchemaVersion), AgencySchemas.Names);
        // The closed flows are known so that they are refused for what they are.
        Assert.All(
            classes.Where(c => c is ClosedFlow),
            c =>
                Assert.Equal(
                    Coordination.Contracts.ReasonCodes.ForbiddenInboundFlow,
                    InboundRules.Refusal(c, Coordination.ServiceDefaults.Security.PrincipalRole.SentenceEnforcementCourt)!.ReasonCode
                )
        );
    }
}
