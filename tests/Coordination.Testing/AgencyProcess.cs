using System.Diagnostics;

namespace Coordination.Testing;

/// <summary>
/// Runs the agency publisher (tests/AgencyPublisher) as its own operating-system process, as an agency system
/// would be: plain AMQP and the documented wire format. The benchmarks run its load mode the same way.
/// </summary>
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
        PublishAsync(url, AgencyClient.IngressExchange, type, messageId, envelope, raw: true, routingKey: type, userId: account);

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
        var arguments = new List<string>
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
        };
        if (raw)
            arguments.Add("--raw");
        if (routingKey is not null)
            arguments.AddRange(["--routing-key", routingKey]);
        if (userId is not null)
            arguments.AddRange(["--user-id", userId]);
        await RunAsync(arguments, body, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Runs the publisher with <paramref name="arguments"/> and <paramref name="input"/> on its standard input;
    /// returns its standard output. Fails with its output when it exits with an error, kills it past the timeout.
    /// </summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, string? input, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PublisherPath.Value);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            throw new TimeoutException($"the agency publisher did not finish within {timeout}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"agency publisher failed ({process.ExitCode}): {await output}{await error}");
        return await output;
    }
}
