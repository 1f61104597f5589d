namespace Coordination.Testing;

/// <summary>Waits for a condition instead of sleeping a fixed time; fails with what it was waiting for.</summary>
public static class Poller
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<Task<bool>> condition, string waitingFor, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (await condition())
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for: {waitingFor}");
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static Task UntilAsync(Func<bool> condition, string waitingFor, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), waitingFor, timeout);
}
