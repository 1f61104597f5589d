using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Sealing;

public static class SealingKeysRegistration
{
    /// <summary>
    /// The host's one key store, and the owners whose private keys it holds: each service names only
    /// itself, so a host of several services (the all-in-one) is each of them and nobody else. At
    /// start the host publishes its own public keys for the others to seal for it.
    /// </summary>
    public static SealingKeyStore AddSealingKeys(this IHostApplicationBuilder builder, params string[] owners)
    {
        var store = builder
            .Services.Where(d => d.ServiceType == typeof(SealingKeyStore))
            .Select(d => d.ImplementationInstance)
            .OfType<SealingKeyStore>()
            .FirstOrDefault();
        if (store is null)
        {
            store = SealingKeyStore.From(builder.Configuration, builder.Environment, owners: []);
            builder.Services.AddSingleton(store);
            builder.Services.AddHostedService<SealingKeyPublisher>();
        }
        return store.Owning(owners);
    }
}

/// <summary>
/// Makes sure every owner this host is has a key, and its public half is where the other hosts read it, before traffic flows.
/// </summary>
public sealed class SealingKeyPublisher(SealingKeyStore keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        keys.PublishOwnKeys();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
