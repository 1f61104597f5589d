using System.Diagnostics;
using Coordination.Testing;

namespace Coordination.IntegrationTests.Support;

/// <summary>Runs the agency publisher as its own operating-system process.</summary>
public static class AgencyProcess
{
    /// <summary>The publisher's own build output, with its own dependencies.</summary>
    private static readonly Lazy<string> PublisherPath = new(() =>
    {
        var path = Repository.BuildOutput(Path.Combine("tests", "AgencyPublisher"), "Coordination.AgencyPublisher.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException("Build the solution first: the agency publisher is missing.", path);
    });

    /// <summary>An agency system's message on the gateway's AMQP door: raw envelope, routing key = type, user_id = its account.</summary>
    public static Task PublishToIngressAsync(string url, string account, string type, Guid messageId, string envelope) =>
        PublishAsync(url, "coordination.ingress", type, messageId, envelope, raw: true, routingKey: type, userId: account);

    public static async Task PublishAsync(
        string url,
        string exchange,
        string messageType,
        Guid messageId,
        string body,
        int copies = 1,
        bool raw = false,
        string? routingKey = null,
        string? userId = null
    )
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PublisherPath.Value);
        foreach (
            var argument in new[]
            {
                "--url",
                url,
                "--exchange",
                exchange,
                "--message-type",
                messageType,
                "--message-id",
                messageId.ToString(),
                "--copies",
                copies.ToString(),
            }
        )
            start.ArgumentList.Add(argument);
        if (raw)
            start.ArgumentList.Add("--raw");
        if (routingKey is not null)
        {
            start.ArgumentList.Add("--routing-key");
            start.ArgumentList.Add(routingKey);
        }
        if (userId is not null)
        {
            start.ArgumentList.Add("--user-id");
            start.ArgumentList.Add(userId);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(body);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"agency publisher failed ({process.ExitCode}): {await output}{await error}");
    }
}
