using System.Runtime.ExceptionServices;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress.Types;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application.Ingress;

/// <summary>One agency message as the door received it, copied out of the transport's buffers.</summary>
public sealed record IngressDelivery(ulong DeliveryTag, string? Account, string RoutingKey, ReadOnlyMemory<byte> Body, long DeliveryCount);

/// <summary>
/// Decides a batch of agency messages in one transaction: each in order, behind its own savepoint,
/// seeing what the ones before it saved; then their audit records are linked onto the chain's head at
/// once and everything commits together, followed by one signed checkpoint. A message the gateway
/// fails on is rolled back alone and reported in <see cref="Decided.Failed"/>; the rest commit.
/// </summary>
/// <remarks>
/// The audit append lock is held for the whole transaction (the lock, then the database's, in the order
/// every appender takes them). Another gateway instance on the same database is ordered by the
/// database: on SQLite the batch holds the write lock from its first statement, so the head it reads
/// cannot move under it; on SQL Server a batch linked onto a head another instance extended first fails
/// on the sequence key and is linked again (<see cref="AuditLog"/>), and a transient failure replays the
/// whole batch inside the execution strategy.
/// </remarks>
public sealed class IngressBatch(IServiceScopeFactory scopes)
{
    private const string Savepoint = "delivery";

    /// <summary>The topic exchange agencies publish to (the AMQP door, <c>AmqpIngressListener</c>, declares and reads it).</summary>
    public const string Exchange = "coordination.ingress";

    /// <summary>
    /// How long a batch decides before it commits what it has: the batch holds the audit lock and, on
    /// SQLite, the write lock, which the relay, the HTTP door and the consumers also need. The rest of
    /// the batch is <see cref="Decided.Deferred"/> to the next one.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(50);

    public sealed record Decided(
        IReadOnlyList<IngressDelivery> Committed,
        IReadOnlyList<(IngressDelivery Delivery, Exception Failure)> Failed,
        IReadOnlyList<IngressDelivery> Deferred
    );

    /// <summary>Decides and commits <paramref name="batch"/>; throws only when the transaction itself failed (nothing committed).</summary>
    public async Task<Decided> DecideAsync(IReadOnlyList<IngressDelivery> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetRequiredService<IngressProcessor>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        // The directory as it stands, read in the batch's own transaction: a just-retired agency is refused.
        var agencies = scope.ServiceProvider.GetRequiredService<AgencyDirectory>();
        var failed = new List<(IngressDelivery, Exception)>();
        IReadOnlyList<AuditEntry> linked = [];
        var decided = 0;

        await using (await audit.HoldForBatchAsync(cancellationToken))
        {
            await db
                .Database.CreateExecutionStrategy()
                .ExecuteAsync(async () =>
                {
                    db.ChangeTracker.Clear();
                    audit.ClearStaged();
                    failed.Clear();
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    for (
                        decided = 0;
                        decided < batch.Count && (decided == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(started) < Budget);
                        decided++
                    )
                    {
                        var delivery = batch[decided];
                        var staged = audit.StagedCount;
                        var outbox = db.StagedOutboxMark;
                        await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
                        // Each agency message starts its story here: the decision id lands on this span.
                        using var activity = CoordinationTelemetry.Source.StartActivity(
                            $"gateway ingress {delivery.RoutingKey}",
                            System.Diagnostics.ActivityKind.Consumer
                        );
                        activity?.SetTag("messaging.system", "rabbitmq");
                        activity?.SetTag("messaging.destination.name", Exchange);
                        try
                        {
                            await DecideOneAsync(processor, agencies, delivery, cancellationToken);
                            await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                        {
                            try
                            {
                                await transaction.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
                            }
                            // The server ended the whole transaction: the strategy, then the caller, decide on the original error.
                            catch
                            {
                                ExceptionDispatchInfo.Throw(ex);
                            }
                            audit.UnstageFrom(staged);
                            db.DiscardStagedOutboxFrom(outbox);
                            db.ChangeTracker.Clear();
                            failed.Add((delivery, ex));
                        }
                    }
                    linked = await audit.LinkBatchAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                });
            // The commit handed what it accepted to the relay (OutboxInterceptor): forwarded now, not at its next poll.
            audit.Checkpoint(linked);
        }
        var failures = failed.Select(f => f.Item1).ToHashSet();
        return new Decided(batch.Take(decided).Where(d => !failures.Contains(d)).ToList(), failed, batch.Skip(decided).ToList());
    }

    private static async Task DecideOneAsync(
        IngressProcessor processor,
        AgencyDirectory agencies,
        IngressDelivery delivery,
        CancellationToken cancellationToken
    )
    {
        // A refusal's answer is committed with the decision; the mailbox pusher delivers it to agency.<id>.rejected.
        if (await agencies.FindAsync(delivery.Account, cancellationToken) is { } source)
            await processor.ProcessAsync(source, delivery.Body, delivery.RoutingKey, cancellationToken);
        else
            await processor.RejectUnidentifiedAsync(
                new AgencySource(
                    Contracts.Values.AgencyId.IsValid(delivery.Account) ? delivery.Account! : IngressProcessor.Unidentified,
                    null,
                    new HashSet<Contracts.Values.TerritoryCode>()
                ),
                IngressProcessor.KnownTypeOrNull(delivery.RoutingKey),
                cancellationToken
            );
    }
}
