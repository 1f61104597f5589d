using System.Security.Cryptography;

namespace Coordination.ServiceDefaults.Sealing;

/// <summary>
/// The private keys one recipient holds, by key id: the current one seals new traffic, older ones
/// stay until every message sealed for them has been delivered (rotation without loss).
/// </summary>
public sealed class SealingKeyRing(string owner, IEnumerable<(string KeyId, ECDiffieHellman Key)> keys) : IDisposable
{
    private readonly Dictionary<string, ECDiffieHellman> _keys = keys.ToDictionary(k => k.KeyId, k => k.Key, StringComparer.Ordinal);

    public string Owner { get; } = owner;
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public ECDiffieHellman? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    public RecipientKey PublicKeyOf(string keyId) =>
        new(Owner, keyId, (Find(keyId) ?? throw new KeyNotFoundException($"No sealing key {keyId} for {Owner}.")).PublicKey);

    /// <summary>A new P-256 key; its id is a digest of its public key, so every party names it alike.</summary>
    public static (string KeyId, ECDiffieHellman Key) Generate()
    {
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return (KeyIdOf(key), key);
    }

    public static (string KeyId, ECDiffieHellman Key) FromPem(string pem)
    {
        var key = ECDiffieHellman.Create();
        key.ImportFromPem(pem);
        return (KeyIdOf(key), key);
    }

    public static string KeyIdOf(ECDiffieHellman key) => KeyIdOf(key.PublicKey.ExportSubjectPublicKeyInfo());

    /// <summary>The id of a public key as an agency sends it (SubjectPublicKeyInfo), the same digest as above.</summary>
    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    public void Dispose()
    {
        foreach (var key in _keys.Values)
            key.Dispose();
    }
}
