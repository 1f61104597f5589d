using System.Security.Claims;
using System.Text.Json;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Api;

/// <summary>
/// An agency registers the public half of its own sealing key (rule 9: the platform never makes an
/// agency's private key outside the demo), proving it holds the private half by signing a challenge
/// the gateway issued. The newest registered key seals what the agency receives from then on, and
/// whatever was held for want of a key is sealed for it and released in the same commit.
/// </summary>
public static class AgencyKeysApi
{
    public sealed record Registration(string? PublicKey, string? Challenge, string? Signature);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(
                "/agencies/{agency}/keys/challenge",
                async (
                    string agency,
                    ClaimsPrincipal user,
                    AgencyDirectory directory,
                    KeyChallenges challenges,
                    RegisterAgencyKeyHandler handler,
                    CancellationToken ct
                ) =>
                {
                    if (await RefusalAsync(agency, user, directory, ct) is { } refused)
                        return await RefuseAsync(handler, user, agency, refused, ct);
                    var (challenge, expiresAt) = challenges.Issue(agency);
                    return Results.Ok(
                        new
                        {
                            challenge,
                            expiresAt,
                            algorithm = "ECDSA P-256 SHA-256 over the UTF-8 bytes of challenge",
                        }
                    );
                }
            )
            .WithTags("Keys")
            .RequireAuthorization(CoordinationPolicies.AgencyKeyRegistrar);

        app.MapPost(
                "/agencies/{agency}/keys",
                async (
                    string agency,
                    HttpRequest request,
                    ClaimsPrincipal user,
                    AgencyDirectory directory,
                    KeyChallenges challenges,
                    RegisterAgencyKeyHandler handler,
                    CancellationToken ct
                ) =>
                {
                    if (await RefusalAsync(agency, user, directory, ct) is { } refused)
                        return await RefuseAsync(handler, user, agency, refused, ct);
                    Registration? registration;
                    try
                    {
                        registration = await request.ReadFromJsonAsync<Registration>(ct);
                    }
                    catch (JsonException)
                    {
                        registration = null;
                    }
                    if (registration?.Challenge is not { } challenge || registration.PublicKey is null || registration.Signature is null)
                        return await RefuseAsync(
                            handler,
                            user,
                            agency,
                            (
                                StatusCodes.Status400BadRequest,
                                AgencyKeyReasons.MalformedRequest,
                                "Expected publicKey, challenge and signature."
                            ),
                            ct
                        );
                    if (challenges.Check(challenge, agency) is { } challengeRefused)
                        return await RefuseAsync(
                            handler,
                            user,
                            agency,
                            (
                                StatusCodes.Status400BadRequest,
                                challengeRefused,
                                "The challenge is not one the gateway issued for this agency, or it has expired: ask for another."
                            ),
                            ct
                        );
                    if (KeyProof.PublicKeyOf(registration.PublicKey) is not { } publicKey)
                        return await RefuseAsync(
                            handler,
                            user,
                            agency,
                            (
                                StatusCodes.Status400BadRequest,
                                AgencyKeyReasons.MalformedKey,
                                "Expected an EC P-256 public key as a PEM 'PUBLIC KEY' (SubjectPublicKeyInfo)."
                            ),
                            ct
                        );
                    if (!KeyProof.Verifies(publicKey, challenge, registration.Signature))
                        return await RefuseAsync(
                            handler,
                            user,
                            agency,
                            (
                                StatusCodes.Status400BadRequest,
                                AgencyKeyReasons.InvalidProof,
                                "The signature is not the key's over this challenge."
                            ),
                            ct
                        );

                    var registered = await handler.RegisterAsync(agency, publicKey, user.SubjectOf(), ct);
                    return Results.Created(
                        $"/agencies/{agency}/keys/{registered.KeyId}",
                        new
                        {
                            agency,
                            keyId = registered.KeyId,
                            current = registered.Current,
                            released = registered.Released,
                        }
                    );
                }
            )
            .WithTags("Keys")
            .RequireAuthorization(CoordinationPolicies.AgencyKeyRegistrar);
    }

    /// <summary>
    /// Who may act for the agency: the agency id is checked before it names a key folder, the agency
    /// must be registered, and the caller must be its own system or the secretariat of its territory.
    /// </summary>
    private static async Task<(int Status, string ReasonCode, string Reason)?> RefusalAsync(
        string agency,
        ClaimsPrincipal user,
        AgencyDirectory directory,
        CancellationToken ct
    )
    {
        if (!AgencyId.TryParse(agency, out var id))
            return (StatusCodes.Status400BadRequest, AgencyKeyReasons.InvalidAgencyId, "Not an agency id.");
        if (await directory.FindAsync(agency, ct) is null)
            return (StatusCodes.Status404NotFound, AgencyKeyReasons.UnknownAgency, "No agency is registered under this id.");
        return user.KindOf() switch
        {
            PrincipalKind.AgencySystem when user.FindFirst(CoordinationClaims.Agency)?.Value == agency => null,
            PrincipalKind.Operator when user.RoleOf() == PrincipalRole.CdpdSecretariat && user.ActsFor(id.Territory) => null,
            PrincipalKind.Operator => (
                StatusCodes.Status403Forbidden,
                AgencyKeyReasons.TerritoryNotAllowed,
                "The secretariat registers keys only for the agencies of its territories."
            ),
            _ => (StatusCodes.Status403Forbidden, AgencyKeyReasons.NotYourAgency, "An agency registers only its own key."),
        };
    }

    private static async Task<IResult> RefuseAsync(
        RegisterAgencyKeyHandler handler,
        ClaimsPrincipal user,
        string agency,
        (int Status, string ReasonCode, string Reason) refused,
        CancellationToken ct
    )
    {
        await handler.RefuseAsync(agency, user.SubjectOf(), refused.ReasonCode, ct);
        return Results.Problem(
            title: refused.Reason,
            statusCode: refused.Status,
            type: Problems.TypeOf(refused.ReasonCode),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = refused.ReasonCode }
        );
    }
}
