using System.Globalization;
using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Coordination.Gateway.Api;

/// <summary>
/// The person's file (loi Informatique et Libertés, directive 2016/680): for one PersonRef, every
/// release and denial the gateway decided about that person — to whom, which categories, for what,
/// under which version of the rules, when — as JSON or as a printable PDF (<see cref="PersonFileHandler"/>).
/// </summary>
public static class PersonFileApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var file = app.MapGroup("/persons").WithTags("Person's file").RequireAuthorization(CoordinationPolicies.Auditor);
        file.MapGet(
                "/{person}/file",
                async (string person, ClaimsPrincipal user, PersonFileHandler handler, CancellationToken ct) =>
                {
                    var (built, problem) = await BuildAsync(person, "json", user, handler, ct);
                    return built is null ? problem! : Results.Ok(built);
                }
            )
            .Produces<PersonFile>();
        file.MapGet(
                "/{person}/file.pdf",
                async (string person, ClaimsPrincipal user, PersonFileHandler handler, CancellationToken ct) =>
                {
                    var (built, problem) = await BuildAsync(person, "pdf", user, handler, ct);
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
        PersonFileHandler handler,
        CancellationToken ct
    )
    {
        if (!PersonRef.TryParse(raw, out var person))
            return (
                null,
                new RuleViolation(ReasonCodes.InvalidField, "person", "Expected a PersonRef, as the platform issued it.").ToProblem(
                    "Not a person reference."
                )
            );
        return (await handler.RequestAsync(person, format, user.SubjectOf(), ct), null);
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
