using System.Security.Claims;
using System.Text.Json;
using Coordination.Gateway.Application;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Api;

public static class EgressApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // An agency reads its own mailbox, nobody else's: the agency comes from its token.
        app.MapGet(
                "/egress/inbox",
                async (
                    DateTimeOffset? since,
                    ClaimsPrincipal user,
                    MailboxQueries mailbox,
                    AgencyDirectory directory,
                    CancellationToken ct
                ) =>
                {
                    var agency = user.FindFirst(CoordinationClaims.Agency)!.Value;
                    // A retired agency's token may still be valid for a while: its account reads nothing more.
                    if (await directory.FindAsync(agency, ct) is null)
                        return Problems.Forbidden();
                    var from = since ?? DateTimeOffset.MinValue;
                    var deliveries = await mailbox.InboxAsync(agency, from, ct);
                    return Results.Ok(
                        deliveries.Select(d => new
                        {
                            d.Id,
                            d.Type,
                            d.CreatedAt,
                            body = JsonDocument.Parse(d.Body).RootElement,
                        })
                    );
                }
            )
            .WithTags("Egress")
            .RequireAuthorization(CoordinationPolicies.AgencySystem);
    }
}
