using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.ServiceDefaults.Outbox;

/// <summary>
/// Base of every service's DbContext: adds the outbox and inbox tables, so that a state change,
/// the messages it causes and the record of the message that caused it commit together.
/// </summary>
public abstract class ServiceDbContext(DbContextOptions options) : DbContext(options)
{
    internal static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    /// <summary>Set while a SaveChanges carries new outbox rows, so that its commit wakes the relay.</summary>
    internal bool OutboxStaged { get; set; }

    /// <summary>
    /// Leased rows of the SaveChanges under way, and those saved in the open transaction: handed to the relay at its commit.
    /// </summary>
    internal List<OutboxMessage> OutboxSaving { get; } = [];
    internal List<OutboxMessage> OutboxInTransaction { get; } = [];
    internal bool OutboxHandoffUnsafe { get; set; }

    /// <summary>
    /// Set while the group writer applies units it saves together (<see cref="GroupCommitWork{TContext}.SavesWithBatch"/>):
    /// a unit stages its effect and leaves the save to the writer.
    /// </summary>
    public bool SavesWithBatch { get; internal set; }

    /// <summary>How many outbox rows the open transaction has saved so far: a unit's savepoint remembers it.</summary>
    public int StagedOutboxMark => OutboxInTransaction.Count;

    /// <summary>
    /// Called right after rolling back to a savepoint taken at <paramref name="mark"/>: the rows saved
    /// since went with it and must not reach the relay.
    /// </summary>
    public void DiscardStagedOutboxFrom(int mark)
    {
        if (mark < OutboxInTransaction.Count)
            OutboxInTransaction.RemoveRange(mark, OutboxInTransaction.Count - mark);
        OutboxHandoffUnsafe = false;
    }

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxEntry> InboxEntries => Set<InboxEntry>();
    public DbSet<Security.AccessLogEntry> AccessLog => Set<Security.AccessLogEntry>();

    /// <summary>Stages <paramref name="message"/> for publication once the current SaveChanges commits.</summary>
    public void PublishOnCommit<T>(T message, ConsumeContext? cause = null, Guid? messageId = null, Guid? correlationId = null)
        where T : class
    {
        OutboxMessages.Add(
            new OutboxMessage
            {
                // Fixed by the caller when something inside the message is bound to its id (a sealed payload).
                MessageId = messageId ?? NewId.NextGuid(),
                MessageType = TypeName(typeof(T)),
                Body = JsonSerializer.Serialize(message, BodyJson),
                ConversationId = cause?.ConversationId,
                CorrelationId = correlationId ?? cause?.CorrelationId,
                TraceParent = Activity.Current?.Id,
            }
        );
    }

    // Here as well as at registration, so that every context holds to SQL Server's limits however it
    // is built: by the hosts, by a test, by dotnet ef. A pooled context's options are frozen and may
    // not change here; the hosts register the interceptor with them, so there is nothing to add.
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        var interceptors = optionsBuilder
            .Options.FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()
            ?.Interceptors;
        if (interceptors?.Contains(Persistence.ServerLimitsInterceptor.Instance) != true)
            optionsBuilder.AddInterceptors(Persistence.ServerLimitsInterceptor.Instance);
    }

    internal static string TypeName(Type type) => ServiceDbContextNames.TypeName(type);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("OutboxMessages");
            e.HasKey(m => m.Sequence);
            e.Property(m => m.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(m => m.MessageId).IsUnique();
            e.HasIndex(m => new { m.SentAt, m.Sequence });
            e.Property(m => m.MessageType).HasMaxLength(300);
            e.Property(m => m.TraceParent).HasMaxLength(128);
            e.Property(m => m.LastError).HasMaxLength(300);
        });
        modelBuilder.Entity<Security.AccessLogEntry>(e =>
        {
            e.ToTable("AccessLog");
            e.HasKey(a => a.Id);
            e.Property(a => a.Principal).HasMaxLength(200);
            e.Property(a => a.Kind).HasMaxLength(40);
            e.Property(a => a.Role).HasMaxLength(60);
            e.Property(a => a.Method).HasMaxLength(10);
            e.Property(a => a.Route).HasMaxLength(Security.AccessLogEntry.RouteMaxLength);
            e.Property(a => a.RecordRef).HasMaxLength(Security.AccessLogEntry.RecordRefMaxLength);
            e.Property(a => a.Purpose).HasMaxLength(100);
            e.Property(a => a.Outcome).HasMaxLength(20);
            e.HasIndex(a => a.At);
        });
        modelBuilder.Entity<InboxEntry>(e =>
        {
            e.ToTable("InboxEntries");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.Consumer).HasMaxLength(200);
            e.HasIndex(m => m.ProcessedAt);
        });
    }
}

/// <summary>How an outbox row names its message type, for queries over the table.</summary>
public static class ServiceDbContextNames
{
    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static string TypeNameOf<T>() => TypeName(typeof(T));
}
