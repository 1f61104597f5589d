using System.Security.Cryptography;
using System.Text;

namespace Coordination.Gateway.Domain;

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

    /// <summary>
    /// The SubjectPublicKeyInfo of a P-256 public key in PEM, or null: a private key, another curve or anything else is refused.
    /// </summary>
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
