using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>One release or denial about the person, as the audit chain holds it: references and codes, never a value.</summary>
public sealed record PersonFileEntry(
    long Sequence,
    DateTimeOffset At,
    Guid DecisionId,
    string Outcome,
    string Reason,
    string? Recipient,
    string Requester,
    string? Purpose,
    IReadOnlyList<string> Categories,
    int? RulesVersion,
    Guid? ReleaseId
);

public sealed record PersonFile(
    string Person,
    DateTimeOffset GeneratedAt,
    string RequestedBy,
    long RequestAuditSequence,
    IReadOnlyList<PersonFileEntry> Entries
);

/// <summary>
/// The person's file (loi Informatique et Libertés, directive 2016/680): every release and denial the
/// gateway decided about one PersonRef, read from the audit chain itself, so it holds exactly what was
/// decided; the request is appended to that chain first. It names the person by reference only.
/// </summary>
public sealed class PersonFileHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<PersonFile> RequestAsync(PersonRef person, string format, string requestedBy, CancellationToken ct)
    {
        var token = $"person:{person.Value}";
        // A LIKE narrows the read; the exact reference is then matched among each entry's own references.
        var candidates = await db
            .Audit.AsNoTracking()
            .Where(a => (a.Kind == AuditKind.Released || a.Kind == AuditKind.Denied) && a.References.Contains(token))
            .OrderBy(a => a.Sequence)
            .ToListAsync(ct);
        var entries = candidates.Where(a => a.References.Split(',').Contains(token)).Select(Entry).ToList();

        // The request is in the chain before anything is answered: who asked for whose file, in which form, how many entries.
        var request = await audit.AppendAndSaveAsync(
            new AuditRecord(
                NewId.NextGuid(),
                AuditKind.PersonFileRequested,
                requestedBy,
                null,
                null,
                [],
                [token, $"format:{format}", $"entries:{entries.Count}"],
                null,
                "answered",
                "person's file"
            ),
            ct
        );
        return new PersonFile(person.Value, clock.GetUtcNow(), requestedBy, request.Sequence, entries);
    }

    private static PersonFileEntry Entry(AuditEntry a)
    {
        var references = a.References.Split(',');
        var named = references.FirstOrDefault(r => r.StartsWith("release:", StringComparison.Ordinal));
        var release = named is not null && Guid.TryParse(named["release:".Length..], out var id) ? id : (Guid?)null;
        return new PersonFileEntry(
            a.Sequence,
            a.At,
            a.DecisionId,
            a.Outcome,
            a.Reason,
            a.Recipient,
            a.Source,
            a.Purpose,
            a.Categories.Split(',', StringSplitOptions.RemoveEmptyEntries),
            a.RulesVersion,
            release
        );
    }
}
