using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coordination.BrowserTests.Support;
using Xunit.Abstractions;

namespace Coordination.BrowserTests;

/// <summary>The console in a real headless browser (Debian's chromium), against the whole system in one process.</summary>
public sealed class ConsoleBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static string TodayInParis() =>
        DateOnly
            .FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).DateTime)
            .ToString("yyyy-MM-dd");

    [Fact]
    public async Task Secretariat_75_records_a_briefing_and_sees_the_dashboard_turn_met()
    {
        var watch = Stopwatch.StartNew();
        await using var user = await UserSession.SignInAsync(fixture, "secretariat-75", output);
        var page = user.Page;
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        var status = page.Locator("#etat-reunion-75");
        Assert.NotEqual("met", await status.GetAttributeAsync("data-status"));
        Assert.NotEqual("Tenue", await status.InnerTextAsync());
        // Only the user's own territory is on the dashboard.
        Assert.Equal(0, await page.Locator("#territoire-93").CountAsync());

        Assert.Equal(200, await user.OpenAsync("/console/reunions"));
        await page.FillAsync("#briefedOn", TodayInParis());
        await page.FillAsync("#prosecutorOffice", "Parquet de Paris");
        await page.CheckAsync("#theme-drug-trafficking");
        await page.CheckAsync("#theme-domestic-violence");
        await page.FillAsync("#summary", "Priorités de l'année : stupéfiants et violences intrafamiliales.");
        Assert.Equal(200, await user.SubmitAsync("#enregistrer-reunion"));
        Assert.Contains("enregistrée pour le territoire 75", await page.Locator("#message-succes").InnerTextAsync());
        var row = page.Locator("#table-reunions tbody tr").First;
        Assert.Contains("Trafic de stupéfiants", await row.InnerTextAsync());
        // dd/MM/yyyy, as a French reader expects.
        Assert.Contains(DateOnly.ParseExact(TodayInParis(), "yyyy-MM-dd").ToString("dd/MM/yyyy"), await row.InnerTextAsync());
        await user.ScreenshotAsync("briefings");

        Assert.Equal(200, await user.OpenAsync("/"));
        Assert.Equal("met", await status.GetAttributeAsync("data-status"));
        Assert.Equal("Tenue", await status.InnerTextAsync());
        await user.ScreenshotAsync("dashboard");
        output.WriteLine(
            $"{nameof(Secretariat_75_records_a_briefing_and_sees_the_dashboard_turn_met)}: {watch.Elapsed.TotalSeconds:0.0} s"
        );
    }

    [Fact]
    public async Task A_form_error_shows_the_fields_message()
    {
        var watch = Stopwatch.StartNew();
        await using var user = await UserSession.SignInAsync(fixture, "security-staff-75", output);
        var page = user.Page;
        Assert.Equal(200, await user.OpenAsync("/console/reunions"));
        await page.FillAsync("#prosecutorOffice", "Parquet de Paris");
        await page.FillAsync("#summary", "Sans date.");
        // No date: the API's problem details name the field, and the page shows it beside the field.
        Assert.Equal(400, await user.SubmitAsync("#enregistrer-reunion"));
        Assert.Contains("Le formulaire contient des erreurs", await page.Locator("#message-erreur").InnerTextAsync());
        var message = await page.Locator("#erreur-briefedOn").InnerTextAsync();
        Assert.Contains("Champ obligatoire.", message);
        Assert.Contains("The briefing date is required.", message);
        Assert.Equal("true", await page.Locator("#briefedOn").GetAttributeAsync("aria-invalid"));
        Assert.Equal("erreur-briefedOn", await page.Locator("#briefedOn").GetAttributeAsync("aria-describedby"));
        // What was typed is kept.
        Assert.Equal("Sans date.", await page.InputValueAsync("#summary"));
        await user.ScreenshotAsync("briefing-form-error");
        output.WriteLine($"{nameof(A_form_error_shows_the_fields_message)}: {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task An_operator_of_93_cannot_open_a_case_of_75()
    {
        var watch = Stopwatch.StartNew();
        var person = await fixture.System.DesignateInParisAsync();

        await using (var paris = await UserSession.SignInAsync(fixture, "operational-cell-75", output))
        {
            Assert.Equal(200, await paris.OpenAsync("/console/suivi"));
            Assert.Contains(person, await paris.Page.Locator("#table-dossiers").InnerTextAsync());
            await paris.ScreenshotAsync("supervision");
            Assert.Equal(200, await paris.OpenAsync($"/console/suivi/{person}"));
            Assert.Equal(person, await paris.Page.Locator("#reference").InnerTextAsync());
            Assert.Contains("Dossier ouvert", await paris.Page.Locator("#frise-evenements").InnerTextAsync());
            // Never an identity: the designation's name is nowhere on the page.
            Assert.DoesNotContain("Martin", await paris.Page.ContentAsync());

            // Assign a partner, plan a control with it: both on the timeline.
            await paris.Page.SelectOptionAsync("#partner", "75-association");
            Assert.Equal(200, await paris.SubmitAsync("button:has-text('Affecter')"));
            Assert.Contains("Partenaire affecté", await paris.Page.Locator("#message-succes").InnerTextAsync());
            await paris.Page.SelectOptionAsync("#controlPartner", "75-association");
            await paris.Page.FillAsync("#scheduledFor", TodayInParis());
            Assert.Equal(200, await paris.SubmitAsync("button:has-text('Planifier')"));
            var timeline = await paris.Page.Locator("#frise-evenements").InnerTextAsync();
            Assert.Contains("Partenaire affecté : 75-association", timeline);
            Assert.Contains("Contrôle prévu par 75-association", timeline);
            await paris.ScreenshotAsync("supervision-case");
        }

        await using var other = await UserSession.SignInAsync(fixture, "security-staff-93", output);
        Assert.Equal(200, await other.OpenAsync("/console/suivi"));
        Assert.DoesNotContain(person, await other.Page.ContentAsync());
        Assert.Equal(403, await other.OpenAsync($"/console/suivi/{person}"));
        Assert.Contains(
            "ne fait pas partie de ceux auxquels vous avez accès",
            await other.Page.Locator("#message-erreur").InnerTextAsync()
        );
        Assert.Equal(0, await other.Page.Locator("#reference").CountAsync());
        Assert.Equal(0, await other.Page.Locator("#frise-evenements").CountAsync());
        await other.ScreenshotAsync("supervision-case-refused");

        // Its own territory ends it.
        await using (var paris = await UserSession.SignInAsync(fixture, "secretariat-75", output))
        {
            Assert.Equal(200, await paris.OpenAsync($"/console/suivi/{person}"));
            await paris.Page.SelectOptionAsync("#reason", "end-of-measure");
            Assert.Equal(200, await paris.SubmitAsync("button:has-text('Clore le dossier')"));
            Assert.Equal("Clos — Fin de la mesure", (await paris.Page.Locator("#statut-dossier").InnerTextAsync()).Trim());
        }
        output.WriteLine($"{nameof(An_operator_of_93_cannot_open_a_case_of_75)}: {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task An_auditor_sees_the_chain_verified()
    {
        var watch = Stopwatch.StartNew();
        await using var auditor = await UserSession.SignInAsync(fixture, "auditor", output);
        var page = auditor.Page;
        Assert.Equal("/console/audit", new Uri(page.Url).AbsolutePath);
        var result = page.Locator("#resultat-verification");
        Assert.Equal("true", await result.GetAttributeAsync("data-intact"));
        Assert.Equal("Chaîne vérifiée : intacte", await result.InnerTextAsync());
        // The demo rules of 75 and 93 were adopted at start: filtered on that kind, they are what is listed.
        await page.SelectOptionAsync("#kind", "rules-adopted");
        await auditor.SubmitAsync("button:has-text('Filtrer')");
        var rows = page.Locator("#table-audit tbody tr");
        Assert.True(await rows.CountAsync() >= 2, "the demo rules' adoption entries");
        foreach (var text in await rows.AllInnerTextsAsync())
            Assert.Contains("Règles adoptées", text);
        await auditor.ScreenshotAsync("audit");
        // An auditor has no operator screens: the API would refuse them.
        Assert.Equal(0, await page.Locator("nav a[href='/console/suivi']").CountAsync());
        output.WriteLine($"{nameof(An_auditor_sees_the_chain_verified)}: {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task The_secretariat_works_through_every_screen()
    {
        var watch = Stopwatch.StartNew();
        await using var user = await UserSession.SignInAsync(fixture, "secretariat-93", output);
        var page = user.Page;

        // Art. 41-1: open a review, then record its indicators.
        Assert.Equal(200, await user.OpenAsync("/console/avis"));
        await page.SelectOptionAsync("#measure", "mediation");
        await page.FillAsync("#periodStart", "2026-01-01");
        await page.FillAsync("#periodEnd", "2026-06-30");
        await page.FillAsync("#respondBy", "2027-02-01");
        Assert.Equal(200, await user.SubmitAsync("button:has-text(\"Ouvrir l'examen\")"));
        Assert.Contains("Médiation", await page.Locator("main").InnerTextAsync());
        await page.FillAsync("#measuresOrdered", "40");
        await page.FillAsync("#measuresCarriedOut", "30");
        await page.FillAsync("#medianDelayDays", "21");
        await page.FillAsync("#structureCapacity", "12");
        Assert.Equal(200, await user.SubmitAsync("button:has-text('Enregistrer les indicateurs')"));
        Assert.Contains("Indicateurs enregistrés", await page.Locator("#message-succes").InnerTextAsync());
        await user.ScreenshotAsync("review");

        // Court reports: issue one now, see its detail, then the list.
        Assert.Equal(200, await user.OpenAsync("/console/rapports"));
        Assert.Equal(0, await page.Locator("#emettre-tj-paris").CountAsync());
        Assert.Equal(200, await user.SubmitAsync("#emettre-tj-bobigny"));
        Assert.Contains("Rapport n° 1", await page.Locator("h1").InnerTextAsync());
        await user.ScreenshotAsync("court-report");
        Assert.Equal(200, await user.OpenAsync("/console/rapports"));
        Assert.Contains("À la demande", await page.Locator("#table-rapports").InnerTextAsync());
        await user.ScreenshotAsync("court-reports");

        // Sharing rules: the version in force as a table, then a new version adopted.
        Assert.Equal(200, await user.OpenAsync("/console/regles"));
        var version = await page.Locator("#version-en-vigueur").InnerTextAsync();
        Assert.StartsWith("Version 1", version);
        Assert.True(await page.Locator("#table-regles tbody tr").CountAsync() >= 10, "one row per data category");
        await page.FillAsync("#proposedBy", "Groupe de travail suivi, Groupe de travail victimes");
        Assert.Equal(200, await user.SubmitAsync("#adopter-regles"));
        Assert.Contains("Version 2 adoptée pour le territoire 93", await page.Locator("#message-succes").InnerTextAsync());
        Assert.Contains("2", await page.Locator("#table-historique tbody tr").First.InnerTextAsync());
        await user.ScreenshotAsync("sharing-rules");

        Assert.Equal(200, await user.OpenAsync("/console/graphiques"));
        Assert.Equal(3, await page.Locator("svg.graphique").CountAsync());
        Assert.Contains("Tribunal judiciaire de Bobigny", await page.Locator("#graphique-rapports").InnerHTMLAsync());
        await user.ScreenshotAsync("charts");

        Assert.Equal(200, await user.OpenAsync("/console/suivi"));
        Assert.Equal(200, await user.OpenAsync("/console/reunions"));
        Assert.Equal(200, await user.OpenAsync("/"));
        Assert.Contains("Version 2", await page.Locator("#regles-version-93").InnerTextAsync());
        output.WriteLine($"{nameof(The_secretariat_works_through_every_screen)}: {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task The_blank_screenshot_check_fails_on_a_blank_page()
    {
        // The check every screen passes must be able to fail: a blank page is caught.
        var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetContentAsync("<html><body></body></html>");
        var (deviation, colours, _, _) = Screenshots.Measure(await page.ScreenshotAsync());
        output.WriteLine($"blank page: luminance deviation {deviation:0.0}, {colours} colours");
        Assert.True(deviation < 1 && colours <= 2, $"a blank page measured deviation {deviation}, {colours} colours");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Only_the_secretariat_may_adopt_sharing_rules()
    {
        var watch = Stopwatch.StartNew();
        await using var staff = await UserSession.SignInAsync(fixture, "security-staff-93", output);
        Assert.Equal(200, await staff.OpenAsync("/console/regles"));
        Assert.Equal(0, await staff.Page.Locator("#adopter-regles").CountAsync());
        Assert.True(await staff.Page.Locator("#table-regles").CountAsync() == 1, "the rules in force are shown to every operator");

        // Forced past the missing button, the API refuses, and the console says so.
        using var api = fixture.System.ApiClientFor("security-staff-93");
        var refused = await api.PostAsJsonAsync(
            "/sharing-rules/93",
            new
            {
                proposedBy = new[] { "x" },
                rules = new[]
                {
                    new
                    {
                        category = "incidents",
                        roles = new[] { "association" },
                        purpose = "community-supervision",
                    },
                },
            }
        );
        Assert.Equal(403, (int)refused.StatusCode);
        output.WriteLine($"{nameof(Only_the_secretariat_may_adopt_sharing_rules)}: {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
