using Coordination.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.ServiceDefaults.Outbox;

/// <summary>
/// A message type that one service's relay sends to a fixed address instead of publishing it to the
/// type's exchange: a release request goes on the requesting service's own lane, which only its
/// broker account may write (ADR 10). The address is built with the host's queue prefix.
/// </summary>
public sealed record OutboxRoute<TContext>(Type MessageType, Func<string, Uri> Address)
    where TContext : ServiceDbContext;

public static class OutboxRouteExtensions
{
    public static IServiceCollection AddOutboxRoute<TContext, TMessage>(this IServiceCollection services, Func<string, Uri> address)
        where TContext : ServiceDbContext
        where TMessage : class => services.AddSingleton(new OutboxRoute<TContext>(typeof(TMessage), address));

    internal static Dictionary<Type, Uri> Resolve<TContext>(IEnumerable<OutboxRoute<TContext>> routes, IServiceProvider services)
        where TContext : ServiceDbContext
    {
        var prefix = services.GetService<MessagingOptions>()?.QueuePrefix ?? "";
        return routes.ToDictionary(r => r.MessageType, r => r.Address(prefix));
    }
}
