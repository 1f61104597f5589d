using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Testing;
using Microsoft.Data.Sqlite;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// Scale-out: a second process of Briefings and of Supervision joins the first as a competing
/// consumer of the same queues, on the same database. Each message is applied once (some are sent
/// twice, adjacent, as an at-least-once sender or two relays may, so that the two instances race on
/// them), and the throughput of one and of two instances is printed. The processes work in a vhost
/// of their own. COORDINATION_SCALE_OUT_MESSAGES sets the count per service and phase (500).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ScaleOutTests(RabbitMqBroker broker, ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Two_instances_each_of_briefings_and_supervision_on_one_queue_and_one_database_apply_each_message_once()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("COORDINATION_SCALE_OUT_MESSAGES"), out var configured)
            ? configured
            : 500;
        var clock = Stopwatch.StartNew();
        await using var isolation = await broker.IsolateAsync("scale-out");
        var root = ServiceHost.NewFolder();
        var briefingsFolder = Path.Combine(root, "briefings");
        var supervisionFolder = Path.Combine(root, "supervision");
        string[] settings = [$"--Messaging:QueuePrefix={isolation.QueuePrefix}"];
        var processes = new List<ServiceProcess>();
        ServiceProcess Start(string service, string folder)
        {
            var process = ServiceProcess.Start(service, folder, isolation.AmqpUrl, null, settings);
            processes.Add(process);
            return process;
        }
        try
        {
            // The first of each makes the database (migrations) and Supervision's key; the second finds them.
            var first = new[] { Start("Briefings", briefingsFolder), Start("Supervision", supervisionFolder) };
            foreach (var process in first)
                await process.WaitReadyAsync(TimeSpan.FromSeconds(90));
            var supervisionKey = new SealingKeyStore(
                Path.Combine(supervisionFolder, "sealing-keys"),
                null,
                createMissingKeys: false,
                owners: []
            ).CurrentKeyOf(Coordination.Supervision.Consumers.DesignatePersonConsumer.KeyOwner);

            await using var connection = await broker.Connect(isolation.AmqpUrl);
            var figures = new List<string>();
            var sentTwice = 0;
            foreach (var instances in new[] { 1, 2 })
            {
                if (instances == 2)
                {
                    var second = new[] { Start("Briefings", briefingsFolder), Start("Supervision", supervisionFolder) };
                    foreach (var process in second)
                        await process.WaitReadyAsync(TimeSpan.FromSeconds(90));
                }
                foreach (var service in new[] { "briefings", "supervision" })
                {
                    var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
                    var bodies = ids.Select(id => service == "briefings" ? Briefing(id) : Designation(id, supervisionKey)).ToArray();
                    var before = service == "briefings" ? Briefings(briefingsFolder) : Cases(supervisionFolder);
                    var started = Stopwatch.StartNew();
                    // Every tenth message twice, back to back: the two instances race on its copies.
                    sentTwice += await PublishAsync(connection, service, ids, bodies, copiesEvery: 10);
                    await Poller.UntilAsync(
                        () =>
                            (service == "briefings" ? Briefings(briefingsFolder) : Cases(supervisionFolder)).Distinct
                            >= before.Distinct + count,
                        $"{count} {service} messages applied with {instances} instance(s)",
                        TimeSpan.FromSeconds(Math.Max(120, count / 5.0))
                    );
                    var elapsed = started.Elapsed;
                    figures.Add($"| {service} | {instances} | {count} | {elapsed.TotalSeconds:F1} | {count / elapsed.TotalSeconds:F0} |");
                }
            }

            // A late copy would land after the counts were reached: let the queues drain, then count.
            await Poller.UntilAsync(
                async () =>
                    await DepthAsync(connection, isolation.QueuePrefix + "briefings-record-penal-policy-briefing") == 0
                    && await DepthAsync(connection, isolation.QueuePrefix + "supervision-designate-person") == 0,
                "both queues drained"
            );
            await Task.Delay(TimeSpan.FromSeconds(2));
            var briefings = Briefings(briefingsFolder);
            var cases = Cases(supervisionFolder);
            var briefingFaults = await DepthAsync(connection, isolation.QueuePrefix + "briefings-record-penal-policy-briefing_error");
            var designationFaults = await DepthAsync(connection, isolation.QueuePrefix + "supervision-designate-person_error");

            output.WriteLine("| service | instances | messages | seconds | applied msg/s |");
            output.WriteLine("|---|---|---|---|---|");
            foreach (var line in figures)
                output.WriteLine(line);
            output.WriteLine(
                $"briefings: {briefings.Rows} rows for {briefings.Distinct} messages; "
                    + $"supervision: {cases.Rows} cases for {cases.Distinct} persons; "
                    + $"{sentTwice} messages sent twice; in the error queues: {briefingFaults} briefings, {designationFaults} designations"
            );
            output.WriteLine($"duration: {clock.Elapsed.TotalSeconds:F1} s");

            Assert.Equal(2 * count, briefings.Distinct);
            Assert.Equal(briefings.Distinct, briefings.Rows);
            Assert.Equal(2 * count, cases.Distinct);
            Assert.Equal(cases.Distinct, cases.Rows);
            // A copy of a message already applied is dropped by the inbox, never refused as a conflict with itself.
            Assert.Equal(0, briefingFaults);
            Assert.Equal(0, designationFaults);
        }
        finally
        {
            foreach (var process in processes)
                process.Dispose();
            SqliteConnection.ClearAllPools();
            ServiceHost.DeleteFolder(root);
        }
    }

    private static (string Exchange, string Urn) Route<T>() =>
        ($"{typeof(T).Namespace}:{typeof(T).Name}", $"urn:message:{typeof(T).Namespace}:{typeof(T).Name}");

    private static JsonNode Briefing(Guid id) =>
        new JsonObject
        {
            ["territory"] = "93",
            ["briefedOn"] = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)).ToString("yyyy-MM-dd"),
            ["prosecutorOffice"] = "Parquet de Bobigny",
            ["priorityThemes"] = new JsonArray("road-safety"),
            ["summary"] = $"scale-out {id:N}",
        };

    /// <summary>
    /// As the gateway forwards a designation: a new PersonRef, the grounds sealed for Supervision alone under this message id.
    /// </summary>
    private static JsonNode Designation(Guid id, RecipientKey supervision) =>
        JsonSerializer.SerializeToNode(
            new DesignatePerson
            {
                Person = PersonRef.New(TerritoryCode.Parse("93")),
                Territory = TerritoryCode.Parse("93"),
                SentenceEnforcementJurisdiction = "tj-bobigny",
                ReleaseDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-10)),
                MeasureEndsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddYears(1)),
                Grounds = PayloadSealer.SealJson(
                    new List<DesignationGround> { DesignationGround.Personality },
                    supervision,
                    Coordination.Supervision.Consumers.DesignatePersonConsumer.Purpose,
                    id
                ),
            },
            Json
        )!;

    /// <summary>MassTransit envelopes on the message type's exchange, as a relay publishes them; returns how many went twice.</summary>
    private static async Task<int> PublishAsync(IConnection connection, string service, Guid[] ids, JsonNode[] bodies, int copiesEvery)
    {
        var (exchange, urn) = service == "briefings" ? Route<RecordPenalPolicyBriefing>() : Route<DesignatePerson>();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
        );
        var twice = 0;
        var pending = new List<Task>();
        for (var i = 0; i < ids.Length; i++)
        {
            var envelope = new JsonObject
            {
                ["messageId"] = ids[i].ToString(),
                ["messageType"] = new JsonArray(urn),
                ["message"] = bodies[i].DeepClone(),
            };
            var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
            var properties = new BasicProperties
            {
                DeliveryMode = DeliveryModes.Persistent,
                ContentType = "application/vnd.masstransit+json",
                MessageId = ids[i].ToString(),
            };
            var copies = i % copiesEvery == 0 ? 2 : 1;
            if (copies == 2)
                twice++;
            for (var c = 0; c < copies; c++)
                pending.Add(channel.BasicPublishAsync(exchange, "", false, properties, body).AsTask());
            if (pending.Count >= 64)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
        return twice;
    }

    private static (int Rows, int Distinct) Briefings(string folder) =>
        Count(
            Path.Combine(folder, "briefings.db"),
            "SELECT COUNT(*), COUNT(DISTINCT Summary) FROM PenalPolicyBriefings WHERE Summary LIKE 'scale-out %'"
        );

    private static (int Rows, int Distinct) Cases(string folder) =>
        Count(Path.Combine(folder, "supervision.db"), "SELECT COUNT(*), COUNT(DISTINCT Person) FROM SupervisionCases");

    private static (int Rows, int Distinct) Count(string file, string sql)
    {
        if (!File.Exists(file))
            return (0, 0);
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    private static async Task<long> DepthAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return 0;
        }
    }
}
