using Coordination.Briefings.Domain;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;

namespace Coordination.Briefings.Persistence;

public abstract class BriefingsDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<PenalPolicyBriefing> Briefings => Set<PenalPolicyBriefing>();
    public DbSet<BriefingDeadline> Deadlines => Set<BriefingDeadline>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<PenalPolicyBriefing>(e =>
        {
            e.ToTable("PenalPolicyBriefings");
            e.HasKey(b => b.Id);
            e.Property(b => b.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(b => b.PrioritySecurityZone).HasMaxLength(PenalPolicyBriefing.PrioritySecurityZoneMaxLength);
            e.Property(b => b.ProsecutorOffice).HasMaxLength(PenalPolicyBriefing.ProsecutorOfficeMaxLength);
            e.Property(b => b.Summary).HasMaxLength(PenalPolicyBriefing.SummaryMaxLength);
            e.Property(b => b.PriorityThemes)
                .HasConversion(
                    themes => string.Join(',', themes.Select(t => t.ToString())),
                    text => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<PenalPolicyTheme>).ToList(),
                    new ValueComparer<List<PenalPolicyTheme>>(
                        (a, b) => a!.SequenceEqual(b!),
                        l => l.Aggregate(0, (h, t) => HashCode.Combine(h, t)),
                        l => l.ToList()
                    )
                )
                .HasMaxLength(500);
            e.HasIndex(b => new { b.Territory, b.Year });
        });
        modelBuilder.Entity<BriefingDeadline>(e =>
        {
            e.ToTable("BriefingDeadlines");
            e.HasKey(d => d.Id);
            e.Property(d => d.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.HasIndex(d => new
                {
                    d.Kind,
                    d.Territory,
                    d.Year,
                })
                .IsUnique();
            e.HasIndex(d => new { d.FiredAt, d.FiresAt });
        });
    }
}

public sealed class SqliteBriefingsDbContext(DbContextOptions<SqliteBriefingsDbContext> options) : BriefingsDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseSqliteConventions();
}

public sealed class SqlServerBriefingsDbContext(DbContextOptions<SqlServerBriefingsDbContext> options) : BriefingsDbContext(options);

/// <summary>Used by <c>dotnet ef</c> only, to generate the SQLite migrations.</summary>
public sealed class SqliteBriefingsDesignFactory : IDesignTimeDbContextFactory<SqliteBriefingsDbContext>
{
    public SqliteBriefingsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteBriefingsDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Used by <c>dotnet ef</c> only, to generate the SQL Server migrations.</summary>
public sealed class SqlServerBriefingsDesignFactory : IDesignTimeDbContextFactory<SqlServerBriefingsDbContext>
{
    public SqlServerBriefingsDbContext CreateDbContext(string[] args) =>
        new(
            new DbContextOptionsBuilder<SqlServerBriefingsDbContext>()
                .UseSqlServer("Server=design;Database=Briefings;Integrated Security=true")
                .Options
        );
}
