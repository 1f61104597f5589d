using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.ServiceDefaults.Security;

public static class SigningKeys
{
    public static string DevelopmentKeyPath(IConfiguration configuration, TokenOptions options) =>
        options.DevelopmentKeyFile ?? Path.Combine(configuration["Database:Directory"] ?? "data", "dev-signing-key.pem");

    /// <summary>
    /// The public keys tokens are checked against: the configured issuer's, or in Development only,
    /// the development key. Outside Development with none configured the list is empty and every
    /// token is refused: a development key file lying on a production disk (or planted there) is
    /// never created, read or trusted.
    /// </summary>
    public static IReadOnlyList<SecurityKey> ValidationKeys(
        IConfiguration configuration,
        TokenOptions options,
        IHostEnvironment environment
    )
    {
        if (options.SigningKeyFiles.Length > 0)
            return options.SigningKeyFiles.Select(LoadPublic).ToList();
        return environment.IsDevelopment() ? [Public(LoadOrCreateDevelopmentKey(DevelopmentKeyPath(configuration, options)))] : [];
    }

    /// <summary>Reads the development key, creating it once; concurrent first starts agree on one file.</summary>
    public static ECDsaSecurityKey LoadOrCreateDevelopmentKey(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            // Written aside, then renamed: another process sharing the folder never reads half a key.
            var aside = $"{full}.{Environment.ProcessId}.tmp";
            File.WriteAllText(aside, created.ExportECPrivateKeyPem());
            try
            {
                File.Move(aside, full, overwrite: false);
            }
            catch (IOException) when (File.Exists(full))
            {
                // Another process created it first: use theirs.
                File.Delete(aside);
            }
        }
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(full));
        return WithKeyId(key);
    }

    private static ECDsaSecurityKey LoadPublic(string path)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return Public(WithKeyId(key));
    }

    private static ECDsaSecurityKey Public(ECDsaSecurityKey key)
    {
        var publicOnly = ECDsa.Create(key.ECDsa.ExportParameters(includePrivateParameters: false));
        return new ECDsaSecurityKey(publicOnly) { KeyId = key.KeyId };
    }

    /// <summary>The key id is a digest of the public key, so that issuer and services agree without configuring it.</summary>
    private static ECDsaSecurityKey WithKeyId(ECDsa key) =>
        new(key) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16] };
}
