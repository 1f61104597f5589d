using System.Text;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.Extensions.Configuration;

namespace Coordination.UnitTests.Support;

public sealed class SealingTests : IDisposable
{
    private const string Purpose = "community-supervision";
    private const string Canary = "CANARY-Jean-Valjean-24601";
    private readonly SealingKeyRing _association = new("75-association", [SealingKeyRing.Generate()]);
    private readonly SealingKeyRing _police = new("75-police", [SealingKeyRing.Generate()]);
    private readonly Guid _messageId = Guid.NewGuid();

    private Coordination.Contracts.Gateway.SealedPayload SealForAssociation() =>
        PayloadSealer.Seal(Encoding.UTF8.GetBytes(Canary), _association.PublicKeyOf(_association.KeyIds.Single()), Purpose, _messageId);

    [Fact]
    public void Private_keys_and_the_digest_key_are_readable_by_their_owner_alone_and_no_half_written_file_is_left()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix file modes: the containers and CI run Linux.
        var folder = Directory.CreateTempSubdirectory("coordination-keys-").FullName;
        try
        {
            var keys = new SealingKeyStore(folder);
            keys.Rotate("gateway");
            var first = keys.Digest("gateway-vault", "a name");
            Assert.Equal(first, new SealingKeyStore(folder).Digest("gateway-vault", "a name")); // the same secret, not a second one
            var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
            Assert.Equal(2, files.Length); // one private key, one digest key: nothing written aside is left
            foreach (var file in files)
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_recipient_opens_what_was_sealed_for_it_and_the_sealed_form_does_not_show_the_value()
    {
        var sealedPayload = SealForAssociation();
        Assert.Equal(Canary, Encoding.UTF8.GetString(PayloadSealer.Open(sealedPayload, _association, Purpose, _messageId)));
        var json = System.Text.Json.JsonSerializer.Serialize(sealedPayload);
        Assert.DoesNotContain("Valjean", json);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))[..12], json);
    }

    [Fact]
    public void Any_other_key_fails()
    {
        var sealedPayload = SealForAssociation();
        var impostor = new SealingKeyRing("75-association", [SealingKeyRing.Generate()]);
        var failure = Assert.Throws<SealingException>(() =>
            PayloadSealer.Open(sealedPayload with { KeyId = impostor.KeyIds.Single() }, impostor, Purpose, _messageId)
        );
        Assert.Equal("tampered-or-misdirected", failure.ReasonCode);
        Assert.Equal(
            "unknown-key",
            Assert.Throws<SealingException>(() => PayloadSealer.Open(sealedPayload, impostor, Purpose, _messageId)).ReasonCode
        );
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("nonce")]
    [InlineData("ephemeral")]
    public void One_changed_byte_fails(string part)
    {
        var s = SealForAssociation();
        static byte[] Flip(byte[] bytes, int at)
        {
            var copy = (byte[])bytes.Clone();
            copy[at] ^= 0x01;
            return copy;
        }
        var tampered = part switch
        {
            "ciphertext" => s with { Ciphertext = Flip(s.Ciphertext, 3) },
            "tag" => s with { Tag = Flip(s.Tag, 0) },
            "nonce" => s with { Nonce = Flip(s.Nonce, 11) },
            _ => s with { EphemeralPublicKey = Flip(s.EphemeralPublicKey, s.EphemeralPublicKey.Length - 1) },
        };
        var failure = Assert.Throws<SealingException>(() => PayloadSealer.Open(tampered, _association, Purpose, _messageId));
        Assert.DoesNotContain("Valjean", failure.Message);
    }

    [Fact]
    public void A_replay_to_another_recipient_another_message_or_another_purpose_fails()
    {
        var s = SealForAssociation();
        Assert.Equal(
            "not-for-this-recipient",
            Assert.Throws<SealingException>(() => PayloadSealer.Open(s, _police, Purpose, _messageId)).ReasonCode
        );
        Assert.Throws<SealingException>(() =>
            PayloadSealer.Open(s with { Recipient = "75-police", KeyId = _police.KeyIds.Single() }, _police, Purpose, _messageId)
        );
        Assert.Equal(
            "tampered-or-misdirected",
            Assert.Throws<SealingException>(() => PayloadSealer.Open(s, _association, Purpose, Guid.NewGuid())).ReasonCode
        );
        Assert.Equal(
            "unexpected-purpose",
            Assert.Throws<SealingException>(() => PayloadSealer.Open(s, _association, "court-reporting", _messageId)).ReasonCode
        );
        Assert.Equal(
            "tampered-or-misdirected",
            Assert
                .Throws<SealingException>(() =>
                    PayloadSealer.Open(s with { Purpose = "court-reporting" }, _association, "court-reporting", _messageId)
                )
                .ReasonCode
        );
    }

    [Fact]
    public void After_rotation_messages_sealed_under_the_old_key_still_open()
    {
        var old = SealingKeyRing.Generate();
        using var before = new SealingKeyRing("75-spip", [old]);
        var inFlight = PayloadSealer.SealJson(new { name = Canary }, before.PublicKeyOf(old.KeyId), Purpose, _messageId);

        var current = SealingKeyRing.Generate();
        using var after = new SealingKeyRing("75-spip", [SealingKeyRing.FromPem(old.Key.ExportECPrivateKeyPem()), current]);
        var fresh = PayloadSealer.Seal("new"u8, after.PublicKeyOf(current.KeyId), Purpose, _messageId);

        Assert.Contains(Canary, Encoding.UTF8.GetString(PayloadSealer.Open(inFlight, after, Purpose, _messageId)));
        Assert.Equal("new", Encoding.UTF8.GetString(PayloadSealer.Open(fresh, after, Purpose, _messageId)));
        Assert.NotEqual(old.KeyId, current.KeyId);
    }

    public void Dispose()
    {
        _association.Dispose();
        _police.Dispose();
    }
}

public sealed class SealingKeyCommandTests
{
    [Fact]
    public void The_documented_command_adds_a_key_and_what_was_sealed_under_the_old_one_still_opens()
    {
        var folder = Directory.CreateTempSubdirectory("coordination-keys-").FullName;
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Sealing:KeyDirectory"] = folder })
            .Build();
        var store = SealingKeyStore.From(configuration);
        var old = store.CurrentKeyOf("supervision");
        var inFlight = PayloadSealer.Seal("avant rotation"u8, old, "community-supervision", Guid.Empty);

        var output = new StringWriter();
        Assert.Equal(
            0,
            Coordination.ServiceDefaults.Hosting.CoordinationHost.SealingKeyCommand(["supervision"], configuration, output, TextWriter.Null)
        );
        Assert.Contains("BEGIN PUBLIC KEY", output.ToString());
        var current = store.CurrentKeyOf("supervision");
        Assert.NotEqual(old.KeyId, current.KeyId);
        Assert.Contains(current.KeyId, output.ToString());

        using var ring = store.RingFor("supervision");
        Assert.Equal(
            "avant rotation",
            System.Text.Encoding.UTF8.GetString(PayloadSealer.Open(inFlight, ring, "community-supervision", Guid.Empty))
        );
        Assert.Equal(
            2,
            Coordination.ServiceDefaults.Hosting.CoordinationHost.SealingKeyCommand(
                ["../etc"],
                configuration,
                TextWriter.Null,
                TextWriter.Null
            )
        );
        Directory.Delete(folder, recursive: true);
    }
}
