using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.Supervision.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;

namespace Coordination.Supervision.Persistence;

public abstract class SupervisionDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<SupervisionCase> Cases => Set<SupervisionCase>();
    public DbSet<Partner> Partners => Set<Partner>();

    /// <summary>The SQL of "the case is open", in the provider's quoting.</summary>
    protected abstract string OpenCaseFilter { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<SupervisionCase>(e =>
        {
            e.ToTable("SupervisionCases");
            e.HasKey(c => c.Id);
            e.Property(c => c.Person).HasConversion(p => p.Value, s => PersonRef.Parse(s)).HasMaxLength(40);
            e.Property(c => c.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(c => c.SentenceEnforcementJurisdiction).HasMaxLength(100);
            e.Property(c => c.Grounds)
                .HasConversion(
                    grounds => string.Join(',', grounds.Select(g => g.ToString())),
                    text => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<DesignationGround>).ToList(),
                    new ValueComparer<List<DesignationGround>>(
                        (a, b) => a!.SequenceEqual(b!),
                        l => l.Aggregate(0, (h, g) => HashCode.Combine(h, g)),
                        l => l.ToList()
                    )
                )
                .HasMaxLength(200);
            e.Ignore(c => c.CurrentAssignments);
            e.Property(c => c.DesignatedBy).HasMaxLength(100);
            e.Property(c => c.RestrictedBy).HasMaxLength(200);
            // Token subjects, which never hold a comma (they are account names).
            e.Property(c => c.RestrictedTo)
                .HasConversion(
                    names => string.Join(',', names),
                    text => text.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList(),
                    new ValueComparer<List<string>>(
                        (a, b) => a!.SequenceEqual(b!),
                        l => l.Aggregate(0, (h, n) => HashCode.Combine(h, n)),
                        l => l.ToList()
                    )
                )
                .HasMaxLength(2000);
            e.HasIndex(c => new { c.Person, c.Status });
            // One open case per person: a second designation is a conflict, not a second case, even when two arrive at once.
            e.HasIndex(c => c.Person, "IX_SupervisionCases_OpenCaseOfPerson").IsUnique().HasFilter(OpenCaseFilter);
            e.OwnsMany(
                c => c.ConductReports,
                r =>
                {
                    r.ToTable("ConductReports");
                    r.WithOwner().HasForeignKey("CaseId");
                    r.HasKey(x => x.Id);
                    // Ids are chosen here, so a report found on the case is new, not an update.
                    r.Property(x => x.Id).ValueGeneratedNever();
                }
            );
            e.OwnsMany(
                c => c.Assignments,
                a =>
                {
                    a.ToTable("CaseAssignments");
                    a.WithOwner().HasForeignKey("CaseId");
                    a.HasKey("CaseId", nameof(CaseAssignment.Partner));
                    a.Property(x => x.Partner).HasMaxLength(100);
                    a.Property(x => x.UnassignedBy).HasMaxLength(200);
                }
            );
            e.OwnsMany(
                c => c.SupportActions,
                s =>
                {
                    s.ToTable("SupportActions");
                    s.WithOwner().HasForeignKey("CaseId");
                    s.HasKey(x => x.Id);
                    s.Property(x => x.Id).ValueGeneratedNever();
                    s.Property(x => x.Partner).HasMaxLength(100);
                    // Two reports on one action at once: the second finds it changed and is retried against the new status.
                    s.Property(x => x.UpdatedAt).IsConcurrencyToken();
                }
            );
            e.OwnsMany(
                c => c.Controls,
                k =>
                {
                    k.ToTable("Controls");
                    k.WithOwner().HasForeignKey("CaseId");
                    k.HasKey(x => x.Id);
                    k.Property(x => x.Id).ValueGeneratedNever();
                    k.Property(x => x.Partner).HasMaxLength(100);
                    k.Property(x => x.RecordedBy).HasMaxLength(100);
                    // Two partners recording one control at once: the second finds it recorded, never both outcomes.
                    k.Property(x => x.Outcome).IsConcurrencyToken();
                }
            );
            e.OwnsMany(
                c => c.Incidents,
                i =>
                {
                    i.ToTable("Incidents");
                    i.WithOwner().HasForeignKey("CaseId");
                    i.HasKey(x => x.Id);
                    i.Property(x => x.Id).ValueGeneratedNever();
                    i.Property(x => x.Partner).HasMaxLength(100);
                }
            );
            e.HasIndex(c => c.PurgeDueAt);
        });
        modelBuilder.Entity<Partner>(e =>
        {
            e.ToTable("Partners");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).HasMaxLength(100);
            e.Property(p => p.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.RegisteredBy).HasMaxLength(200);
        });
    }
}

public sealed class SqliteSupervisionDbContext(DbContextOptions<SqliteSupervisionDbContext> options) : SupervisionDbContext(options)
{
    protected override string OpenCaseFilter => $"\"Status\" = {(int)CaseStatus.Open}";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseSqliteConventions();
}

public sealed class SqlServerSupervisionDbContext(DbContextOptions<SqlServerSupervisionDbContext> options) : SupervisionDbContext(options)
{
    protected override string OpenCaseFilter => $"[Status] = {(int)CaseStatus.Open}";
}

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqliteSupervisionDesignFactory : IDesignTimeDbContextFactory<SqliteSupervisionDbContext>
{
    public SqliteSupervisionDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSupervisionDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqlServerSupervisionDesignFactory : IDesignTimeDbContextFactory<SqlServerSupervisionDbContext>
{
    public SqlServerSupervisionDbContext CreateDbContext(string[] args) =>
        new(
            new DbContextOptionsBuilder<SqlServerSupervisionDbContext>()
                .UseSqlServer("Server=design;Database=Supervision;Integrated Security=true")
                .Options
        );
}
