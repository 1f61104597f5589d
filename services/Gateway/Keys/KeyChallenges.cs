using System.Security.Cryptography;
using System.Text;
using Coordination.Contracts.Gateway;
using Coordination.ServiceDefaults.Sealing;

namespace Coordination.Gateway.Keys;

/// <summary>
/// The challenge an agency signs to prove it holds the private half of the key it registers:
/// <c>v1.&lt;agency&gt;.&lt;expires, unix seconds&gt;.&lt;random&gt;.&lt;mac&gt;</c>, the MAC a keyed digest under
/// the gateway's own secret. Stateless: nothing is stored between asking and registering, and a
/// challenge is good only for its agency and for <see cref="Lifetime"/>.
/// </summary>
public sealed class KeyChallenges(SealingKeyStore keys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const string Version = "v1";

    public (string Challenge, DateTimeOffset ExpiresAt) Issue(string agency)
    {
        var expiresAt = clock.GetUtcNow() + Lifetime;
        var unsigned = $"{Version}.{agency}.{expiresAt.ToUnixTimeSeconds()}.{Base64Url(RandomNumberGenerator.GetBytes(16))}";
        return ($"{unsigned}.{Base64Url(Mac(unsigned))}", expiresAt);
    }

    /// <summary>Null when the challenge is the gateway's, for this agency, and not expired; otherwise the reason code.</summary>
    public string? Check(string challenge, string agency)
    {
        var parts = challenge.Split('.');
        if (parts.Length != 5 || parts[0] != Version || !long.TryParse(parts[2], out var expires))
            return AgencyKeyReasons.InvalidChallenge;
        var unsigned = challenge[..challenge.LastIndexOf('.')];
        byte[] mac;
        try
        {
            mac = Convert.FromBase64String(FromBase64Url(parts[4]));
        }
        catch (FormatException)
        {
            return AgencyKeyReasons.InvalidChallenge;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(unsigned)))
            return AgencyKeyReasons.InvalidChallenge;
        if (parts[1] != agency)
            return AgencyKeyReasons.ChallengeForAnotherAgency;
        if (clock.GetUtcNow().ToUnixTimeSeconds() > expires)
            return AgencyKeyReasons.ChallengeExpired;
        return null;
    }

    // Under the gateway's own digest secret, with a label of its own: no other digest of the gateway can pass for a challenge.
    private byte[] Mac(string unsigned) => keys.Digest(KeyOwners.Gateway, $"agency-key-challenge\n{unsigned}");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return padded + new string('=', (4 - padded.Length % 4) % 4);
    }
}

/// <summary>Why a key registration was refused: stable words, in the answer and in the audit log.</summary>
public static class AgencyKeyReasons
{
    public const string KeyRegistered = "key-registered";
    public const string InvalidAgencyId = "invalid-agency-id";
    public const string UnknownAgency = "unknown-agency";
    public const string NotYourAgency = "not-your-agency";
    public const string TerritoryNotAllowed = "territory-not-allowed";
    public const string MalformedRequest = "malformed-request";
    public const string InvalidChallenge = "invalid-challenge";
    public const string ChallengeForAnotherAgency = "challenge-for-another-agency";
    public const string ChallengeExpired = "challenge-expired";
    public const string MalformedKey = "malformed-key";
    public const string InvalidProof = "invalid-proof";
}

/// <summary>Reads an agency's public key and checks its proof of possession.</summary>
public static class KeyProof
{
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>The SubjectPublicKeyInfo of a P-256 public key in PEM, or null: a private key, another curve or anything else is refused.</summary>
    public static byte[]? PublicKeyOf(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem) || pem.Length > 4096)
            return null;
        try
        {
            var fields = PemEncoding.Find(pem);
            if (pem[fields.Label] is not "PUBLIC KEY")
                return null;
            var spki = Convert.FromBase64String(pem[fields.Base64Data]);
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length || key.ExportParameters(false).Curve.Oid?.Value != P256)
                return null;
            return spki;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is an ECDSA P-256 SHA-256 signature of the challenge's
    /// UTF-8 bytes by the key: DER (what <c>openssl dgst -sign</c> writes) or r‖s (64 bytes).
    /// </summary>
    public static bool Verifies(byte[] subjectPublicKeyInfo, string challenge, string? signature)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature ?? "");
        }
        catch (FormatException)
        {
            return false;
        }
        if (bytes.Length is 0 or > 128)
            return false;
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var data = Encoding.UTF8.GetBytes(challenge);
        try
        {
            return (
                    bytes.Length == 64
                    && key.VerifyData(data, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                ) || key.VerifyData(data, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
