using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Demo;

/// <summary>
/// Puts the demo data in place through the published HTTP APIs, as the CDPD secretariat of 75 and 93 would
/// (<see cref="DemoPrincipals.Seeder"/>): the demo agencies, jurisdictions and partners in the gateway's directory
/// (<c>/directory/…</c>), the demo sharing rules of each demo territory (<c>/sharing-rules/{territory}</c>), and,
/// given Supervision's address, until Supervision's copy of the partners (<c>/supervision/partners</c>) holds them.
/// Idempotent: what the directory already lists (active or retired) and a territory that has adopted any rules are
/// left as they are, so a second run registers nothing and fails on nothing. No service knows this code exists.
/// </summary>
public static class DemoSeed
{
    /// <summary>How long Supervision's copy of the partners may take to follow the directory (over the bus).</summary>
    public static readonly TimeSpan PartnersCopyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What a first run registers or adopts, each its own entry in the gateway's audit chain.</summary>
    public static int FirstRunEntries =>
        DemoAgencies.Count() + DemoJurisdictions.All.Count + DemoPartners.All.Count + DemoPrincipals.Territories.Length;

    private static IEnumerable<DevelopmentPrincipal> DemoAgencies =>
        DemoPrincipals.All.Where(p => p.Kind == PrincipalKind.AgencySystem && p.Agency is not null);

    /// <summary>A client of one service's API, as the seeder: its token signed with the development key the services trust.</summary>
    public static HttpClient ClientFor(Uri baseAddress, string token)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A token for <see cref="DemoPrincipals.Seeder"/>, signed by the development key at <paramref name="keyFile"/>.</summary>
    public static string SeederToken(string keyFile, TokenOptions? options = null) =>
        DevelopmentTokens.Issue(
            DemoPrincipals.Seeder,
            SigningKeys.LoadOrCreateDevelopmentKey(keyFile),
            options ?? new TokenOptions(),
            DateTimeOffset.UtcNow,
            TimeSpan.FromMinutes(10)
        );

    /// <summary>
    /// Seeds; returns what it registered or adopted (<c>agency:75-jap</c>, <c>sharing-rules:75</c>…), empty when all was there.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(
        HttpClient gateway,
        HttpClient? supervision = null,
        CancellationToken cancellationToken = default
    )
    {
        var done = new List<string>();

        var agencies = await ListedAsync(gateway, "/directory/agencies", "account", cancellationToken);
        foreach (var principal in DemoAgencies)
        {
            if (agencies.Contains(principal.Agency!))
                continue;
            await RegisterAsync(
                gateway,
                "/directory/agencies",
                new
                {
                    account = principal.Agency,
                    role = CoordinationClaims.Word(principal.Role),
                    territories = principal.Territories,
                    name = principal.Name,
                },
                cancellationToken
            );
            done.Add($"agency:{principal.Agency}");
        }

        var jurisdictions = await ListedAsync(gateway, "/directory/jurisdictions", "id", cancellationToken);
        foreach (var jurisdiction in DemoJurisdictions.All.Where(j => !jurisdictions.Contains(j.Id)))
        {
            await RegisterAsync(
                gateway,
                "/directory/jurisdictions",
                new
                {
                    id = jurisdiction.Id,
                    name = jurisdiction.Name,
                    territory = jurisdiction.Territory.Value,
                    sentenceEnforcementCourt = jurisdiction.SentenceEnforcementCourt,
                    probationService = jurisdiction.ProbationService,
                },
                cancellationToken
            );
            done.Add($"jurisdiction:{jurisdiction.Id}");
        }

        var partners = await ListedAsync(gateway, "/directory/partners", "id", cancellationToken);
        foreach (var partner in DemoPartners.All.Where(p => !partners.Contains(p.Id)))
        {
            await RegisterAsync(
                gateway,
                "/directory/partners",
                new
                {
                    id = partner.Id,
                    role = ClosedList<PartnerRole>.WordOf(partner.Role),
                    name = partner.Name,
                },
                cancellationToken
            );
            done.Add($"partner:{partner.Id}");
        }

        foreach (var territory in DemoPrincipals.Territories)
        {
            using var history = await gateway.GetAsync($"/sharing-rules/{territory}/history", cancellationToken);
            await EnsureAsync(history, cancellationToken);
            if ((await history.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetArrayLength() > 0)
                continue;
            // A territory that has adopted any version keeps its own: the demo's is only a first version.
            await RegisterAsync(
                gateway,
                $"/sharing-rules/{territory}",
                new
                {
                    proposedBy = new[] { DemoSharingRules.ProposedBy },
                    rules = DemoSharingRules.Rules.Select(r => new
                    {
                        category = ClosedList<DataCategory>.WordOf(r.Category),
                        roles = r.Roles.Select(ClosedList<RecipientRole>.WordOf).ToArray(),
                        purpose = ClosedList<SharingPurpose>.WordOf(r.Purpose),
                        legalBasis = r.LegalBasis,
                    }),
                },
                cancellationToken
            );
            done.Add($"sharing-rules:{territory}");
        }

        if (supervision is not null)
        {
            // A demo partner someone retired since is not waited for: Supervision's copy drops it too.
            var active = await ListedAsync(gateway, "/directory/partners", "id", cancellationToken, activeOnly: true);
            await PartnersCopiedAsync(supervision, DemoPartners.All.Select(p => p.Id).Where(active.Contains).ToList(), cancellationToken);
        }
        return done;
    }

    /// <summary>
    /// Supervision learns its partners from the directory's <c>PartnerDirectoryChanged</c>: the demo is ready once it lists them.
    /// </summary>
    private static async Task PartnersCopiedAsync(
        HttpClient supervision,
        IReadOnlyList<string> expected,
        CancellationToken cancellationToken
    )
    {
        var deadline = DateTimeOffset.UtcNow + PartnersCopyTimeout;
        while (true)
        {
            var copied = await ListedAsync(supervision, "/supervision/partners", "id", cancellationToken);
            var missing = expected.Where(id => !copied.Contains(id)).ToList();
            if (missing.Count == 0)
                return;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException(
                    $"Supervision's partners still lack {string.Join(", ", missing)} after {PartnersCopyTimeout.TotalSeconds} s: "
                        + "is its consumer of PartnerDirectoryChanged running?"
                );
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private static async Task<HashSet<string>> ListedAsync(
        HttpClient api,
        string path,
        string key,
        CancellationToken cancellationToken,
        bool activeOnly = false
    )
    {
        using var response = await api.GetAsync(path, cancellationToken);
        await EnsureAsync(response, cancellationToken);
        var listed = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return listed
            .EnumerateArray()
            .Where(e => !activeOnly || !e.TryGetProperty("retiredAt", out var retired) || retired.ValueKind == JsonValueKind.Null)
            .Select(e => e.GetProperty(key).GetString()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static async Task RegisterAsync(HttpClient api, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await api.PostAsJsonAsync(path, body, cancellationToken);
        // Registered meanwhile (another seed at the same time): theirs stands, as the directory's conflict says.
        if (response.StatusCode == HttpStatusCode.Conflict)
            return;
        await EnsureAsync(response, cancellationToken);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new HttpRequestException(
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {body}",
            null,
            response.StatusCode
        );
    }
}
