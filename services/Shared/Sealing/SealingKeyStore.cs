using System.Security.Cryptography;
using Coordination.Contracts.Values;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Sealing;

/// <summary>No key is known for a recipient: nothing may be sealed for it yet (an agency that has not registered one).</summary>
public sealed class MissingRecipientKeyException(string owner) : Exception($"No sealing key is registered for {owner}.")
{
    public string Owner { get; } = owner;
}

/// <summary>
/// Sealing keys as PEM files, one folder per owner under <c>Sealing:KeyDirectory</c>: the host's own
/// private keys (<c>&lt;owner&gt;/&lt;keyId&gt;.pem</c>, EC PRIVATE KEY PEM) and the public keys of the
/// recipients it seals for (<c>&lt;owner&gt;/&lt;keyId&gt;.pub.pem</c>, SubjectPublicKeyInfo). A host
/// publishes the public half of its own keys under <c>Sealing:PublicKeyDirectory/&lt;owner&gt;/</c>, where
/// the others read it: a service reads the gateway's public key there, never its private folder.
/// </summary>
/// <remarks>
/// Architecture rule 9: a host makes private keys only for the owners it is (<see cref="Owning"/>);
/// anybody else's key is a public key it was given. The one exception is the demo
/// (<c>Sealing:CreateMissingKeys</c>, by default true only in Development), where a missing agency
/// key pair is made on first use so that tests and the README can open what agencies receive.
/// </remarks>
public sealed class SealingKeyStore
{
    private const string PublicSuffix = ".pub.pem";
    private HashSet<string>? _owners;

    /// <param name="owners">
    /// The owners this host is; null: every platform owner (one folder for the whole platform, as the tools and older tests use it).
    /// </param>
    public SealingKeyStore(
        string directory,
        string? publicDirectory = null,
        bool createMissingKeys = true,
        IEnumerable<string>? owners = null
    )
    {
        Directory = Path.GetFullPath(directory);
        PublicDirectory = publicDirectory is null ? null : Path.GetFullPath(publicDirectory);
        CreatesMissingAgencyKeys = createMissingKeys;
        _owners = owners?.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The host's store; outside Development it makes no key pair for an agency unless <c>Sealing:CreateMissingKeys</c> says so.
    /// </summary>
    public static SealingKeyStore From(
        IConfiguration configuration,
        IHostEnvironment? environment = null,
        IEnumerable<string>? owners = null
    )
    {
        var data = configuration["Database:Directory"] ?? "data";
        return new(
            configuration["Sealing:KeyDirectory"] ?? Path.Combine(data, "sealing-keys"),
            configuration["Sealing:PublicKeyDirectory"] ?? Path.Combine(data, "sealing-public-keys"),
            configuration.GetValue<bool?>("Sealing:CreateMissingKeys") ?? environment?.IsDevelopment() ?? false,
            owners
        );
    }

    public string Directory { get; }
    public string? PublicDirectory { get; }
    public bool CreatesMissingAgencyKeys { get; }
    public IReadOnlyCollection<string> Owners => (IReadOnlyCollection<string>?)_owners ?? [];

    /// <summary>Adds owners this host is (the all-in-one host is every service): it holds and makes their private keys.</summary>
    public SealingKeyStore Owning(params string[] owners)
    {
        foreach (var owner in owners)
            FolderOf(owner);
        (_owners ??= new(StringComparer.Ordinal)).UnionWith(owners);
        return this;
    }

    public bool IsOwn(string owner) => _owners?.Contains(owner) ?? IsPlatformOwner(owner);

    /// <summary>Every private key of <paramref name="owner"/> this host holds, to open what was sealed for it under any of them.</summary>
    public SealingKeyRing RingFor(string owner)
    {
        var folder = FolderOf(owner);
        EnsureKey(owner);
        return new SealingKeyRing(owner, PrivateFiles(folder).Select(f => SealingKeyRing.FromPem(File.ReadAllText(f))));
    }

    /// <summary>The key new messages for <paramref name="owner"/> are sealed with: its newest.</summary>
    public RecipientKey CurrentKeyOf(string owner) => TryCurrentKeyOf(owner) ?? throw new MissingRecipientKeyException(owner);

    /// <summary>As <see cref="CurrentKeyOf"/>, or null when no key of <paramref name="owner"/> is known here.</summary>
    public RecipientKey? TryCurrentKeyOf(string owner)
    {
        var folder = FolderOf(owner);
        EnsureKey(owner);
        var newest =
            Newest(AllKeyFiles(folder)) ?? (PublicDirectory is null ? null : Newest(PublicFiles(Path.Combine(PublicDirectory, owner))));
        if (newest is null)
            return null;
        var pem = File.ReadAllText(newest);
        if (newest.EndsWith(PublicSuffix, StringComparison.Ordinal))
        {
            var key = PublicKeyFromPem(pem);
            return new RecipientKey(owner, SealingKeyRing.KeyIdOf(key.ExportSubjectPublicKeyInfo()), key.PublicKey);
        }
        var (keyId, privateKey) = SealingKeyRing.FromPem(pem);
        return new RecipientKey(owner, keyId, privateKey.PublicKey);
    }

    /// <summary>Adds a private key for an owner this host is; older ones stay to open messages in flight.</summary>
    public string Rotate(string owner)
    {
        var folder = FolderOf(owner);
        if (!MayCreate(owner))
            throw new InvalidOperationException(
                $"This host is not {owner}: it makes no private key for it (the owner makes its own and registers the public half)."
            );
        var (keyId, key) = SealingKeyRing.Generate();
        using (key)
        {
            KeyFiles.WriteOnce(
                Path.Combine(folder, $"{keyId}.pem"),
                System.Text.Encoding.ASCII.GetBytes(key.ExportECPrivateKeyPem()),
                KeyFiles.OwnerOnly
            );
            Publish(owner, keyId, key.PublicKey.ExportSubjectPublicKeyInfo());
            return keyId;
        }
    }

    /// <summary>
    /// Keeps the public key of a recipient that holds its own private key (an agency that registered it):
    /// new traffic for it is sealed under this key from now on. Returns its key id.
    /// </summary>
    public string AddPublicKey(string owner, byte[] subjectPublicKeyInfo)
    {
        var folder = FolderOf(owner);
        using var key = ECDiffieHellman.Create();
        key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var keyId = SealingKeyRing.KeyIdOf(subjectPublicKeyInfo);
        var path = Path.Combine(folder, $"{keyId}{PublicSuffix}");
        if (!KeyFiles.WriteOnce(path, System.Text.Encoding.ASCII.GetBytes(PemOf(subjectPublicKeyInfo)), KeyFiles.PublicRead))
            // The same key registered again is current again: the newest file is the current key.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        return keyId;
    }

    /// <summary>
    /// Writes the current public key of every owner this host is where other hosts read it (their first key is made if need be).
    /// </summary>
    public void PublishOwnKeys()
    {
        foreach (var owner in Owners)
        {
            EnsureKey(owner);
            foreach (var file in PrivateFiles(FolderOf(owner)))
            {
                var (keyId, key) = SealingKeyRing.FromPem(File.ReadAllText(file));
                using (key)
                    Publish(owner, keyId, key.PublicKey.ExportSubjectPublicKeyInfo());
            }
        }
    }

    private void Publish(string owner, string keyId, byte[] subjectPublicKeyInfo)
    {
        if (PublicDirectory is null || !IsOwn(owner))
            return;
        KeyFiles.WriteOnce(
            Path.Combine(PublicDirectory, owner, $"{keyId}{PublicSuffix}"),
            System.Text.Encoding.ASCII.GetBytes(PemOf(subjectPublicKeyInfo)),
            KeyFiles.PublicRead
        );
    }

    private bool MayCreate(string owner) => IsOwn(owner) || (CreatesMissingAgencyKeys && AgencyId.IsValid(owner));

    private void EnsureKey(string owner)
    {
        if (!MayCreate(owner) || AllKeyFiles(FolderOf(owner)).Length > 0)
            return;
        lock (this)
        {
            if (AllKeyFiles(FolderOf(owner)).Length == 0)
                Rotate(owner);
        }
    }

    private static string? Newest(string[] files) =>
        files.OrderByDescending(File.GetLastWriteTimeUtc).ThenByDescending(f => f, StringComparer.Ordinal).FirstOrDefault();

    private static string[] AllKeyFiles(string folder) =>
        System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder, "*.pem") : [];

    private static string[] PrivateFiles(string folder) =>
        AllKeyFiles(folder).Where(f => !f.EndsWith(PublicSuffix, StringComparison.Ordinal)).ToArray();

    private static string[] PublicFiles(string folder) =>
        System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder, "*" + PublicSuffix) : [];

    private static ECDiffieHellman PublicKeyFromPem(string pem)
    {
        var key = ECDiffieHellman.Create();
        key.ImportFromPem(pem);
        return key;
    }

    private static string PemOf(byte[] subjectPublicKeyInfo) => new string(PemEncoding.Write("PUBLIC KEY", subjectPublicKeyInfo)) + "\n";

    /// <summary>
    /// A keyed digest (HMAC-SHA256) under a secret of <paramref name="owner"/>: equal inputs match, nothing can be read back.
    /// </summary>
    public byte[] Digest(string owner, string value)
    {
        var path = Path.Combine(FolderOf(owner), "digest.key");
        if (!File.Exists(path))
            KeyFiles.WriteOnce(path, RandomNumberGenerator.GetBytes(32), KeyFiles.OwnerOnly);
        return HMACSHA256.HashData(File.ReadAllBytes(path), System.Text.Encoding.UTF8.GetBytes(value));
    }

    /// <summary>
    /// An owner's name becomes a folder name: only an agency id or a platform owner's name
    /// (<c>gateway</c>, <c>gateway-vault</c>, <c>supervision</c>…) may, so none climbs out of the key directory.
    /// </summary>
    private string FolderOf(string owner) =>
        AgencyId.IsValid(owner) || IsPlatformOwner(owner)
            ? Path.Combine(Directory, owner)
            : throw new ArgumentException("Not a key owner: expected an agency id or a platform owner's name.", nameof(owner));

    private static bool IsPlatformOwner(string owner) =>
        owner.Length is > 0 and <= 40
        && char.IsAsciiLetterLower(owner[0])
        && owner[^1] != '-'
        && owner.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}

/// <summary>How key material reaches the disk: whole or not at all, never readable by others, never replacing another key.</summary>
public static class KeyFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicRead = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="path"/> unless a file is there already (false then).
    /// The file is made aside with its mode already set, then moved into place without overwriting:
    /// a reader never sees half a key or a moment where a private key is world-readable, and two
    /// hosts sharing a folder never replace each other's key.
    /// </summary>
    public static bool WriteOnce(string path, byte[] contents, UnixFileMode mode)
    {
        var folder = System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!).FullName;
        if (File.Exists(path))
            return false;
        var aside = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = mode;
        try
        {
            using (var stream = new FileStream(aside, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            // UnixCreateMode is filtered by the umask; set it exactly.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(aside, mode);
            try
            {
                File.Move(aside, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        finally
        {
            if (File.Exists(aside))
                File.Delete(aside);
        }
    }
}
