using System.Globalization;
using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Coordination.Gateway.Api;

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
/// The person's file (loi Informatique et Libertés, directive 2016/680): for one PersonRef, every
/// release and denial the gateway decided about that person — to whom, which categories, for what,
/// under which version of the rules, when — as JSON or as a printable PDF. Read from the audit
/// chain itself, so it holds exactly what was decided; the request is appended to that chain first.
/// It names the person by reference only: the identity stays in the vault.
/// </summary>
public static class PersonFileApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var file = app.MapGroup("/persons").WithTags("Person's file").RequireAuthorization(CoordinationPolicies.Auditor);
        file.MapGet(
                "/{person}/file",
                async (
                    string person,
                    ClaimsPrincipal user,
                    GatewayDbContext db,
                    AuditLog audit,
                    TimeProvider clock,
                    CancellationToken ct
                ) =>
                {
                    var (built, problem) = await BuildAsync(person, "json", user, db, audit, clock, ct);
                    return built is null ? problem! : Results.Ok(built);
                }
            )
            .Produces<PersonFile>();
        file.MapGet(
                "/{person}/file.pdf",
                async (
                    string person,
                    ClaimsPrincipal user,
                    GatewayDbContext db,
                    AuditLog audit,
                    TimeProvider clock,
                    CancellationToken ct
                ) =>
                {
                    var (built, problem) = await BuildAsync(person, "pdf", user, db, audit, clock, ct);
                    return built is null
                        ? problem!
                        : Results.File(PersonFilePdf.Render(built), "application/pdf", $"person-file-{built.Person}.pdf");
                }
            )
            .Produces(StatusCodes.Status200OK, contentType: "application/pdf");
    }

    private static async Task<(PersonFile? File, IResult? Problem)> BuildAsync(
        string raw,
        string format,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        if (!PersonRef.TryParse(raw, out var person))
            return (
                null,
                Problems.Validation(
                    "Not a person reference.",
                    [("person", ReasonCodes.InvalidField, "Expected a PersonRef, as the platform issued it.")]
                )
            );
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
                user.SubjectOf(),
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
        return (new PersonFile(person.Value, clock.GetUtcNow(), user.SubjectOf(), request.Sequence, entries), null);
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

/// <summary>The person's file on A4 pages: a header, then one block per decision, in the order decided.</summary>
public static class PersonFilePdf
{
    public const string FontFamily = "DejaVu Sans Mono";

    static PersonFilePdf()
    {
        // PDFsharp 6's Core build finds no fonts on Linux by itself: the font ships inside the gateway.
        // Process-wide, and set once: a host started again in the same process finds it set.
        GlobalFontSettings.FontResolver ??= new EmbeddedFontResolver();
    }

    public static byte[] Render(PersonFile file)
    {
        using var document = new PdfDocument();
        document.Info.Title = $"Person's file {file.Person}";
        document.Info.Creator = "Coordination gateway";
        var regular = new XFont(FontFamily, 8.5, XFontStyleEx.Regular);
        var title = new XFont(FontFamily, 13, XFontStyleEx.Regular);
        const double margin = 40,
            line = 12;
        PdfPage page = null!;
        XGraphics gfx = null!;
        double y = 0;
        var pageNumber = 0;

        void NewPage()
        {
            gfx?.Dispose();
            page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            gfx = XGraphics.FromPdfPage(page);
            pageNumber++;
            gfx.DrawString($"{file.Person} · page {pageNumber}", regular, XBrushes.Gray, new XPoint(margin, page.Height.Point - 25));
            y = margin;
        }

        void Write(string text, XFont font, double height)
        {
            if (y + height > page.Height.Point - margin)
                NewPage();
            gfx.DrawString(text, font, XBrushes.Black, new XPoint(margin, y));
            y += height;
        }

        NewPage();
        Write("Person's file: what was shared, with whom, under which rules", title, 20);
        Write($"Person: {file.Person}", regular, line);
        Write($"Generated: {Time(file.GeneratedAt)} by {file.RequestedBy} (audit entry {file.RequestAuditSequence})", regular, line);
        Write(
            $"Decisions: {file.Entries.Count} ({file.Entries.Count(e => e.Outcome == "released")} released, "
                + $"{file.Entries.Count(e => e.Outcome != "released")} denied)",
            regular,
            line * 1.5
        );
        if (file.Entries.Count == 0)
            Write("No release or denial about this person is recorded.", regular, line);
        foreach (var e in file.Entries)
        {
            // Blocks do not split across pages.
            if (y + line * 4 > page.Height.Point - margin)
                NewPage();
            Write($"{Time(e.At)}  {e.Outcome.ToUpperInvariant()} ({e.Reason})  to {e.Recipient ?? "-"}", regular, line);
            var version = e.RulesVersion?.ToString(CultureInfo.InvariantCulture) ?? "-";
            Write($"    purpose {e.Purpose ?? "-"}, rules version {version}, asked by {e.Requester}", regular, line);
            foreach (var chunk in Chunks($"categories: {string.Join(", ", e.Categories)}", 90))
                Write("    " + chunk, regular, line);
            Write($"    decision {e.DecisionId}, audit entry {e.Sequence}", regular, line * 1.4);
        }
        gfx.Dispose();
        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Chunks(string text, int width)
    {
        for (var i = 0; i < text.Length; i += width)
            yield return text.Substring(i, Math.Min(width, text.Length - i));
    }

    /// <summary>Every typeface asked for is DejaVu Sans Mono, embedded in the assembly.</summary>
    private sealed class EmbeddedFontResolver : IFontResolver
    {
        private const string Face = "DejaVuSansMono";
        private static readonly Lazy<byte[]> Bytes = new(() =>
        {
            using var stream =
                typeof(PersonFilePdf).Assembly.GetManifestResourceStream("Coordination.Gateway.Fonts.DejaVuSansMono.ttf")
                ?? throw new InvalidOperationException("The embedded font is missing from the gateway assembly.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });

        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) => new(Face, bold, italic);

        public byte[] GetFont(string faceName) => Bytes.Value;
    }
}
