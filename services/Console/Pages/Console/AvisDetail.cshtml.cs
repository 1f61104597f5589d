using System.Net;
using System.Text.Json.Nodes;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Mvc;

namespace Coordination.WebConsole.Pages.Console;

/// <summary>One review: its indicators, the draft opinion, adoption, and the transmission's status with any refusal reason.</summary>
public sealed class AvisDetailModel : ConsolePageModel
{
    public static IReadOnlyList<string> Verdicts { get; } = ClosedList<OpinionVerdict>.Words.Order(StringComparer.Ordinal).ToList();
    public static IReadOnlyList<string> RecommendationWords { get; } =
        ClosedList<OpinionRecommendation>.Words.Order(StringComparer.Ordinal).ToList();

    public JsonNode? Review { get; private set; }
    public List<JsonNode> Contributions { get; } = [];

    [BindProperty]
    public int? MeasuresOrdered { get; set; }

    [BindProperty]
    public int? MeasuresCarriedOut { get; set; }

    [BindProperty]
    public int? MedianDelayDays { get; set; }

    [BindProperty]
    public int? StructureCapacity { get; set; }

    [BindProperty]
    public string? Verdict { get; set; }

    [BindProperty]
    public List<string> Recommendations { get; set; } = [];

    [BindProperty]
    public string? Text { get; set; }

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public Task<IActionResult> OnPostIndicatorsAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(
            id,
            Api.PutAsync(
                ApiServices.Opinions,
                $"opinions/reviews/{id}/indicators",
                new
                {
                    measuresOrdered = MeasuresOrdered,
                    measuresCarriedOut = MeasuresCarriedOut,
                    medianDelayDays = MedianDelayDays,
                    structureCapacity = StructureCapacity,
                },
                ct
            ),
            "Reviews.IndicatorsRecorded",
            ct
        );

    public Task<IActionResult> OnPostDraftAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(
            id,
            Api.PutAsync(
                ApiServices.Opinions,
                $"opinions/reviews/{id}/draft",
                new
                {
                    verdict = string.IsNullOrWhiteSpace(Verdict) ? null : Verdict,
                    recommendations = Recommendations,
                    text = Text,
                },
                ct
            ),
            "Reviews.Drafted",
            ct
        );

    public Task<IActionResult> OnPostAdoptAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, Api.PostAsync(ApiServices.Opinions, $"opinions/reviews/{id}/adoption", null, ct), "Reviews.Adopted", ct);

    public Task<IActionResult> OnPostTransmitAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, Api.PostAsync(ApiServices.Opinions, $"opinions/reviews/{id}/transmission", null, ct), "Reviews.SentAgain", ct);

    private async Task<IActionResult> ChangeAsync(Guid id, Task<ApiResult> call, string done, CancellationToken ct)
    {
        var result = await call;
        if (result.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (result.Ok)
        {
            Success = T[done];
            return Redirect($"/console/avis/{id}");
        }
        Refused(result);
        var shown = await ShowAsync(id, ct);
        Response.StatusCode = (int)result.Status;
        return shown;
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        var review = await Api.GetAsync(ApiServices.Opinions, $"opinions/reviews/{id}", ct);
        if (review.Status == HttpStatusCode.Unauthorized)
            return await ReconnectAsync();
        if (!review.Ok)
        {
            Refused(review, keepStatus: true);
            return Page();
        }
        Review = review.Body;
        var indicators = Review?["indicators"];
        MeasuresOrdered ??= (int?)indicators?["measuresOrdered"];
        MeasuresCarriedOut ??= (int?)indicators?["measuresCarriedOut"];
        MedianDelayDays ??= (int?)indicators?["medianDelayDays"];
        StructureCapacity ??= (int?)indicators?["structureCapacity"];
        var opinion = Review?["opinion"];
        Verdict ??= (string?)opinion?["verdict"];
        if (Recommendations.Count == 0 && opinion?["recommendations"] is JsonArray r)
            Recommendations = r.Select(x => (string?)x ?? "").ToList();
        Text ??= (string?)opinion?["text"];
        var contributions = await Api.GetAsync(ApiServices.Opinions, $"opinions/reviews/{id}/contributions", ct);
        Contributions.AddRange(contributions.Items.OfType<JsonNode>());
        return Page();
    }
}
