using System.Text.Json;
using Coordination.Contracts.Values;
using Coordination.CourtReporting.Domain;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Coordination.CourtReporting.Persistence;

public abstract class CourtReportingDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DbSet<CasePicture> Cases => Set<CasePicture>();
    public DbSet<ReportableFact> Facts => Set<ReportableFact>();
    public DbSet<CourtReport> Reports => Set<CourtReport>();
    public DbSet<ReportingDeadline> Deadlines => Set<ReportingDeadline>();
    public DbSet<PurgedCase> PurgedCases => Set<PurgedCase>();
    public DbSet<ScheduledJurisdiction> Jurisdictions => Set<ScheduledJurisdiction>();

    /// <summary>An active jurisdiction of the directory's copy, or null: reports go to known JAP and SPIP accounts only.</summary>
    public async Task<Jurisdiction?> ActiveJurisdictionAsync(string? id, CancellationToken cancellationToken) =>
        await JurisdictionAsync(id, includeRetired: false, cancellationToken);

    /// <summary>
    /// A jurisdiction of the directory's copy; a retired one only when <paramref name="includeRetired"/> (its past reports stay readable).
    /// </summary>
    public async Task<Jurisdiction?> JurisdictionAsync(string? id, bool includeRetired, CancellationToken cancellationToken) =>
        id is null
            ? null
            : (
                await Jurisdictions
                    .AsNoTracking()
                    .SingleOrDefaultAsync(j => j.Id == id && (includeRetired || j.RetiredAt == null), cancellationToken)
            )?.ToJurisdiction();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<CasePicture>(e =>
        {
            e.ToTable("CasePictures");
            e.HasKey(c => c.CaseId);
            e.Property(c => c.CaseId).ValueGeneratedNever();
            e.Property(c => c.Person).HasConversion(p => p.Value, s => PersonRef.Parse(s)).HasMaxLength(40);
            e.Property(c => c.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(c => c.Jurisdiction).HasMaxLength(60);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.Property(c => c.Partners).HasConversion(JsonList<PartnerInPlace>()).Metadata.SetValueComparer(ListComparer<PartnerInPlace>());
            e.HasIndex(c => new { c.Jurisdiction, c.Open });
            e.HasIndex(c => c.Person);
        });
        modelBuilder.Entity<ReportableFact>(e =>
        {
            e.ToTable("ReportableFacts");
            e.HasKey(f => new { f.Id, f.Kind });
            e.Property(f => f.Jurisdiction).HasMaxLength(60);
            e.Property(f => f.Detail).HasMaxLength(60);
            // A fact is counted by one report: two reports staged at once cannot both claim it.
            e.Property(f => f.ReportId).IsConcurrencyToken();
            e.HasIndex(f => new { f.Jurisdiction, f.ReportId });
            e.HasIndex(f => f.CaseId);
        });
        modelBuilder.Entity<CourtReport>(e =>
        {
            e.ToTable("CourtReports");
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).ValueGeneratedNever();
            e.Property(r => r.Jurisdiction).HasMaxLength(60);
            // One sequence per jurisdiction: a number is never given twice.
            e.HasIndex(r => new { r.Jurisdiction, r.Number }).IsUnique();
            e.Property(r => r.Figures)
                .HasConversion(f => JsonSerializer.Serialize(f, Json), s => JsonSerializer.Deserialize<ReportFigures>(s, Json)!)
                .HasMaxLength(400);
            e.Property(r => r.Lines).HasConversion(JsonList<ReportLine>()).Metadata.SetValueComparer(ListComparer<ReportLine>());
            e.Property(r => r.CoveredFacts).HasConversion(JsonList<string>()).Metadata.SetValueComparer(ListComparer<string>());
            e.Property(r => r.Outcomes)
                .HasConversion(JsonList<RecipientOutcome>())
                .Metadata.SetValueComparer(ListComparer<RecipientOutcome>());
            e.Property(r => r.RefusalReason).HasMaxLength(60);
            e.Ignore(r => r.Status);
        });
        modelBuilder.Entity<PurgedCase>(e =>
        {
            e.ToTable("PurgedCases");
            e.HasKey(p => p.CaseId);
            e.Property(p => p.CaseId).ValueGeneratedNever();
        });
        modelBuilder.Entity<ScheduledJurisdiction>(e =>
        {
            e.ToTable("Jurisdictions");
            e.HasKey(j => j.Id);
            // The gateway's own limits for the directory (DirectoryLimits): ids, names and agency accounts.
            e.Property(j => j.Id).HasMaxLength(ScheduledJurisdiction.IdMaxLength).ValueGeneratedNever();
            e.Property(j => j.Name).HasMaxLength(200);
            e.Property(j => j.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(j => j.SentenceEnforcementCourt).HasMaxLength(4 + AgencyId.MaxSlugLength);
            e.Property(j => j.ProbationService).HasMaxLength(4 + AgencyId.MaxSlugLength);
        });
        modelBuilder.Entity<ReportingDeadline>(e =>
        {
            e.ToTable("ReportingDeadlines");
            e.HasKey(d => d.Id);
            e.Property(d => d.Jurisdiction).HasMaxLength(60);
            e.HasIndex(d => new { d.Jurisdiction, d.PeriodStart }).IsUnique();
            e.HasIndex(d => d.FiredAt);
        });
    }

    private static ValueConverter<List<T>, string> JsonList<T>() =>
        new(v => JsonSerializer.Serialize(v, Json), s => JsonSerializer.Deserialize<List<T>>(s, Json)!);

    private static ValueComparer<List<T>> ListComparer<T>() =>
        new((a, b) => a!.SequenceEqual(b!), l => l.Aggregate(0, (h, x) => HashCode.Combine(h, x)), l => l.ToList());
}

public sealed class SqliteCourtReportingDbContext(DbContextOptions<SqliteCourtReportingDbContext> options)
    : CourtReportingDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseSqliteConventions();
}

public sealed class SqlServerCourtReportingDbContext(DbContextOptions<SqlServerCourtReportingDbContext> options)
    : CourtReportingDbContext(options);

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqliteCourtReportingDesignFactory : IDesignTimeDbContextFactory<SqliteCourtReportingDbContext>
{
    public SqliteCourtReportingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCourtReportingDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqlServerCourtReportingDesignFactory : IDesignTimeDbContextFactory<SqlServerCourtReportingDbContext>
{
    public SqlServerCourtReportingDbContext CreateDbContext(string[] args) =>
        new(
            new DbContextOptionsBuilder<SqlServerCourtReportingDbContext>()
                .UseSqlServer("Server=design;Database=CourtReporting;Integrated Security=true")
                .Options
        );
}
