using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.IntegrationTests.Support;
using Coordination.Opinions.Api;
using Coordination.Opinions.Domain;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Testing.RejectionAssertions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>Operators run the art. 41-1 reviews of their territory over HTTP, in the all-in-one host.</summary>
public sealed class OpinionsApiTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private ServiceHost _host = null!;
    private HttpClient _paris = null!;
    private HttpClient _seineSaintDenis = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAllInOneAsync();
        _paris = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        _seineSaintDenis = _host.ClientFor(DemoPrincipals.Named("secretariat-93"));
    }

    public async Task DisposeAsync()
    {
        _paris.Dispose();
        _seineSaintDenis.Dispose();
        await _host.DisposeAsync();
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static string RespondBy => DateTime.UtcNow.AddDays(90).ToString("yyyy-MM-dd");

    private static async Task<ReviewView> Open(HttpClient client, string territory, string measure)
    {
        var response = await client.PostAsync(
            "/opinions/reviews",
            JsonBody(
                $$"""{"territory":"{{territory}}","measure":"{{measure}}","periodStart":"2025-01-01","""
                    + $$"""
                    "periodEnd":"2025-12-31","respondBy":"{{RespondBy}}"}
                    """
            )
        );
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReviewView>(Json))!;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Answer(Task<HttpResponseMessage> call)
    {
        var response = await call;
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task An_operator_lists_the_reviews_of_the_territory_by_measure_kind_and_another_territory_sees_none_of_them()
    {
        var mediation = await Open(_paris, "75", "mediation");
        var repair = await Open(_paris, "75", "damage-repair");
        var theirs = await Open(_seineSaintDenis, "93", "mediation");

        var listed = (await _paris.GetFromJsonAsync<List<JsonElement>>("/opinions/reviews?territory=75&measure=mediation"))!;
        Assert.Equal([mediation.Id], listed.Select(r => r.GetProperty("id").GetGuid()));
        Assert.Equal(("mediation", "opened"), (listed[0].GetProperty("measure").GetString(), listed[0].GetProperty("status").GetString()));
        Assert.Equal(
            new[] { mediation.Id, repair.Id }.Order(),
            (await _paris.GetFromJsonAsync<List<ReviewView>>("/opinions/reviews", Json))!.Select(r => r.Id).Order()
        );

        // From 93: Paris's review answers exactly as one that does not exist, and lists hold only 93's.
        var foreign = await Answer(_seineSaintDenis.GetAsync($"/opinions/reviews/{mediation.Id}"));
        var missing = await Answer(_seineSaintDenis.GetAsync($"/opinions/reviews/{Guid.NewGuid()}"));
        AssertRefused(foreign, HttpStatusCode.Forbidden, "forbidden");
        static string Shown(JsonElement body) =>
            string.Join("|", body.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));
        Assert.Equal((missing.Status, Shown(missing.Body)), (foreign.Status, Shown(foreign.Body)));
        Assert.Equal(HttpStatusCode.Forbidden, (await _seineSaintDenis.GetAsync("/opinions/reviews?territory=75")).StatusCode);
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (
                await _seineSaintDenis.PutAsync(
                    $"/opinions/reviews/{mediation.Id}/indicators",
                    JsonBody("""{"measuresOrdered":1,"measuresCarriedOut":1,"medianDelayDays":1,"structureCapacity":1}""")
                )
            ).StatusCode
        );
        Assert.Equal(
            [theirs.Id],
            (await _seineSaintDenis.GetFromJsonAsync<List<ReviewView>>("/opinions/reviews?measure=mediation", Json))!.Select(r => r.Id)
        );
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (
                await _seineSaintDenis.PostAsync(
                    "/opinions/reviews",
                    JsonBody(
                        """{"territory":"75","measure":"mediation","periodStart":"2024-01-01","periodEnd":"2024-12-31","""
                            + $$"""
                            "respondBy":"{{RespondBy}}"}
                            """
                    )
                )
            ).StatusCode
        );
    }

    [Fact]
    public async Task Bad_input_is_answered_with_problem_details_naming_each_field_and_a_reason_code()
    {
        var opened = await Answer(
            _paris.PostAsync("/opinions/reviews", JsonBody("""{"territory":"75","measure":"rappel-a-la-loi","periodStart":"2025-13-01"}"""))
        );
        AssertRefused(opened, HttpStatusCode.BadRequest, "invalid-field");
        Assert.Equal(
            ["measure", "periodEnd", "periodStart", "respondBy"],
            opened.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order()
        );
        Assert.Equal("missing-field", opened.Body.GetProperty("reasonCodes").GetProperty("respondBy").GetString());

        var past = await Answer(
            _paris.PostAsync(
                "/opinions/reviews",
                JsonBody(
                    """{"territory":"75","measure":"mediation","periodStart":"2020-01-01","periodEnd":"2020-12-31","""
                        + """
                        "respondBy":"2021-01-31"}
                        """
                )
            )
        );
        AssertRefused(past, HttpStatusCode.BadRequest, "invalid-field");
        Assert.True(past.Body.GetProperty("errors").TryGetProperty("respondBy", out _));

        var review = await Open(_paris, "75", "civic-contribution");
        var figures = await Answer(
            _paris.PutAsync(
                $"/opinions/reviews/{review.Id}/indicators",
                JsonBody("""{"measuresOrdered":10,"measuresCarriedOut":12,"medianDelayDays":5,"structureCapacity":3}""")
            )
        );
        AssertRefused(figures, HttpStatusCode.BadRequest, "invalid-field");
        Assert.True(figures.Body.GetProperty("errors").TryGetProperty("measuresCarriedOut", out _));

        var early = await Answer(_paris.PutAsync($"/opinions/reviews/{review.Id}/draft", JsonBody("""{"verdict":"favourable"}""")));
        AssertRefused(early, HttpStatusCode.Conflict, "no-indicators");
        var notDrafted = await Answer(_paris.PostAsync($"/opinions/reviews/{review.Id}/adoption", null));
        AssertRefused(notDrafted, HttpStatusCode.Conflict, "no-draft");

        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _paris.PutAsync(
                    $"/opinions/reviews/{review.Id}/indicators",
                    JsonBody("""{"measuresOrdered":10,"measuresCarriedOut":8,"medianDelayDays":5,"structureCapacity":3}""")
                )
            ).StatusCode
        );
        var offList = await Answer(
            _paris.PutAsync(
                $"/opinions/reviews/{review.Id}/draft",
                JsonBody("""{"verdict":"unfavourable","recommendations":["abolish-the-measure"]}""")
            )
        );
        AssertRefused(offList, HttpStatusCode.BadRequest, "invalid-field");
        var tooLong = await Answer(
            _paris.PutAsync(
                $"/opinions/reviews/{review.Id}/draft",
                JsonBody(JsonSerializer.Serialize(new { verdict = "favourable", text = new string('x', 1001) }))
            )
        );
        AssertRefused(tooLong, HttpStatusCode.BadRequest, "invalid-field");
        Assert.Equal(
            "application/problem+json",
            (await _paris.PutAsync($"/opinions/reviews/{review.Id}/draft", JsonBody("not json"))).Content.Headers.ContentType?.MediaType
        );

        // Nothing of it was kept: the review still has no draft.
        Assert.Null((await _paris.GetFromJsonAsync<ReviewView>($"/opinions/reviews/{review.Id}", Json))!.Opinion);
    }

    [Fact]
    public async Task An_adopted_opinion_reaches_the_prosecutors_mailbox_through_the_gateway_and_changes_no_more()
    {
        var review = await Open(_paris, "75", "ban-on-contact-with-victim");
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _paris.PutAsync(
                    $"/opinions/reviews/{review.Id}/indicators",
                    JsonBody("""{"measuresOrdered":80,"measuresCarriedOut":60,"medianDelayDays":21,"structureCapacity":12}""")
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _paris.PutAsync(
                    $"/opinions/reviews/{review.Id}/draft",
                    JsonBody(
                        """{"verdict":"favourable-with-reservations","recommendations":["improve-victim-information"]"""
                            + ""","text":"Information des victimes à renforcer."}"""
                    )
                )
            ).StatusCode
        );
        var adoption = await _paris.PostAsync($"/opinions/reviews/{review.Id}/adoption", null);
        Assert.Equal(HttpStatusCode.OK, adoption.StatusCode);
        Assert.Equal("transmitted", (await adoption.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var delivery = await OpinionIn("prosecutor-75", review.Id);
        Assert.Equal("opinions.opinion", delivery.GetProperty("type").GetString());
        var opinion = Open(delivery, "75-prosecutor")["art41-opinion"]!;
        Assert.Equal(
            ("favourable-with-reservations", 75, "interdiction de contact avec la victime"),
            (
                opinion["verdict"]!.GetValue<string>(),
                opinion["indicators"]!["completionRatePercent"]!.GetValue<int>(),
                opinion["measureName"]!.GetValue<string>()
            )
        );
        Assert.Equal(["improve-victim-information"], opinion["recommendations"]!.AsArray().Select(r => r!.GetValue<string>()));
        using (var other = _host.ClientFor(DemoPrincipals.Named("prosecutor-93")))
            Assert.DoesNotContain(await MailboxReader.ReadAsync(other), d => d.GetProperty("type").GetString() == "opinions.opinion");

        var listed = Assert.Single(
            (await _paris.GetFromJsonAsync<List<ReviewView>>("/opinions?territory=75&measure=ban-on-contact-with-victim", Json))!
        );
        Assert.Equal(review.Id, listed.Id);
        Assert.Empty((await _paris.GetFromJsonAsync<List<ReviewView>>("/opinions?territory=75&measure=mediation", Json))!);

        var late = await Answer(_paris.PutAsync($"/opinions/reviews/{review.Id}/draft", JsonBody("""{"verdict":"favourable"}""")));
        AssertRefused(late, HttpStatusCode.Conflict, "review-closed");
        Assert.Equal(HttpStatusCode.Conflict, (await _paris.PostAsync($"/opinions/reviews/{review.Id}/adoption", null)).StatusCode);
        Assert.Equal(
            "favourable-with-reservations",
            (await _paris.GetFromJsonAsync<JsonElement>($"/opinions/reviews/{review.Id}"))
                .GetProperty("opinion")
                .GetProperty("verdict")
                .GetString()
        );
    }

    [Fact]
    public async Task The_prosecutors_figures_and_a_partners_contribution_arrive_through_the_gateway_and_the_jap_is_not_consulted()
    {
        var review = await Open(_paris, "75", "civic-contribution");
        async Task<(HttpStatusCode Status, JsonElement Body)> Send(string principal, string type, string payload)
        {
            using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
            var envelope = AgencyClient.Envelope(type, JsonNode.Parse(payload)!.AsObject(), "75", "2026-09-10T10:00:00+02:00");
            return await AgencyClient.PostAsync(agency, envelope);
        }

        Assert.Equal(
            HttpStatusCode.Accepted,
            (
                await Send(
                    "prosecutor-75",
                    "opinions.submit-indicators",
                    $$"""{"reviewId":"{{review.Id}}","measuresOrdered":40"""
                        + ""","measuresCarriedOut":30,"medianDelayDays":21,"structureCapacity":12}"""
                )
            ).Status
        );
        Assert.Equal(
            HttpStatusCode.Accepted,
            (
                await Send(
                    "association-75",
                    "opinions.contribute",
                    $$"""{"reviewId":"{{review.Id}}","contribution":"Trois structures d'accueil, délais stables."}"""
                )
            ).Status
        );
        var jap = await Send("jap-75", "opinions.contribute", $$"""{"reviewId":"{{review.Id}}","contribution":"Avis du JAP."}""");
        Assert.Equal(HttpStatusCode.Forbidden, jap.Status);
        var indicatorsFromPartner = await Send(
            "association-75",
            "opinions.submit-indicators",
            $$"""{"reviewId":"{{review.Id}}","measuresOrdered":1,"measuresCarriedOut":1,"medianDelayDays":1,"structureCapacity":1}"""
        );
        AssertRefused(indicatorsFromPartner, HttpStatusCode.Forbidden, "role-not-allowed");

        ReviewView? seen = null;
        await Poller.UntilAsync(
            async () =>
                (seen = await _paris.GetFromJsonAsync<ReviewView>($"/opinions/reviews/{review.Id}", Json))!.Contributions == 1
                && seen.Indicators is not null,
            "the figures and the contribution on the review"
        );
        Assert.Equal(
            (40, 30, 75),
            (seen!.Indicators!.MeasuresOrdered, seen.Indicators.MeasuresCarriedOut, seen.Indicators.CompletionRatePercent)
        );
        var contributions = (await _paris.GetFromJsonAsync<JsonElement[]>($"/opinions/reviews/{review.Id}/contributions"))!;
        var contribution = Assert.Single(contributions);
        Assert.Equal(
            ("75-association", "Trois structures d'accueil, délais stables."),
            (contribution.GetProperty("partner").GetString(), contribution.GetProperty("text").GetString())
        );
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await _seineSaintDenis.GetAsync($"/opinions/reviews/{review.Id}/contributions")).StatusCode
        );
    }

    [Fact]
    public async Task An_opinion_the_gateway_refuses_stays_adopted_says_why_and_is_sent_again_once_the_rules_allow()
    {
        // The secretariat of 75 adopts rules that no longer grant the opinion to the prosecutor.
        using var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        Assert.Equal(
            HttpStatusCode.Created,
            (
                await secretariat.PostAsync(
                    "/sharing-rules/75",
                    JsonBody(
                        """{"proposedBy":["groupe de travail"],"rules":["""
                            + """{"category":"court-report","roles":["probation-service"],"purpose":"court-reporting"}]}"""
                    )
                )
            ).StatusCode
        );

        var review = await Open(_paris, "75", "mediation");
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _paris.PutAsync(
                    $"/opinions/reviews/{review.Id}/indicators",
                    JsonBody("""{"measuresOrdered":10,"measuresCarriedOut":9,"medianDelayDays":30,"structureCapacity":4}""")
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await _paris.PutAsync($"/opinions/reviews/{review.Id}/draft", JsonBody("""{"verdict":"favourable"}"""))).StatusCode
        );
        Assert.Equal(HttpStatusCode.OK, (await _paris.PostAsync($"/opinions/reviews/{review.Id}/adoption", null)).StatusCode);

        ReviewView? seen = null;
        await Poller.UntilAsync(
            async () =>
                (seen = await _paris.GetFromJsonAsync<ReviewView>($"/opinions/reviews/{review.Id}", Json))!.TransmissionRefusal is not null,
            "the gateway's refusal on the review"
        );
        Assert.Equal((ReviewStatus.Adopted, "no-rule-grants"), (seen!.Status, seen.TransmissionRefusal));
        using (var prosecutor = _host.ClientFor(DemoPrincipals.Named("prosecutor-75")))
            Assert.DoesNotContain(await MailboxReader.ReadAsync(prosecutor), d => d.GetProperty("type").GetString() == "opinions.opinion");
        var redraft = await Answer(
            _paris.PutAsync(
                $"/opinions/reviews/{review.Id}/draft",
                JsonBody("""{"verdict":"unfavourable","recommendations":["shorten-delays"]}""")
            )
        );
        AssertRefused(redraft, HttpStatusCode.Conflict, "review-closed");

        // The rules grant it again; the same opinion is sent again and arrives.
        Assert.Equal(
            HttpStatusCode.Created,
            (
                await secretariat.PostAsync(
                    "/sharing-rules/75",
                    JsonBody(
                        """{"proposedBy":["groupe de travail"],"rules":["""
                            + """{"category":"art41-opinion","roles":["prosecutor"]"""
                            + ""","purpose":"art41-opinion","legalBasis":"CSI L132-10-1 I 2°"}]}"""
                    )
                )
            ).StatusCode
        );
        var again = await _paris.PostAsync($"/opinions/reviews/{review.Id}/transmission", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var opinion = Open(await OpinionIn("prosecutor-75", review.Id), "75-prosecutor")["art41-opinion"]!;
        Assert.Equal("favourable", opinion["verdict"]!.GetValue<string>());
        var final = await _paris.GetFromJsonAsync<ReviewView>($"/opinions/reviews/{review.Id}", Json);
        Assert.Equal((ReviewStatus.Transmitted, (string?)null), (final!.Status, final.TransmissionRefusal));
        Assert.Equal(HttpStatusCode.Conflict, (await _paris.PostAsync($"/opinions/reviews/{review.Id}/transmission", null)).StatusCode);
    }

    private async Task<JsonElement> OpinionIn(string principal, Guid reviewId)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        var (found, _) = await DeliveryOpener.AwaitInMailboxAsync(
            agency,
            _host.Keys,
            DemoPrincipals.Named(principal).Agency!,
            "opinions.opinion",
            matches: contents => contents["art41-opinion"]!["reviewId"]!.GetValue<Guid>() == reviewId,
            purpose: ArtOpinionPurpose,
            newestFirst: false
        );
        return found;
    }

    private const string ArtOpinionPurpose = "art41-opinion";

    private JsonObject Open(JsonElement delivery, string owner) =>
        DeliveryOpener.OpenMailboxDelivery(_host.Keys, owner, delivery, ArtOpinionPurpose);
}
