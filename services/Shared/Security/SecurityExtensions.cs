using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Microsoft.OpenApi;

namespace Coordination.ServiceDefaults.Security;

public static class SecurityExtensions
{
    /// <summary>Bearer tokens (JWT, ES256) checked against the configured issuer, audience and keys; the platform's policies.</summary>
    public static WebApplicationBuilder AddCoordinationSecurity(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        var keys = SigningKeys.ValidationKeys(builder.Configuration, options, builder.Environment);
        if (keys.Count == 0)
            builder.Services.AddHostedService<NoSigningKeysWarning>();

        builder
            .Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    IssuerSigningKeys = keys,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = CoordinationClaims.Subject,
                    RoleClaimType = CoordinationClaims.Role,
                };
            });
        builder.Services.AddAuthorization(CoordinationPolicies.Add);

        builder.Services.AddOpenApi(openApi =>
            openApi.AddDocumentTransformer(
                (document, _, _) =>
                {
                    document.Components ??= new OpenApiComponents();
                    document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                    document.Components.SecuritySchemes[JwtBearerDefaults.AuthenticationScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "A token from the territory's identity provider (in development: dev-token <principal>).",
                    };
                    document.Security ??= [];
                    document.Security.Add(
                        new OpenApiSecurityRequirement
                        {
                            [new OpenApiSecuritySchemeReference(JwtBearerDefaults.AuthenticationScheme, document)] = [],
                        }
                    );
                    return Task.CompletedTask;
                }
            )
        );
        return builder;
    }
}

/// <summary>Says at start why every request with a token will be answered 401, rather than leaving it to be guessed.</summary>
internal sealed class NoSigningKeysWarning(ILogger<NoSigningKeysWarning> logger, IHostEnvironment environment) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "No Authentication:SigningKeyFiles configured in the {Environment} environment: every token is refused. "
                + "Outside Development the development signing key is never trusted.",
            environment.EnvironmentName
        );
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
