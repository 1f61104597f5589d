using Coordination.Briefings.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coordination.UnitTests.Support;

/// <summary>No SQL Server runs here: its migrations are checked by building the model and scripting them.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_sql_server_migrations_script_every_table_and_match_the_model()
    {
        using var db = new SqlServerBriefingsDesignFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQL Server model has changes without a migration");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        foreach (var table in new[] { "PenalPolicyBriefings", "BriefingDeadlines", "OutboxMessages", "InboxEntries", "AccessLog" })
            Assert.Contains($"CREATE TABLE [{table}]", script);
        Assert.Contains("datetimeoffset", script);
    }

    [Fact]
    public void The_gateway_sql_server_migrations_script_its_tables_and_match_the_model()
    {
        using var db = new Coordination.Gateway.Persistence.SqlServerGatewayDesignFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQL Server model has changes without a migration");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        foreach (
            var table in new[]
            {
                "SharingRulesVersions",
                "AuditLog",
                "OutboxMessages",
                "InboxEntries",
                "AccessLog",
                "IdentityVault",
                "PartnerAssignments",
            }
        )
            Assert.Contains($"CREATE TABLE [{table}]", script);
        using var sqlite = new Coordination.Gateway.Persistence.SqliteGatewayDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "the SQLite model has changes without a migration");
    }

    [Fact]
    public void The_supervision_migrations_script_and_match_the_model()
    {
        using var db = new Coordination.Supervision.Persistence.SqlServerSupervisionDesignFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQL Server model has changes without a migration");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        foreach (var table in new[] { "SupervisionCases", "Partners", "CaseAssignments", "Controls", "Incidents", "ConductReports" })
            Assert.Contains($"CREATE TABLE [{table}]", script);
        using var sqlite = new Coordination.Supervision.Persistence.SqliteSupervisionDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "the SQLite model has changes without a migration");
    }

    [Fact]
    public void The_court_reporting_migrations_script_and_match_the_model()
    {
        using var db = new Coordination.CourtReporting.Persistence.SqlServerCourtReportingDesignFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQL Server model has changes without a migration");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        foreach (
            var table in new[]
            {
                "CasePictures",
                "ReportableFacts",
                "CourtReports",
                "ReportingDeadlines",
                "OutboxMessages",
                "InboxEntries",
                "AccessLog",
            }
        )
            Assert.Contains($"CREATE TABLE [{table}]", script);
        Assert.Contains("CREATE UNIQUE INDEX [IX_CourtReports_Jurisdiction_Number]", script);
        using var sqlite = new Coordination.CourtReporting.Persistence.SqliteCourtReportingDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "the SQLite model has changes without a migration");
    }

    [Fact]
    public void The_opinions_migrations_script_its_tables_and_match_the_model()
    {
        using var db = new Coordination.Opinions.Persistence.SqlServerOpinionsDesignFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQL Server model has changes without a migration");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        foreach (
            var table in new[] { "Art41Reviews", "ReviewContributions", "OpinionDeadlines", "OutboxMessages", "InboxEntries", "AccessLog" }
        )
            Assert.Contains($"CREATE TABLE [{table}]", script);
        using var sqlite = new Coordination.Opinions.Persistence.SqliteOpinionsDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "the SQLite model has changes without a migration");
    }

    [Fact]
    public void The_sqlite_migrations_match_the_model()
    {
        using var db = new SqliteBriefingsDesignFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQLite model has changes without a migration");
        Assert.Contains("CREATE TABLE \"OutboxMessages\"", db.GetService<IMigrator>().GenerateScript());
    }
}
