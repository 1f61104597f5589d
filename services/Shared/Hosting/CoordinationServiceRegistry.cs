using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Hosting;

/// <summary>
/// What each <c>AddXxxService()</c> contributes to a host, collected so that a host running one
/// service and the all-in-one host running every service configure one bus and one app the same way.
/// </summary>
public sealed class CoordinationServiceRegistry(string hostName)
{
    public string HostName { get; } = hostName;
    public List<Action<IBusRegistrationConfigurator>> Consumers { get; } = [];
    public List<Action<IEndpointRouteBuilder>> Endpoints { get; } = [];

    /// <summary>Registrations that must follow the bus's hosted service (the outbox relays).</summary>
    public List<Action<IServiceCollection>> AfterMessaging { get; } = [];
    public List<string> Services { get; } = [];
}

public static class RegistryExtensions
{
    private const string Key = nameof(CoordinationServiceRegistry);

    public static CoordinationServiceRegistry Registry(this IHostApplicationBuilder builder) =>
        builder.Properties.TryGetValue(Key, out var registry)
            ? (CoordinationServiceRegistry)registry
            : throw new InvalidOperationException("Call AddServiceDefaults() before adding a service.");

    internal static void SetRegistry(this IHostApplicationBuilder builder, CoordinationServiceRegistry registry) =>
        builder.Properties[Key] = registry;
}
