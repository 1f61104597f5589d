using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordination.Contracts.Gateway;

namespace Coordination.ServiceDefaults.Sealing;

/// <summary>A sealed payload could not be opened: wrong recipient, unknown key, or a changed byte. Names no value.</summary>
public sealed class SealingException(string reasonCode) : Exception($"{reasonCode}: the sealed payload cannot be opened here.")
{
    public string ReasonCode { get; } = reasonCode;
}

/// <summary>A recipient's public key, as the sealer knows it.</summary>
public sealed record RecipientKey(string Recipient, string KeyId, ECDiffieHellmanPublicKey PublicKey);

/// <summary>
/// Seals a confidential value for one recipient (architecture rule 3): an ephemeral ECDH P-256 key
/// agrees a secret with the recipient's key, HKDF-SHA256 turns it into an AES-256-GCM key, and the
/// message id, recipient, purpose and key id are bound as associated data. Only the holder of the
/// recipient's private key opens it, only for that message and purpose.
/// </summary>
public static class PayloadSealer
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Info = "coordination/sealed-payload/v1"u8.ToArray();

    public static SealedPayload Seal(ReadOnlySpan<byte> plaintext, RecipientKey recipient, string purpose, Guid messageId)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var ephemeralPublic = ephemeral.PublicKey.ExportSubjectPublicKeyInfo();
        var key = DeriveKey(ephemeral.DeriveRawSecretAgreement(recipient.PublicKey), ephemeralPublic);

        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(key, TagSize))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(messageId, recipient.Recipient, purpose, recipient.KeyId));
        CryptographicOperations.ZeroMemory(key);

        return new SealedPayload
        {
            KeyId = recipient.KeyId,
            Recipient = recipient.Recipient,
            Purpose = purpose,
            EphemeralPublicKey = ephemeralPublic,
            Nonce = nonce,
            Ciphertext = ciphertext,
            Tag = tag,
        };
    }

    public static SealedPayload SealJson<T>(T value, RecipientKey recipient, string purpose, Guid messageId) =>
        Seal(JsonSerializer.SerializeToUtf8Bytes(value), recipient, purpose, messageId);

    /// <summary>
    /// Opens a payload with the receiver's own keys, checking it against what the receiver expects:
    /// itself as recipient, the purpose it handles, the message it came in.
    /// </summary>
    public static byte[] Open(SealedPayload payload, SealingKeyRing ring, string expectedPurpose, Guid messageId)
    {
        if (payload.Recipient != ring.Owner)
            throw new SealingException("not-for-this-recipient");
        if (payload.Purpose != expectedPurpose)
            throw new SealingException("unexpected-purpose");
        var privateKey = ring.Find(payload.KeyId) ?? throw new SealingException("unknown-key");
        if (payload.Nonce.Length != NonceSize || payload.Tag.Length != TagSize)
            throw new SealingException("malformed-sealed-payload");

        byte[] key;
        try
        {
            using var ephemeral = ECDiffieHellman.Create();
            ephemeral.ImportSubjectPublicKeyInfo(payload.EphemeralPublicKey, out _);
            key = DeriveKey(privateKey.DeriveRawSecretAgreement(ephemeral.PublicKey), payload.EphemeralPublicKey);
        }
        catch (CryptographicException)
        {
            throw new SealingException("malformed-sealed-payload");
        }

        var plaintext = new byte[payload.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                payload.Nonce,
                payload.Ciphertext,
                payload.Tag,
                plaintext,
                AssociatedData(messageId, ring.Owner, expectedPurpose, payload.KeyId)
            );
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SealingException("tampered-or-misdirected");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public static T OpenJson<T>(SealedPayload payload, SealingKeyRing ring, string expectedPurpose, Guid messageId) =>
        JsonSerializer.Deserialize<T>(Open(payload, ring, expectedPurpose, messageId))
        ?? throw new SealingException("malformed-sealed-payload");

    private static byte[] DeriveKey(byte[] sharedSecret, byte[] ephemeralPublic)
    {
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, 32, salt: ephemeralPublic, info: Info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    private static byte[] AssociatedData(Guid messageId, string recipient, string purpose, string keyId) =>
        Encoding.UTF8.GetBytes($"{messageId:N}\n{recipient}\n{purpose}\n{keyId}");
}
