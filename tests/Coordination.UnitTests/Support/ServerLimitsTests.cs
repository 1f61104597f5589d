using System.Text.RegularExpressions;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Coordination.UnitTests.Support;

/// <summary>SQLite stores whatever it is given; these show the test databases refuse what SQL Server would.</summary>
public sealed partial class ServerLimitsTests : IDisposable
{
    private const string Canary = "CANARY-";
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"coordination-limits-{Guid.NewGuid():N}.db");

    public sealed class Probe
    {
        public int Id { get; set; }
        public string Name { get; set; } = "";
        public string? Note { get; set; }
        public byte[]? Digest { get; set; }
        public decimal Amount { get; set; }
        public decimal? Rate { get; set; }
    }

    private sealed class ProbeContext(DbContextOptions options) : ServiceDbContext(options)
    {
        public DbSet<Probe> Probes => Set<Probe>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            base.OnModelCreating(modelBuilder);
            modelBuilder.Entity<Probe>(e =>
            {
                e.ToTable("Probes");
                e.Property(p => p.Name).HasMaxLength(20);
                e.Property(p => p.Note).HasMaxLength(10);
                e.Property(p => p.Digest).HasMaxLength(4);
                e.Property(p => p.Amount).HasPrecision(6, 2);
            });
        }
    }

    private ProbeContext Open()
    {
        var db = new ProbeContext(new DbContextOptionsBuilder<ProbeContext>().UseSqlite($"Data Source={_file}").Options);
        db.Database.EnsureCreated();
        return db;
    }

    private static Probe Valid() => new() { Name = "name", Amount = 1.5m };

    private async Task<ServerLimitException> RefusedAsync(Probe probe)
    {
        await using var db = Open();
        db.Probes.Add(probe);
        var refused = await Assert.ThrowsAsync<ServerLimitException>(() => db.SaveChangesAsync());
        Assert.DoesNotContain(Canary, refused.Message);
        await using var fresh = Open();
        Assert.Empty(fresh.Probes);
        return refused;
    }

    [Fact]
    public async Task A_string_past_its_max_length_is_refused_naming_the_property_and_the_limit_but_not_the_value()
    {
        var refused = await RefusedAsync(With(Valid(), p => p.Name = Canary + new string('x', 20)));
        Assert.Equal("Probe.Name does not fit its column Probes.Name: at most 20 characters. Nothing was saved.", refused.Message);
    }

    [Fact]
    public async Task A_nullable_string_too_long_and_a_byte_array_too_long_are_refused()
    {
        Assert.Equal("Note", (await RefusedAsync(With(Valid(), p => p.Note = Canary + "12345"))).Property);
        Assert.Equal("at most 4 bytes", (await RefusedAsync(With(Valid(), p => p.Digest = new byte[5]))).Limit);
    }

    [Fact]
    public async Task A_missing_required_value_is_refused()
    {
        var refused = await RefusedAsync(With(Valid(), p => p.Name = null!));
        Assert.Equal("a value is required (NOT NULL)", refused.Limit);
    }

    [Theory]
    [InlineData("12345.6")] // decimal(6,2) keeps 4 digits before the point: SQL Server overflows
    [InlineData("1.234")] // and 2 after: SQL Server would round the third away
    [InlineData("-12345")]
    public async Task A_decimal_past_its_precision_or_scale_is_refused(string amount)
    {
        var refused = await RefusedAsync(
            With(Valid(), p => p.Amount = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture))
        );
        Assert.Equal("Amount", refused.Property);
        Assert.Contains("decimal(6,2)", refused.Limit);
    }

    [Fact]
    public async Task A_decimal_without_configured_precision_holds_to_sql_servers_default_18_2()
    {
        var refused = await RefusedAsync(With(Valid(), p => p.Rate = 0.125m));
        Assert.Contains("decimal(18,2)", refused.Limit);
    }

    [Fact]
    public async Task Values_at_their_limits_are_saved_and_a_modification_past_a_limit_is_refused()
    {
        await using (var db = Open())
        {
            db.Probes.Add(
                new Probe
                {
                    Name = new string('n', 20),
                    Note = new string('o', 10),
                    Digest = new byte[4],
                    Amount = -9999.99m,
                    Rate = 9999999999999999.99m,
                }
            );
            db.Probes.Add(new Probe { Name = "", Amount = 1.50000m }); // trailing zeros are not lost digits
            await db.SaveChangesAsync();
        }
        await using (var db = Open())
        {
            Assert.Equal(2, await db.Probes.CountAsync());
            var probe = await db.Probes.FirstAsync();
            probe.Note = Canary + "past";
            var refused = await Assert.ThrowsAsync<ServerLimitException>(() => db.SaveChangesAsync());
            Assert.DoesNotContain(Canary, refused.Message);
        }
    }

    [Fact]
    public async Task A_service_context_as_the_hosts_and_tests_build_it_refuses_too()
    {
        var file = Path.Combine(Path.GetTempPath(), $"coordination-limits-gw-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new Coordination.Gateway.Persistence.SqliteGatewayDbContext(
                new DbContextOptionsBuilder<Coordination.Gateway.Persistence.SqliteGatewayDbContext>()
                    .UseSqlite($"Data Source={file}")
                    .Options
            );
            await db.Database.MigrateAsync();
            db.IngressRecords.Add(
                new Coordination.Gateway.Domain.IngressRecord
                {
                    Agency = "agency",
                    MessageId = Guid.NewGuid(),
                    Type = "type",
                    Accepted = false,
                    ReasonCode = Canary + new string('r', 60),
                    DecisionId = Guid.NewGuid(),
                    ReceivedAt = DateTimeOffset.UnixEpoch,
                }
            );
            var refused = await Assert.ThrowsAsync<ServerLimitException>(() => db.SaveChangesAsync());
            Assert.Equal("IngressRecords.ReasonCode", refused.Column);
            Assert.DoesNotContain(Canary, refused.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    public static TheoryData<string> Services() => ["Gateway", "Supervision", "CourtReporting", "Opinions", "Briefings"];

    /// <summary>
    /// The interceptor reads the limits from the model of the context in use, the SQLite one in tests:
    /// they must be SQL Server's, column for column, or a test passes what production refuses.
    /// </summary>
    [Theory]
    [MemberData(nameof(Services))]
    public void Every_limit_sql_servers_columns_enforce_is_in_the_sqlite_model_the_tests_check_against(string service)
    {
        var (sqlServer, sqlite) = Models(service);
        foreach (var entity in sqlServer.GetEntityTypes())
        {
            var twin =
                sqlite.FindEntityType(entity.Name) ?? throw new Xunit.Sdk.XunitException($"{entity.Name} is not in the SQLite model");
            foreach (var property in entity.GetProperties())
            {
                var name = $"{entity.ClrType.Name}.{property.Name}";
                var other = twin.FindProperty(property.Name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in the SQLite model");
                var storeType = property.GetRelationalTypeMapping().StoreType;
                Assert.True(property.IsNullable == other.IsNullable, $"{name}: nullability differs");
                var sized = SizedType().Match(storeType);
                if (sized.Success && sized.Groups["kind"].Value is "nvarchar" or "varchar" or "varbinary" or "nchar" or "char" or "binary")
                    Assert.True(
                        int.Parse(sized.Groups["size"].Value) == other.GetMaxLength(),
                        $"{name}: {storeType} on SQL Server, max length {other.GetMaxLength()?.ToString() ?? "none"} in the SQLite model"
                    );
                if (storeType.StartsWith("decimal", StringComparison.Ordinal))
                    Assert.Equal(storeType, $"decimal({other.GetPrecision() ?? 18},{other.GetScale() ?? 2})");
                // varchar would keep only what the column's code page can write; every text here is Unicode.
                Assert.False(
                    storeType.StartsWith("varchar", StringComparison.Ordinal) || storeType.StartsWith("char", StringComparison.Ordinal),
                    $"{name}: {storeType}"
                );
            }
        }
    }

    private static (IModel SqlServer, IModel Sqlite) Models(string service)
    {
        (DbContext, DbContext) Design() =>
            service switch
            {
                "Gateway" => (
                    new Coordination.Gateway.Persistence.SqlServerGatewayDesignFactory().CreateDbContext([]),
                    new Coordination.Gateway.Persistence.SqliteGatewayDesignFactory().CreateDbContext([])
                ),
                "Supervision" => (
                    new Coordination.Supervision.Persistence.SqlServerSupervisionDesignFactory().CreateDbContext([]),
                    new Coordination.Supervision.Persistence.SqliteSupervisionDesignFactory().CreateDbContext([])
                ),
                "CourtReporting" => (
                    new Coordination.CourtReporting.Persistence.SqlServerCourtReportingDesignFactory().CreateDbContext([]),
                    new Coordination.CourtReporting.Persistence.SqliteCourtReportingDesignFactory().CreateDbContext([])
                ),
                "Opinions" => (
                    new Coordination.Opinions.Persistence.SqlServerOpinionsDesignFactory().CreateDbContext([]),
                    new Coordination.Opinions.Persistence.SqliteOpinionsDesignFactory().CreateDbContext([])
                ),
                "Briefings" => (
                    new Coordination.Briefings.Persistence.SqlServerBriefingsDesignFactory().CreateDbContext([]),
                    new Coordination.Briefings.Persistence.SqliteBriefingsDesignFactory().CreateDbContext([])
                ),
                _ => throw new ArgumentOutOfRangeException(nameof(service)),
            };
        var (server, lite) = Design();
        using var sqlServer = server;
        using var sqlite = lite;
        return (sqlServer.GetService<IDesignTimeModel>().Model, sqlite.GetService<IDesignTimeModel>().Model);
    }

    [GeneratedRegex(@"^(?<kind>\w+)\((?<size>\d+)\)$")]
    private static partial Regex SizedType();

    private static Probe With(Probe probe, Action<Probe> change)
    {
        change(probe);
        return probe;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }
}
