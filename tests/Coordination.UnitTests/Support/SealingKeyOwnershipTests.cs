using System.Security.Cryptography;
using System.Text;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.UnitTests.Support;

/// <summary>Rule 9 for keys: every party holds its own private key; the platform makes none for somebody else.</summary>
public sealed class SealingKeyOwnershipTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("coordination-owned-keys-").FullName;

    private string Private(string host) => Path.Combine(_folder, host, "sealing-keys");

    private string Public => Path.Combine(_folder, "public-keys");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
    }

    /// <summary>A host's store as its services register it, in the named environment, with its own folders.</summary>
    private SealingKeyStore StoreOf(string host, string environment, params string[] owners)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration["Sealing:KeyDirectory"] = Private(host);
        builder.Configuration["Sealing:PublicKeyDirectory"] = Public;
        var store = builder.AddSealingKeys(owners);
        Assert.Same(store, builder.AddSealingKeys());
        return store;
    }

    [Fact]
    public void The_gateway_creates_no_private_key_for_an_agency_outside_development()
    {
        var gateway = StoreOf("gateway", "Production", KeyOwners.Gateway, KeyOwners.GatewayVault);

        Assert.Null(gateway.TryCurrentKeyOf("75-association"));
        Assert.Throws<MissingRecipientKeyException>(() => gateway.CurrentKeyOf("75-association"));
        Assert.Throws<InvalidOperationException>(() => gateway.Rotate("75-association"));
        Assert.Empty(gateway.RingFor("75-association").KeyIds);
        Assert.Throws<InvalidOperationException>(() => gateway.Rotate(KeyOwners.Supervision));
        Assert.False(Directory.Exists(Path.Combine(Private("gateway"), "75-association")), "no key folder for the agency");
        Assert.False(Directory.Exists(Path.Combine(Private("gateway"), KeyOwners.Supervision)), "nor for a service it is not");
        // Its own keys, yes.
        Assert.NotNull(gateway.CurrentKeyOf(KeyOwners.Gateway));

        // In the demo, an agency's key pair is made so that its deliveries can be opened.
        var demo = StoreOf("demo", "Development", KeyOwners.Gateway);
        Assert.NotNull(demo.CurrentKeyOf("75-association"));
        Assert.Single(demo.RingFor("75-association").KeyIds);
    }

    [Fact]
    public void A_service_seals_for_the_gateways_published_public_key_and_never_holds_its_private_key()
    {
        var gateway = StoreOf("gateway", "Production", KeyOwners.Gateway, KeyOwners.GatewayVault);
        var supervision = StoreOf("supervision", "Production", KeyOwners.Supervision);
        Assert.Null(supervision.TryCurrentKeyOf(KeyOwners.Gateway));

        gateway.PublishOwnKeys();
        supervision.PublishOwnKeys();
        var current = supervision.CurrentKeyOf(KeyOwners.Gateway);
        Assert.Equal(gateway.CurrentKeyOf(KeyOwners.Gateway).KeyId, current.KeyId);
        Assert.Empty(supervision.RingFor(KeyOwners.Gateway).KeyIds);
        Assert.False(Directory.Exists(Path.Combine(Private("supervision"), KeyOwners.Gateway)));
        Assert.DoesNotContain(
            Directory.EnumerateFiles(Public, "*", SearchOption.AllDirectories),
            f => File.ReadAllText(f).Contains("PRIVATE")
        );

        // And the gateway seals for Supervision with Supervision's published public key, which Supervision alone opens.
        var sealedForSupervision = PayloadSealer.Seal(
            "motifs"u8,
            gateway.CurrentKeyOf(KeyOwners.Supervision),
            "community-supervision",
            Guid.Empty
        );
        using var ring = supervision.RingFor(KeyOwners.Supervision);
        Assert.Equal(
            "motifs",
            Encoding.UTF8.GetString(PayloadSealer.Open(sealedForSupervision, ring, "community-supervision", Guid.Empty))
        );
    }

    [Fact]
    public void Key_files_are_written_owner_only_public_keys_world_readable_and_none_replaces_another()
    {
        if (!OperatingSystem.IsLinux())
            return; // file modes are checked on Linux
        var store = StoreOf("gateway", "Production", KeyOwners.Gateway, KeyOwners.GatewayVault);
        var keyId = store.Rotate(KeyOwners.Gateway);
        store.Digest(KeyOwners.GatewayVault, "x");
        using var agency = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var agencyKeyId = store.AddPublicKey("75-association", agency.PublicKey.ExportSubjectPublicKeyInfo());

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(Private("gateway"), KeyOwners.Gateway, $"{keyId}.pem")));
        Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(Private("gateway"), KeyOwners.GatewayVault, "digest.key")));
        var world = owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Assert.Equal(world, File.GetUnixFileMode(Path.Combine(Private("gateway"), "75-association", $"{agencyKeyId}.pub.pem")));
        Assert.Equal(world, File.GetUnixFileMode(Path.Combine(Public, KeyOwners.Gateway, $"{keyId}.pub.pem")));
        Assert.Empty(Directory.EnumerateFiles(_folder, "*.tmp", SearchOption.AllDirectories));

        // Written aside and moved without overwriting: an existing file stays as it is.
        var digest = Path.Combine(Private("gateway"), KeyOwners.GatewayVault, "digest.key");
        var before = File.ReadAllBytes(digest);
        Assert.False(KeyFiles.WriteOnce(digest, new byte[32], KeyFiles.OwnerOnly));
        Assert.Equal(before, File.ReadAllBytes(digest));
        Assert.Equal(store.Digest(KeyOwners.GatewayVault, "x"), store.Digest(KeyOwners.GatewayVault, "x"));
    }

    [Fact]
    public void A_challenge_is_good_for_its_agency_for_five_minutes_and_a_proof_is_the_keys_signature_over_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z"));
        var challenges = new KeyChallenges(StoreOf("gateway", "Production", KeyOwners.Gateway), clock);
        var (challenge, expiresAt) = challenges.Issue("75-association");
        Assert.Equal(clock.GetUtcNow() + KeyChallenges.Lifetime, expiresAt);
        Assert.Null(challenges.Check(challenge, "75-association"));
        Assert.Equal(AgencyKeyReasons.ChallengeForAnotherAgency, challenges.Check(challenge, "75-police"));
        Assert.Equal(AgencyKeyReasons.InvalidChallenge, challenges.Check(challenge.Replace("75-association", "75-police"), "75-police"));
        Assert.Equal(AgencyKeyReasons.InvalidChallenge, challenges.Check("v1.75-association.1.x", "75-association"));
        clock.Advance(KeyChallenges.Lifetime + TimeSpan.FromSeconds(2));
        Assert.Equal(AgencyKeyReasons.ChallengeExpired, challenges.Check(challenge, "75-association"));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = KeyProof.PublicKeyOf(key.ExportSubjectPublicKeyInfoPem())!;
        var data = Encoding.UTF8.GetBytes(challenge);
        Assert.True(
            KeyProof.Verifies(
                spki,
                challenge,
                Convert.ToBase64String(key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            )
        );
        Assert.True(KeyProof.Verifies(spki, challenge, Convert.ToBase64String(key.SignData(data, HashAlgorithmName.SHA256))));
        Assert.False(KeyProof.Verifies(spki, challenge + "x", Convert.ToBase64String(key.SignData(data, HashAlgorithmName.SHA256))));
        Assert.False(KeyProof.Verifies(spki, challenge, "not base64"));
        Assert.Null(KeyProof.PublicKeyOf(key.ExportECPrivateKeyPem()));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Null(KeyProof.PublicKeyOf(p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Null(KeyProof.PublicKeyOf("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
    }
}
