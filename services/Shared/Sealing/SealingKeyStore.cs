using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Coordination.ServiceDefaults.Sealing;

/// <summary>
/// Sealing keys as PEM files, one folder per owner (<c>&lt;Sealing:KeyDirectory&gt;/&lt;owner&gt;/*.pem</c>).
/// A recipient holds only its own folder's private keys; the gateway reads recipients' public keys.
/// In development a missing owner gets a key on first use; rotation is a new file beside the old.
/// </summary>
public sealed class SealingKeyStore(string directory)
{
    public static SealingKeyStore From(IConfiguration configuration) =>
        new(configuration["Sealing:KeyDirectory"] ?? Path.Combine(configuration["Database:Directory"] ?? "data", "sealing-keys"));

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>Every private key of <paramref name="owner"/>, to open what was sealed for it under any of them.</summary>
    public SealingKeyRing RingFor(string owner)
    {
        EnsureKey(owner);
        return new SealingKeyRing(owner, Files(owner).Select(f => SealingKeyRing.FromPem(File.ReadAllText(f))));
    }

    /// <summary>The key new messages for <paramref name="owner"/> are sealed with: its newest.</summary>
    public RecipientKey CurrentKeyOf(string owner)
    {
        EnsureKey(owner);
        var newest = Files(owner).OrderByDescending(File.GetLastWriteTimeUtc).ThenByDescending(f => f, StringComparer.Ordinal).First();
        var (keyId, key) = SealingKeyRing.FromPem(File.ReadAllText(newest));
        return new RecipientKey(owner, keyId, key.PublicKey);
    }

    /// <summary>Adds a key for <paramref name="owner"/>; older ones stay to open messages in flight.</summary>
    public string Rotate(string owner)
    {
        var (keyId, key) = SealingKeyRing.Generate();
        using (key)
        {
            var folder = System.IO.Directory.CreateDirectory(FolderOf(owner)).FullName;
            var path = Path.Combine(folder, $"{keyId}.pem");
            // Written aside, then renamed: another process sharing the folder never reads half a key.
            var aside = Path.Combine(folder, $".{keyId}.{Environment.ProcessId}.tmp");
            WriteOwnerOnly(aside, System.Text.Encoding.UTF8.GetBytes(key.ExportECPrivateKeyPem()));
            File.Move(aside, path);
            return keyId;
        }
    }

    private void EnsureKey(string owner)
    {
        if (Files(owner).Length > 0) return;
        lock (this)
        {
            if (Files(owner).Length == 0) Rotate(owner);
        }
    }

    private string[] Files(string owner)
    {
        var folder = FolderOf(owner);
        return System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder, "*.pem") : [];
    }

    /// <summary>A keyed digest (HMAC-SHA256) under a secret of <paramref name="owner"/>: equal inputs match, nothing can be read back.</summary>
    public byte[] Digest(string owner, string value)
    {
        var folder = System.IO.Directory.CreateDirectory(FolderOf(owner)).FullName;
        var path = Path.Combine(folder, "digest.key");
        if (!File.Exists(path))
        {
            // Readable by its owner alone from its first byte, written aside then renamed: a second
            // process never reads half a secret, and never replaces the one another process wrote.
            var aside = Path.Combine(folder, $".digest.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            WriteOwnerOnly(aside, RandomNumberGenerator.GetBytes(32));
            try { File.Move(aside, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { File.Delete(aside); }
        }
        return HMACSHA256.HashData(File.ReadAllBytes(path), System.Text.Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A new file readable by its owner alone from its creation (not chmod-ed after: no moment where others may read it).</summary>
    private static void WriteOwnerOnly(string path, ReadOnlySpan<byte> bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }

    /// <summary>
    /// An owner's name becomes a folder name: only an agency id or a platform owner's name
    /// (<c>gateway</c>, <c>gateway-vault</c>, <c>supervision</c>…) may, so none climbs out of the key directory.
    /// </summary>
    private string FolderOf(string owner) =>
        Coordination.Contracts.Values.AgencyId.IsValid(owner) || IsPlatformOwner(owner)
            ? Path.Combine(Directory, owner)
            : throw new ArgumentException("Not a key owner: expected an agency id or a platform owner's name.", nameof(owner));

    private static bool IsPlatformOwner(string owner) =>
        owner.Length is > 0 and <= 40 && char.IsAsciiLetterLower(owner[0]) && owner[^1] != '-'
        && owner.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
