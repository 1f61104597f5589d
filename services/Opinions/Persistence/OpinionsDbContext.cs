using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;

namespace Coordination.Opinions.Persistence;

public abstract class OpinionsDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<Art41Review> Reviews => Set<Art41Review>();
    public DbSet<OpinionDeadline> Deadlines => Set<OpinionDeadline>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Art41Review>(e =>
        {
            e.ToTable("Art41Reviews");
            e.HasKey(r => r.Id);
            // Chosen by the caller (the prosecutor's message id through the gateway).
            e.Property(r => r.Id).ValueGeneratedNever();
            e.Property(r => r.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(r => r.Measure).HasConversion<string>().HasMaxLength(60);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(30);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.Property(r => r.TransmissionRefusal).HasMaxLength(60);
            e.HasIndex(r => r.ReleaseId);
            e.Property(r => r.Verdict).HasConversion<string>().HasMaxLength(40);
            e.Property(r => r.OpenedBy).HasMaxLength(Art41Review.OpenedByMaxLength);
            e.Property(r => r.Text).HasMaxLength(Art41Review.TextMaxLength);
            e.Property(r => r.TraceParent).HasMaxLength(128);
            e.Property(r => r.Recommendations)
                .HasConversion(
                    list => string.Join(',', list.Select(r => r.ToString())),
                    text => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<OpinionRecommendation>).ToList(),
                    new ValueComparer<List<OpinionRecommendation>>(
                        (a, b) => a!.SequenceEqual(b!),
                        l => l.Aggregate(0, (h, r) => HashCode.Combine(h, r)),
                        l => l.ToList()
                    )
                )
                .HasMaxLength(500);
            e.Ignore(r => r.CompletionRatePercent);
            e.Ignore(r => r.IsFinal);
            e.Ignore(r => r.DueAt);
            e.HasIndex(r => new
            {
                r.Territory,
                r.Measure,
                r.PeriodStart,
                r.PeriodEnd,
            });
            e.OwnsMany(
                r => r.Contributions,
                c =>
                {
                    c.ToTable("ReviewContributions");
                    c.WithOwner().HasForeignKey("ReviewId");
                    c.HasKey(x => x.Id);
                    // Ids are chosen here, so a contribution found on the review is new, not an update.
                    c.Property(x => x.Id).ValueGeneratedNever();
                    c.Property(x => x.Partner).HasConversion(p => p.Value, s => PartnerId.Parse(s)).HasMaxLength(100);
                    c.Property(x => x.Text).HasMaxLength(Art41Review.ContributionMaxLength);
                }
            );
        });
        modelBuilder.Entity<OpinionDeadline>(e =>
        {
            e.ToTable("OpinionDeadlines");
            e.HasKey(d => d.Id);
            e.Property(d => d.Outcome).HasConversion<string>().HasMaxLength(30);
            // Two passes (two instances, or a pass and a restart) may load the same row: the second commit finds it fired and raises
            // nothing.
            e.Property(d => d.FiredAt).IsConcurrencyToken();
            e.HasIndex(d => d.ReviewId).IsUnique();
            e.HasIndex(d => new { d.FiredAt, d.FiresAt });
        });
    }
}

public sealed class SqliteOpinionsDbContext(DbContextOptions<SqliteOpinionsDbContext> options) : OpinionsDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseSqliteConventions();
}

public sealed class SqlServerOpinionsDbContext(DbContextOptions<SqlServerOpinionsDbContext> options) : OpinionsDbContext(options);

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqliteOpinionsDesignFactory : IDesignTimeDbContextFactory<SqliteOpinionsDbContext>
{
    public SqliteOpinionsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOpinionsDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqlServerOpinionsDesignFactory : IDesignTimeDbContextFactory<SqlServerOpinionsDbContext>
{
    public SqlServerOpinionsDbContext CreateDbContext(string[] args) =>
        new(
            new DbContextOptionsBuilder<SqlServerOpinionsDbContext>()
                .UseSqlServer("Server=design;Database=Opinions;Integrated Security=true")
                .Options
        );
}
