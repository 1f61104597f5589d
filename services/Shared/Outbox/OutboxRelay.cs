using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
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
    public int BatchSize { get; set; } = 100;
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Sent rows and inbox entries may describe people (F4): they are not kept forever.</summary>
    public TimeSpan KeepSentFor { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan KeepInboxFor { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Publishes committed outbox rows in order, one at a time, and marks a row sent only after the
/// broker confirmed it (MassTransit's publish awaits the publisher confirm on RabbitMQ). Failures
/// back off exponentially and leave the row for the next pass; a restart resumes from the table.
/// </summary>
public sealed partial class OutboxRelay<TContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal<TContext> signal,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    IEnumerable<OutboxRoute<TContext>> routes,
    IServiceProvider services,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService
    where TContext : ServiceDbContext
{
    private static readonly ConcurrentDictionary<string, Type?> Types = new();
    private static readonly ConcurrentDictionary<Type, bool> ForgottenOnceSent = new();
    private static readonly Counter<long> RelayPasses = CoordinationTelemetry.Meter.CreateCounter<long>("coordination.outbox.relay.passes", description: "Outbox relay passes over the table");
    private static readonly Counter<long> Published = CoordinationTelemetry.Meter.CreateCounter<long>("coordination.outbox.published", description: "Outbox messages confirmed by the broker");
    private static readonly Counter<long> Failures = CoordinationTelemetry.Meter.CreateCounter<long>("coordination.outbox.failures", description: "Outbox relay passes that failed and backed off");
    private static readonly KeyValuePair<string, object?> ContextTag = new("coordination.outbox.context", typeof(TContext).Name);
    private readonly OutboxOptions _options = options.Value;
    private readonly Dictionary<Type, Uri> _routes = OutboxRouteExtensions.Resolve(routes, services);
    private DateTimeOffset _lastCleanup;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RelayEnabled) return;
        await Task.Yield();
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var published = await PublishPendingAsync(stoppingToken);
                backoff = TimeSpan.Zero;
                await CleanupAsync(stoppingToken);
                if (published >= _options.BatchSize) continue;
                await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                Failures.Add(1, ContextTag);
                LogRelayFailed(logger, typeof(TContext).Name, ex.GetType().Name, backoff.TotalMilliseconds);
                try { await Task.Delay(backoff, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Publishes what is pending now; returns how many rows were sent.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        List<OutboxMessage> pending;
        // An idle poll every few seconds is not a story worth a trace.
        using (SuppressInstrumentationScope.Begin())
        {
            pending = await db.OutboxMessages
                .Where(m => m.SentAt == null)
                .OrderBy(m => m.Sequence)
                .Take(_options.BatchSize)
                .ToListAsync(cancellationToken);
        }
        RelayPasses.Add(1, ContextTag);
        if (pending.Count == 0) return 0;

        var sent = 0;
        try
        {
            foreach (var row in pending)
            {
                var type = Types.GetOrAdd(row.MessageType, static name => Type.GetType(name, throwOnError: false));
                if (type is null)
                {
                    // Kept, not dropped: a later version that knows the type will send it.
                    row.Attempts++;
                    row.LastError = "unknown-message-type";
                    continue;
                }

                var message = JsonSerializer.Deserialize(row.Body, type, ServiceDbContext.BodyJson)!;
                ActivityContext.TryParse(row.TraceParent, null, out var parent);
                using var activity = CoordinationTelemetry.Source.StartActivity($"outbox relay {type.Name}", ActivityKind.Internal, parent);
                activity?.SetTag("messaging.message.id", row.MessageId.ToString());
                row.Attempts++;
                try
                {
                    // Returns once the broker confirmed the message (publisher confirms).
                    var stamp = Pipe.Execute<SendContext>(ctx =>
                    {
                        ctx.MessageId = row.MessageId;
                        if (row.ConversationId is { } conversation) ctx.ConversationId = conversation;
                        if (row.CorrelationId is { } correlation) ctx.CorrelationId = correlation;
                    });
                    if (_routes.TryGetValue(type, out var address))
                        await (await bus.GetSendEndpoint(address)).Send(message, type, stamp, cancellationToken);
                    else
                        await bus.Publish(message, type, stamp, cancellationToken);
                }
                catch (Exception ex)
                {
                    row.LastError = ex.GetType().Name;
                    throw;
                }
                row.SentAt = clock.GetUtcNow();
                row.LastError = null;
                if (ForgottenOnceSent.GetOrAdd(type, static t => t.IsDefined(typeof(Contracts.Classification.ForgottenOnceSentAttribute), false)))
                    db.OutboxMessages.Remove(row);
                sent++;
                Published.Add(1, ContextTag);
            }
        }
        finally
        {
            // One commit for the batch: confirmed rows are marked sent, the failed one keeps its
            // error. A crash before this line re-sends the batch under the same message ids, and
            // the receivers' inboxes drop the copies.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return sent;
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now - _lastCleanup < TimeSpan.FromHours(1)) return;
        _lastCleanup = now;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var sentBefore = now - _options.KeepSentFor;
        var processedBefore = now - _options.KeepInboxFor;
        await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < sentBefore).ExecuteDeleteAsync(cancellationToken);
        await db.InboxEntries.Where(e => e.ProcessedAt < processedBefore).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay of {Context} failed with {ExceptionType}; retrying in {BackoffMs} ms")]
    private static partial void LogRelayFailed(ILogger logger, string context, string exceptionType, double backoffMs);
}
