using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Coordination.ServiceDefaults.Outbox;

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Off only to show, in tests, that committed messages wait for a relay and are not lost.</summary>
    public bool RelayEnabled { get; set; } = true;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    public int BatchSize { get; set; } = 256;

    /// <summary>Publishes awaiting the broker's confirm at once: one round trip is shared by many messages.</summary>
    public int PublishWindow { get; set; } = 64;

    /// <summary>
    /// How long a relay pass holds the rows it claimed: another instance's relay on the same database
    /// takes them only after that (the claimer crashed, or could not reach the broker). A pass stops
    /// publishing well before its claim ends.
    /// </summary>
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Passes in a row in which the broker took none of the publishes (refused, or not confirmed while the
    /// claim lasted) before the relay asks for a new broker connection (<see cref="Messaging.IBrokerConnectionRenewal"/>).
    /// </summary>
    public int RenewConnectionAfterStalledPasses { get; set; } = 3;

    /// <summary>Sent rows and inbox entries may describe people (F4): they are not kept forever.</summary>
    public TimeSpan KeepSentFor { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan KeepInboxFor { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Publishes committed outbox rows and marks a row sent only after the broker confirmed it
/// (MassTransit's publish awaits the publisher confirm on RabbitMQ). A pass first claims a batch of
/// unsent rows with a lease, so that relays of two instances on one database never publish one row
/// twice; then publishes them in sequence order with up to <see cref="OutboxOptions.PublishWindow"/>
/// confirms outstanding, and marks every confirmed row in one statement. Failures back off
/// exponentially and leave the row for the next pass; a restart resumes from the table.
/// </summary>
/// <remarks>
/// With a window, confirms (and so arrival) may come out of sequence order within a pass; receivers
/// never relied on order across queues (a fact that comes early is deferred, ADR 0009).
/// </remarks>
public sealed partial class OutboxRelay<TContext>(
    IServiceScopeFactory scopes,
    OutboxSignal<TContext> signal,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    IEnumerable<OutboxRoute<TContext>> routes,
    IServiceProvider services,
    IEnumerable<IBrokerConnectionRenewal> renewals,
    ILogger<OutboxRelay<TContext>> logger
) : BackgroundService
    where TContext : ServiceDbContext
{
    private static readonly ConcurrentDictionary<string, Type?> Types = new();
    private static readonly ConcurrentDictionary<Type, bool> ForgottenOnceSent = new();
    private static readonly Counter<long> RelayPasses = CoordinationTelemetry.Meter.CreateCounter<long>(
        "coordination.outbox.relay.passes",
        description: "Outbox relay passes over the table"
    );
    private static readonly Counter<long> Published = CoordinationTelemetry.Meter.CreateCounter<long>(
        "coordination.outbox.published",
        description: "Outbox messages confirmed by the broker"
    );
    private static readonly Counter<long> Failures = CoordinationTelemetry.Meter.CreateCounter<long>(
        "coordination.outbox.failures",
        description: "Outbox relay passes that failed and backed off"
    );
    private static readonly KeyValuePair<string, object?> ContextTag = new("coordination.outbox.context", typeof(TContext).Name);
    private readonly OutboxOptions _options = options.Value;
    private readonly Dictionary<Type, Uri> _routes = OutboxRouteExtensions.Resolve(routes, services);

    // Registered with the RabbitMQ transport only: none on the in-memory bus.
    private readonly IBrokerConnectionRenewal? _renewal = renewals.SingleOrDefault();
    private DateTimeOffset _lastCleanup;
    private int _stalledPasses;

    // Resolved when the relay first publishes, not when the host resolves its hosted services: building
    // the bus then is EarlyStart's work, beside the migrations.
    private IBus? _bus;
    private IBus Bus => _bus ??= services.GetRequiredService<IBus>();

    /// <summary>
    /// What a publish fails with when the broker did not take it: refused, cut, or not confirmed while the
    /// claim lasted (MassTransit retries a refused publish until the pass cancels it). A new connection may
    /// help these; a message that cannot be serialised, or has no route, it would not.
    /// </summary>
    private static readonly HashSet<string> BrokerDidNotTakeIt =
    [
        nameof(TaskCanceledException),
        nameof(OperationCanceledException),
        nameof(TimeoutException),
        "RabbitMqConnectionException",
        "ConnectionException",
        "PublishException",
        "AlreadyClosedException",
        "OperationInterruptedException",
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RelayEnabled)
            return;
        // Before the first yield: a commit made once the host has started is handed to this relay.
        signal.Accept(_options.ClaimFor);
        await Task.Yield();
        try
        {
            await RelayAsync(stoppingToken);
        }
        finally
        {
            signal.StopAccepting();
            await ReleaseHandedAsync();
        }
    }

    private async Task RelayAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        // The first pass reads the table: what an earlier run or another instance left unsent.
        var lastTablePass = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var published = await PublishHandedAsync(stoppingToken);
                var now = clock.GetUtcNow();
                if (signal.TakeTableDue() || now - lastTablePass >= _options.PollInterval)
                {
                    lastTablePass = now;
                    published = Math.Max(published, await PublishPendingAsync(stoppingToken));
                    await CleanupAsync(stoppingToken);
                }
                backoff = TimeSpan.Zero;
                if (published >= _options.BatchSize || signal.HasHanded)
                    continue;
                var untilTablePass = lastTablePass + _options.PollInterval - clock.GetUtcNow();
                await signal.WaitAsync(untilTablePass > TimeSpan.Zero ? untilTablePass : TimeSpan.Zero, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff =
                    backoff == TimeSpan.Zero
                        ? TimeSpan.FromMilliseconds(200)
                        : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                Failures.Add(1, ContextTag);
                LogRelayFailed(
                    logger,
                    typeof(TContext).Name,
                    ex is OutboxPublishException publish ? publish.ExceptionType : ex.GetType().Name,
                    backoff.TotalMilliseconds
                );
                await RenewConnectionIfStalledAsync(stoppingToken);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// After <see cref="OutboxOptions.RenewConnectionAfterStalledPasses"/> passes in a row that the broker
    /// took nothing from, asks for a new broker connection: a channel the broker keeps refusing is not
    /// replaced by MassTransit (see <see cref="RabbitMqConnectionRenewal"/>).
    /// </summary>
    private async Task RenewConnectionIfStalledAsync(CancellationToken stoppingToken)
    {
        if (_renewal is null || _stalledPasses < Math.Max(1, _options.RenewConnectionAfterStalledPasses))
            return;
        _stalledPasses = 0;
        try
        {
            if (await _renewal.RenewAsync(stoppingToken))
                LogConnectionRenewed(logger, typeof(TContext).Name, _options.RenewConnectionAfterStalledPasses);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The rows stay in the table; the next stalled passes ask again.
            LogRenewalFailed(logger, typeof(TContext).Name, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Publishes the rows this process committed and handed over, from memory: they are already leased
    /// to this relay (<see cref="OutboxSignal{TContext}.HandoffToken"/>), so no claim and no read. A row
    /// whose lease has passed half is left to the table, where a pass claims it like any other
    /// (<see cref="ClaimAsync"/>); returns how many rows were sent.
    /// </summary>
    public async Task<int> PublishHandedAsync(CancellationToken cancellationToken)
    {
        var handed = signal.TakeHanded(_options.BatchSize);
        if (handed.Count == 0)
            return 0;
        var now = clock.GetUtcNow();
        var fresh = handed.Where(r => r.ClaimedUntil - signal.HandoffLease / 2 > now).DistinctBy(r => r.Sequence).ToList();
        if (fresh.Count < handed.Count)
            signal.Notify();
        if (fresh.Count == 0)
            return 0;
        fresh.Sort((x, y) => x.Sequence.CompareTo(y.Sequence));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        RelayPasses.Add(1, ContextTag);
        return await PublishRowsAsync(db, fresh, signal.HandoffToken, cancellationToken);
    }

    /// <summary>Publishes what is pending in the table now; returns how many rows were sent.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var token = Guid.NewGuid();
        List<OutboxMessage> pending;
        // An idle poll every few seconds is not a story worth a trace.
        using (SuppressInstrumentationScope.Begin())
        {
            if (await ClaimAsync(db, token, cancellationToken) == 0)
            {
                RelayPasses.Add(1, ContextTag);
                return 0;
            }
            pending = await db
                .OutboxMessages.AsNoTracking()
                .Where(m => m.ClaimToken == token && m.SentAt == null)
                .OrderBy(m => m.Sequence)
                .ToListAsync(cancellationToken);
        }
        RelayPasses.Add(1, ContextTag);
        if (pending.Count == 0)
            return 0;
        return await PublishRowsAsync(db, pending, token, cancellationToken);
    }

    /// <summary>Publishes <paramref name="pending"/>, claimed under <paramref name="token"/>, then marks or releases every row.</summary>
    private async Task<int> PublishRowsAsync(TContext db, List<OutboxMessage> pending, Guid token, CancellationToken cancellationToken)
    {
        var sent = new ConcurrentBag<(long Sequence, bool Forget)>();
        var failed = new ConcurrentBag<(long Sequence, string Error)>();
        // Nothing is published once half the claim has passed: a row whose claim ran out may be another relay's by then.
        using var claim = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        claim.CancelAfter(_options.ClaimFor / 2);
        // Not disposed: a publish that outlives the pass (below) still releases it when it ends.
        var window = new SemaphoreSlim(Math.Max(1, _options.PublishWindow));
        var publishes = new List<Task>(pending.Count);
        foreach (var row in pending)
        {
            var type = Types.GetOrAdd(row.MessageType, static name => Type.GetType(name, throwOnError: false));
            if (type is null)
            {
                // Kept, not dropped: a later version that knows the type will send it.
                failed.Add((row.Sequence, "unknown-message-type"));
                continue;
            }
            try
            {
                await window.WaitAsync(claim.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            // After a failure no more are started: the pass ends and backs off.
            if (!failed.IsEmpty && failed.Any(f => f.Error != "unknown-message-type"))
            {
                window.Release();
                break;
            }
            publishes.Add(PublishAsync(row, type, window, sent, failed, claim.Token));
        }
        // A publish whose connection was cut (a broker node lost) may not end even once cancelled: the
        // pass does not wait for it past its claim, so that the relay goes on over a new connection.
        // Its row is released below and sent again under the same message id; the receivers' inboxes
        // drop a copy if the first one did reach the broker.
        var outlived = false;
        try
        {
            await Task.WhenAll(publishes).WaitAsync(_options.ClaimFor, clock, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            outlived = true;
        }

        // One statement marks every confirmed row (and one deletes those to forget once sent); the rest
        // are released for the next pass. A crash before this re-sends the confirmed rows under the same
        // message ids once their claim ends, and the receivers' inboxes drop the copies.
        var now = clock.GetUtcNow();
        var confirmed = sent.ToList();
        var failures = failed.ToList();
        var forget = confirmed.Where(r => r.Forget).Select(r => r.Sequence).ToList();
        var keep = confirmed.Where(r => !r.Forget).Select(r => r.Sequence).ToList();
        if (forget.Count > 0)
            await db.OutboxMessages.Where(m => forget.Contains(m.Sequence)).ExecuteDeleteAsync(CancellationToken.None);
        if (keep.Count > 0)
            await db
                .OutboxMessages.Where(m => keep.Contains(m.Sequence))
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(m => m.SentAt, now)
                            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                            .SetProperty(m => m.LastError, (string?)null)
                            .SetProperty(m => m.ClaimToken, (Guid?)null)
                            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null),
                    CancellationToken.None
                );
        foreach (var failure in failures.GroupBy(f => f.Error))
        {
            var sequences = failure.Select(f => f.Sequence).ToList();
            var error = failure.Key;
            await db
                .OutboxMessages.Where(m => sequences.Contains(m.Sequence))
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(m => m.Attempts, m => m.Attempts + 1)
                            .SetProperty(m => m.LastError, error)
                            .SetProperty(m => m.ClaimToken, (Guid?)null)
                            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null),
                    CancellationToken.None
                );
        }
        var published = confirmed.Count;
        var claimed = pending
            .Select(r => r.Sequence)
            .Except(confirmed.Select(r => r.Sequence))
            .Except(failures.Select(f => f.Sequence))
            .ToList();
        if (claimed.Count > 0)
            await db
                .OutboxMessages.Where(m => claimed.Contains(m.Sequence) && m.ClaimToken == token)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(m => m.ClaimToken, (Guid?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null),
                    CancellationToken.None
                );
        var publishFailures = failures.Where(f => f.Error != "unknown-message-type").ToList();
        if (published > 0)
            _stalledPasses = 0;
        else if (outlived || (publishFailures.Count > 0 && publishFailures.All(f => BrokerDidNotTakeIt.Contains(f.Error))))
            _stalledPasses++;
        if (publishFailures.FirstOrDefault() is { Error: { } first })
            throw new OutboxPublishException(first);
        if (outlived)
            throw new OutboxPublishException(nameof(TimeoutException));
        return published;
    }

    private async Task PublishAsync(
        OutboxMessage row,
        Type type,
        SemaphoreSlim window,
        ConcurrentBag<(long, bool)> sent,
        ConcurrentBag<(long, string)> failed,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var message = JsonSerializer.Deserialize(row.Body, type, ServiceDbContext.BodyJson)!;
            ActivityContext.TryParse(row.TraceParent, null, out var parent);
            using var activity = CoordinationTelemetry.Source.StartActivity($"outbox relay {type.Name}", ActivityKind.Internal, parent);
            activity?.SetTag("messaging.message.id", row.MessageId.ToString());
            // Returns once the broker confirmed the message (publisher confirms).
            var stamp = Pipe.Execute<SendContext>(ctx =>
            {
                ctx.MessageId = row.MessageId;
                if (row.ConversationId is { } conversation)
                    ctx.ConversationId = conversation;
                if (row.CorrelationId is { } correlation)
                    ctx.CorrelationId = correlation;
            });
            if (_routes.TryGetValue(type, out var address))
                await (await Bus.GetSendEndpoint(address)).Send(message, type, stamp, cancellationToken);
            else
                await Bus.Publish(message, type, stamp, cancellationToken);
            sent.Add(
                (
                    row.Sequence,
                    ForgottenOnceSent.GetOrAdd(
                        type,
                        static t => t.IsDefined(typeof(Contracts.Classification.ForgottenOnceSentAttribute), false)
                    )
                )
            );
            Published.Add(1, ContextTag);
        }
        catch (Exception ex)
        {
            // The exception's type only: its message could carry a value.
            failed.Add((row.Sequence, ex.GetType().Name));
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>
    /// Leases up to a batch of unsent rows, in sequence order, to this pass. On SQL Server the rows are
    /// read with UPDLOCK and READPAST, so that a concurrent claim skips the rows this one is taking
    /// instead of waiting for them or taking them too; on SQLite the statement runs under the
    /// database's single write lock, which orders concurrent claims.
    /// </summary>
    private async Task<int> ClaimAsync(TContext db, Guid token, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + _options.ClaimFor;
        var batch = _options.BatchSize;
        var handoff = signal.HandoffToken;
        var handoffGivenUp = now + _options.ClaimFor / 2;
        if (db.Database.IsSqlServer())
            return await db.Database.ExecuteSqlAsync(
                $"""
                WITH claim AS (
                    SELECT TOP ({batch}) ClaimToken, ClaimedUntil FROM OutboxMessages WITH (UPDLOCK, READPAST, ROWLOCK)
                    WHERE SentAt IS NULL AND (ClaimedUntil IS NULL OR ClaimedUntil < {now}
                        OR (ClaimToken = {handoff} AND ClaimedUntil < {handoffGivenUp}))
                    ORDER BY Sequence)
                UPDATE claim SET ClaimToken = {token}, ClaimedUntil = {until};
                """,
                cancellationToken
            );
        // This relay's own hand-offs it takes back at half their lease, when the pass from memory gave them up.
        return await db
            .OutboxMessages.Where(m =>
                m.SentAt == null
                && (m.ClaimedUntil == null || m.ClaimedUntil < now || (m.ClaimToken == handoff && m.ClaimedUntil < handoffGivenUp))
            )
            .OrderBy(m => m.Sequence)
            .Take(batch)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.ClaimToken, token).SetProperty(m => m.ClaimedUntil, until), cancellationToken);
    }

    /// <summary>
    /// On a stop, gives the rows still leased to this process's hand-off back to the table, so that the
    /// next start (or another instance) publishes them at once instead of after the lease.
    /// </summary>
    private async Task ReleaseHandedAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var handoff = signal.HandoffToken;
            await db
                .OutboxMessages.Where(m => m.ClaimToken == handoff && m.SentAt == null)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(m => m.ClaimToken, (Guid?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null),
                    timeout.Token
                );
        }
        catch (Exception ex)
        {
            // Nothing is lost: the lease ends by itself and any relay takes the rows then.
            LogReleaseFailed(logger, typeof(TContext).Name, ex.GetType().Name);
        }
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now - _lastCleanup < TimeSpan.FromHours(1))
            return;
        _lastCleanup = now;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var sentBefore = now - _options.KeepSentFor;
        var processedBefore = now - _options.KeepInboxFor;
        await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < sentBefore).ExecuteDeleteAsync(cancellationToken);
        await db.InboxEntries.Where(e => e.ProcessedAt < processedBefore).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Outbox relay of {Context} could not give its hand-offs back at stop ({ExceptionType})"
    )]
    private static partial void LogReleaseFailed(ILogger logger, string context, string exceptionType);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Outbox relay of {Context}: the broker took nothing in {Passes} passes on a connected bus; its connection was renewed"
    )]
    private static partial void LogConnectionRenewed(ILogger logger, string context, int passes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay of {Context} could not renew the broker connection ({ExceptionType})")]
    private static partial void LogRenewalFailed(ILogger logger, string context, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay of {Context} failed with {ExceptionType}; retrying in {BackoffMs} ms")]
    private static partial void LogRelayFailed(ILogger logger, string context, string exceptionType, double backoffMs);
}

/// <summary>A publish of the pass failed; named by the exception type alone, which carries no value.</summary>
public sealed class OutboxPublishException(string exceptionType) : Exception($"An outbox publish failed with {exceptionType}.")
{
    public string ExceptionType { get; } = exceptionType;
}
