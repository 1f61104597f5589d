using System.Globalization;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Security;
using Coordination.WebConsole.Api;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Coordination.WebConsole;

public static class ConsoleService
{
    public const string Name = "console";
    public const string AssetsPath = "/console/assets";

    /// <summary>
    /// The web console (a backend-for-frontend): server-rendered pages that call the services' APIs
    /// with the signed-in user's token. It holds no data and no sealing key; its cookie holds the token.
    /// </summary>
    public static WebApplicationBuilder AddConsoleService(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section);
        var options = builder.Configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();

        if (!string.IsNullOrWhiteSpace(options.KeyRingDirectory))
        {
            builder
                .Services.AddDataProtection()
                .SetApplicationName("coordination-console")
                .PersistKeysToFileSystem(new DirectoryInfo(options.KeyRingDirectory));
        }
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHttpClient(CoordinationApi.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddScoped<CoordinationApi>();
        builder.Services.AddSingleton<Texts>();
        builder.Services.AddSingleton<DevelopmentSignIn>();

        var authentication = builder
            .Services.AddAuthentication()
            .AddCookie(
                ConsoleAuthentication.CookieScheme,
                cookie =>
                {
                    cookie.Cookie.Name = ConsoleAuthentication.CookieName;
                    cookie.Cookie.HttpOnly = true;
                    // Lax, not Strict: the identity provider's redirect back is a cross-site navigation. Forms carry anti-forgery tokens.
                    cookie.Cookie.SameSite = SameSiteMode.Lax;
                    cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                    cookie.Cookie.Path = "/";
                    cookie.LoginPath = "/console/connexion";
                    cookie.LogoutPath = "/console/deconnexion";
                    cookie.AccessDeniedPath = "/console/connexion";
                    cookie.ExpireTimeSpan = options.SessionLifetime;
                    cookie.SlidingExpiration = false;
                }
            );
        if (options.Oidc.IsConfigured)
        {
            authentication.AddOpenIdConnect(
                ConsoleAuthentication.OidcScheme,
                oidc =>
                {
                    oidc.SignInScheme = ConsoleAuthentication.CookieScheme;
                    oidc.Authority = options.Oidc.Authority;
                    oidc.ClientId = options.Oidc.ClientId;
                    oidc.ClientSecret = options.Oidc.ClientSecret;
                    oidc.ResponseType = OpenIdConnectResponseType.Code;
                    oidc.UsePkce = true;
                    oidc.SaveTokens = true;
                    oidc.MapInboundClaims = false;
                    oidc.CallbackPath = "/console/oidc-callback";
                    oidc.SignedOutCallbackPath = "/console/oidc-signed-out";
                    oidc.Scope.Clear();
                    oidc.Scope.Add("openid");
                    oidc.Scope.Add("profile");
                    foreach (var scope in options.Oidc.Scopes)
                        oidc.Scope.Add(scope);
                    oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
                    oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
                    oidc.Events.OnTokenValidated = context =>
                    {
                        // The console shows what the APIs will see: the access token's coordination claims.
                        var accessToken = context.TokenEndpointResponse?.AccessToken;
                        if (string.IsNullOrEmpty(accessToken))
                        {
                            context.Fail("The identity provider returned no access token for the Coordination APIs.");
                            return Task.CompletedTask;
                        }
                        context.Principal = new System.Security.Claims.ClaimsPrincipal(
                            ConsoleAuthentication.IdentityFromAccessToken(accessToken)
                        );
                        return Task.CompletedTask;
                    };
                }
            );
        }
        builder.Services.AddAuthorization(o =>
            o.AddPolicy(
                ConsoleAuthentication.Policy,
                p => p.AddAuthenticationSchemes(ConsoleAuthentication.CookieScheme).RequireAuthenticatedUser()
            )
        );

        builder.Services.AddAntiforgery(a =>
        {
            a.Cookie.Name = "coordination-console-antiforgery";
            a.Cookie.SameSite = SameSiteMode.Strict;
            // Antiforgery refuses a Secure-only cookie on a plain-HTTP request (it throws); the Development demo is
            // served on http://localhost. Everywhere else the console is served over HTTPS, and its cookies are Secure only.
            a.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            a.FormFieldName = "__jeton";
        });

        // The confirmation shown after a redirect travels in a cookie of its own: as strict as the others.
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(t =>
        {
            t.Cookie.Name = "coordination-console-message";
            t.Cookie.HttpOnly = true;
            t.Cookie.SameSite = SameSiteMode.Strict;
            t.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });

        builder
            .Services.AddRazorPages(pages =>
            {
                pages.RootDirectory = "/Pages";
                pages.Conventions.AuthorizeFolder("/", ConsoleAuthentication.Policy);
                pages.Conventions.AllowAnonymousToPage("/Console/Connexion");
                pages.Conventions.AllowAnonymousToPage("/Console/ConnexionDemo");
                pages.Conventions.ConfigureFilter(new ConsoleResponseFilter(options));
            })
            .AddApplicationPart(typeof(ConsoleService).Assembly);

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Endpoints.Add(app =>
        {
            app.MapRazorPages();
            app.MapGet(AssetsPath + "/{name}", (string name) => Asset(name)).AllowAnonymous().ExcludeFromDescription();
        });
        return builder;
    }

    /// <summary>The console's own style sheet, embedded in its assembly: nothing is fetched from elsewhere.</summary>
    private static IResult Asset(string name)
    {
        var contentType = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        var stream = contentType is null ? null : typeof(ConsoleService).Assembly.GetManifestResourceStream("console-assets/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }
}

/// <summary>
/// On every console page: French culture, and the headers that keep the page to itself (a
/// Content-Security-Policy with no inline script or style, no framing, no sniffing, no referrer).
/// </summary>
internal sealed class ConsoleResponseFilter(ConsoleOptions options) : IAsyncPageFilter
{
    private readonly string _policy = string.Join(
        "; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'"
            + (
                options.Oidc.IsConfigured && Uri.TryCreate(options.Oidc.Authority, UriKind.Absolute, out var idp)
                    ? " " + idp.GetLeftPart(UriPartial.Authority)
                    : ""
            )
    );

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        CultureInfo.CurrentCulture = Texts.French;
        CultureInfo.CurrentUICulture = Texts.French;
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = _policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        await next();
    }
}
