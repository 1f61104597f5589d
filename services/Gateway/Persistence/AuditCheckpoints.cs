using System.Security.Cryptography;
using System.Text.Json;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Persistence;

public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// Where signed checkpoints are written, one file each, never rewritten. Default
    /// <c>&lt;Database:Directory&gt;/audit-checkpoints</c>; in production a volume the gateway's database
    /// account (and whoever holds it) cannot write, ideally append-only or write-once storage.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// The audit-signing keys. Default <c>&lt;Sealing:KeyDirectory&gt;/gateway-audit</c>, beside the gateway's other keys.
    /// </summary>
    public string? SigningKeyDirectory { get; set; }

    /// <summary>Named in each checkpoint, to tell which gateway process wrote it. Default: host name and process id.</summary>
    public string? Instance { get; set; }
}

/// <summary>
/// The audit-signing keys: P-256 private keys as PEM <c>*.key</c> files (0600), and retired keys'
/// public halves as <c>*.pub</c>. The newest private key signs; every key of the folder verifies.
/// The folder is the gateway's alone: its own folder, not a sealing owner's, so no ring mistakes it
/// for a sealing key.
/// </summary>
public sealed class AuditSigningKeys(string directory)
{
    public const string Owner = "gateway-audit";

    private readonly Lock _gate = new();
    private (string KeyId, ECDsa Key)? _signer;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The key new checkpoints are signed with, created on first use; read once per process.</summary>
    public (string KeyId, ECDsa Key) Signer()
    {
        lock (_gate)
        {
            if (_signer is { } signer)
                return signer;
            if (PrivateKeyFiles().Length == 0)
                Rotate();
            var newest = PrivateKeyFiles()
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ThenByDescending(f => f, StringComparer.Ordinal)
                .First();
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(newest));
            _signer = (AuditCheckpoint.KeyIdOf(key), key);
            return _signer.Value;
        }
    }

    /// <summary>Every key a checkpoint may have been signed with, by id: private keys' public halves and retired public keys.</summary>
    public IReadOnlyDictionary<string, ECDsa> TrustedKeys()
    {
        var trusted = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory))
            return trusted;
        foreach (var file in PrivateKeyFiles().Concat(System.IO.Directory.GetFiles(Directory, "*.pub")))
        {
            using var read = ECDsa.Create();
            try
            {
                read.ImportFromPem(File.ReadAllText(file));
            }
            // A file that is no key vouches for nothing; the checkpoints it would have verified then fail.
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                continue;
            }
            // Only the public half leaves this method: verifying needs nothing more.
            var publicOnly = ECDsa.Create(read.ExportParameters(includePrivateParameters: false));
            trusted.TryAdd(AuditCheckpoint.KeyIdOf(publicOnly), publicOnly);
        }
        return trusted;
    }

    /// <summary>Adds a key; a running gateway signs with it from its next start, and old checkpoints still verify.</summary>
    public string Rotate()
    {
        var folder = CreateOwnerOnly(Directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = AuditCheckpoint.KeyIdOf(key);
        // The public half too, to be backed up and kept once the private key is retired.
        WriteAtomically(Path.Combine(folder, $"{keyId}.pub"), key.ExportSubjectPublicKeyInfoPem(), ownerOnly: false);
        WriteAtomically(Path.Combine(folder, $"{keyId}.key"), key.ExportECPrivateKeyPem(), ownerOnly: true);
        return keyId;
    }

    private string[] PrivateKeyFiles() => System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*.key") : [];

    internal static string CreateOwnerOnly(string folder) =>
        OperatingSystem.IsWindows()
            ? System.IO.Directory.CreateDirectory(folder).FullName
            : System
                .IO.Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
                .FullName;

    /// <summary>
    /// Written aside, flushed, then renamed: another process sharing the folder never reads half a
    /// file, and an existing file is never replaced. A private key is 0600 from its creation, never
    /// readable by others even for an instant. False when the file already exists.
    /// </summary>
    internal static bool WriteAtomically(string path, string text, bool ownerOnly)
    {
        var aside = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(aside, options))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(aside, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(aside);
            return false;
        }
    }
}

/// <summary>
/// Checkpoints as one signed JSON file each (<c>&lt;sequence&gt;-&lt;hash prefix&gt;.json</c>), created and
/// never replaced: a second statement about the same sequence with another hash is a second file,
/// so evidence of a rewrite is never overwritten by the rewrite.
/// </summary>
public sealed class AuditCheckpointStore(string directory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Directory { get; } = Path.GetFullPath(directory);

    public void Write(AuditCheckpoint checkpoint)
    {
        var folder = System.IO.Directory.CreateDirectory(Directory).FullName;
        AuditSigningKeys.WriteAtomically(
            Path.Combine(folder, $"{checkpoint.Sequence:D20}-{checkpoint.Hash[..Math.Min(16, checkpoint.Hash.Length)]}.json"),
            JsonSerializer.Serialize(checkpoint, Json),
            ownerOnly: false
        );
    }

    /// <summary>
    /// Every checkpoint; a file that does not read as one stands as an unsigned checkpoint, so it fails verification rather than vanishing.
    /// </summary>
    public IReadOnlyList<AuditCheckpoint> ReadAll()
    {
        if (!System.IO.Directory.Exists(Directory))
            return [];
        var checkpoints = new List<AuditCheckpoint>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.json"))
        {
            AuditCheckpoint? checkpoint = null;
            try
            {
                checkpoint = JsonSerializer.Deserialize<AuditCheckpoint>(File.ReadAllText(file), Json);
            }
            catch (JsonException) { }
            checkpoints.Add(
                checkpoint is { Hash: not null, Instance: not null, KeyId: not null, Signature: not null }
                    ? checkpoint
                    : new AuditCheckpoint(
                        long.TryParse(Path.GetFileName(file).Split('-')[0], out var sequence) ? sequence : 0,
                        "",
                        default,
                        "",
                        "",
                        ""
                    )
            );
        }
        return checkpoints;
    }
}

/// <summary>Signs the chain's head after each commit and keeps the statement outside the gateway's database.</summary>
public sealed partial class AuditCheckpointer(
    AuditCheckpointStore store,
    AuditSigningKeys keys,
    string instance,
    TimeProvider clock,
    ILogger<AuditCheckpointer> logger
)
{
    public static AuditCheckpointer Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AuditOptions>>().Value;
        var configuration = services.GetRequiredService<IConfiguration>();
        var checkpoints = options.CheckpointDirectory ?? Path.Combine(configuration["Database:Directory"] ?? "data", "audit-checkpoints");
        var signingKeys =
            options.SigningKeyDirectory ?? Path.Combine(services.GetRequiredService<SealingKeyStore>().Directory, AuditSigningKeys.Owner);
        return new AuditCheckpointer(
            new AuditCheckpointStore(checkpoints),
            new AuditSigningKeys(signingKeys),
            options.Instance ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<AuditCheckpointer>>()
        );
    }

    public AuditCheckpointStore Store => store;
    public AuditSigningKeys Keys => keys;

    /// <summary>
    /// After the commit, so it never vouches for an entry that was rolled back. A failure here cannot
    /// undo the commit: it is logged, and the next commit's checkpoint covers these entries too.
    /// </summary>
    public void Checkpoint(AuditEntry head)
    {
        try
        {
            var (keyId, key) = keys.Signer();
            store.Write(AuditCheckpoint.Sign(head.Sequence, head.Hash, clock.GetUtcNow(), instance, keyId, key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            LogCheckpointFailed(logger, head.Sequence, e.GetType().Name);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "The audit checkpoint of sequence {Sequence} could not be written ({ExceptionType}); "
            + "the chain's tail rests on its hashes until the next one"
    )]
    private static partial void LogCheckpointFailed(ILogger logger, long sequence, string exceptionType);
}
