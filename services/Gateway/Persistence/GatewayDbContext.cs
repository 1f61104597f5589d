using System.Text.Json;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;

namespace Coordination.Gateway.Persistence;

public abstract class GatewayDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DbSet<SharingRulesVersion> SharingRules => Set<SharingRulesVersion>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<IngressRecord> IngressRecords => Set<IngressRecord>();
    public DbSet<VaultEntry> Vault => Set<VaultEntry>();
    public DbSet<PartnerAssignment> PartnerAssignments => Set<PartnerAssignment>();
    public DbSet<KnownCase> KnownCases => Set<KnownCase>();
    public DbSet<ServiceDefaults.Persistence.PurgedCase> PurgedCases => Set<ServiceDefaults.Persistence.PurgedCase>();
    public DbSet<RegisteredAgency> Agencies => Set<RegisteredAgency>();
    public DbSet<RegisteredJurisdiction> Jurisdictions => Set<RegisteredJurisdiction>();
    public DbSet<RegisteredPartner> Partners => Set<RegisteredPartner>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<SharingRulesVersion>(e =>
        {
            e.ToTable("SharingRulesVersions");
            e.HasKey(v => v.Id);
            e.Property(v => v.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.HasIndex(v => new { v.Territory, v.Version }).IsUnique();
            e.Property(v => v.AdoptedBy).HasMaxLength(200);
            e.Property(v => v.ProposedBy)
                .HasConversion(
                    v => JsonSerializer.Serialize(v, Json),
                    s => JsonSerializer.Deserialize<List<string>>(s, Json)!,
                    new ValueComparer<List<string>>(
                        (a, b) => a!.SequenceEqual(b!),
                        l => l.Aggregate(0, (h, x) => HashCode.Combine(h, x)),
                        l => l.ToList()
                    )
                );
            e.Property(v => v.Rules)
                .HasConversion(
                    v => JsonSerializer.Serialize(v, Json),
                    s => JsonSerializer.Deserialize<List<SharingRule>>(s, Json)!,
                    new ValueComparer<List<SharingRule>>(
                        (a, b) => a!.SequenceEqual(b!),
                        l => l.Aggregate(0, (h, x) => HashCode.Combine(h, x)),
                        l => l.ToList()
                    )
                );
        });
        modelBuilder.Entity<AgencyDelivery>(e =>
        {
            e.ToTable("AgencyDeliveries");
            e.HasKey(d => d.Id);
            e.Property(d => d.Agency).HasMaxLength(100);
            e.Property(d => d.Type).HasMaxLength(100);
            e.HasIndex(d => new { d.Agency, d.CreatedAt });
            e.HasIndex(d => d.PushedAt);
        });
        modelBuilder.Entity<VaultEntry>(e =>
        {
            e.ToTable("IdentityVault");
            e.HasKey(v => v.Person);
            e.Property(v => v.Person).HasConversion(p => p.Value, s => Coordination.Contracts.Values.PersonRef.Parse(s)).HasMaxLength(40);
            e.Property(v => v.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(v => v.IdentityDigest).HasMaxLength(32);
            e.HasIndex(v => new { v.Territory, v.IdentityDigest }).IsUnique();
            e.Property(v => v.DesignatedBy).HasMaxLength(100);
            e.Property(v => v.AuthorityReferenceDigest).HasMaxLength(32);
            e.HasIndex(v => new { v.DesignatedBy, v.AuthorityReferenceDigest });
            // Changes with every re-designation; a release holds it, so that a purge and a release never cross.
            e.Property(v => v.SealId).IsConcurrencyToken();
        });
        modelBuilder.Entity<PartnerAssignment>(e =>
        {
            e.ToTable("PartnerAssignments");
            e.HasKey(a => new { a.CaseId, a.Partner });
            e.Property(a => a.Person).HasConversion(p => p.Value, s => Coordination.Contracts.Values.PersonRef.Parse(s)).HasMaxLength(40);
            e.Property(a => a.Partner).HasMaxLength(100);
            e.HasIndex(a => new { a.Person, a.Partner });
        });
        modelBuilder.Entity<ServiceDefaults.Persistence.PurgedCase>(e =>
        {
            e.ToTable("PurgedCases");
            e.HasKey(p => p.CaseId);
            e.Property(p => p.CaseId).ValueGeneratedNever();
        });
        modelBuilder.Entity<KnownCase>(e =>
        {
            e.ToTable("KnownCases");
            e.HasKey(c => c.CaseId);
            e.Property(c => c.CaseId).ValueGeneratedNever();
            e.Property(c => c.Person).HasConversion(p => p.Value, s => Coordination.Contracts.Values.PersonRef.Parse(s)).HasMaxLength(40);
            e.Property(c => c.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(c => c.SentenceEnforcementJurisdiction).HasMaxLength(100);
            e.Property(c => c.Restriction).HasMaxLength(40);
            e.HasIndex(c => c.Person);
        });
        modelBuilder.Entity<IngressRecord>(e =>
        {
            e.ToTable("IngressRecords");
            e.HasKey(r => new { r.Agency, r.MessageId });
            e.Property(r => r.Agency).HasMaxLength(100);
            e.Property(r => r.Type).HasMaxLength(IngressRecord.TypeMaxLength);
            e.Property(r => r.ReasonCode).HasMaxLength(60);
            e.HasIndex(r => r.ReceivedAt);
        });
        modelBuilder.Entity<RegisteredAgency>(e =>
        {
            e.ToTable("DirectoryAgencies");
            e.HasKey(a => a.Account);
            e.Property(a => a.Account).HasMaxLength(DirectoryLimits.Account);
            e.Property(a => a.Territories).HasMaxLength(DirectoryLimits.Territories);
            e.Property(a => a.Name).HasMaxLength(DirectoryLimits.Name);
            e.Property(a => a.RegisteredBy).HasMaxLength(DirectoryLimits.By);
            e.Property(a => a.RetiredBy).HasMaxLength(DirectoryLimits.By);
            e.Ignore(a => a.Retired);
            e.Ignore(a => a.TerritorySet);
        });
        modelBuilder.Entity<RegisteredJurisdiction>(e =>
        {
            e.ToTable("DirectoryJurisdictions");
            e.HasKey(j => j.Id);
            e.Property(j => j.Id).HasMaxLength(DirectoryLimits.JurisdictionId);
            e.Property(j => j.Name).HasMaxLength(DirectoryLimits.Name);
            e.Property(j => j.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(j => j.SentenceEnforcementCourt).HasMaxLength(DirectoryLimits.Account);
            e.Property(j => j.ProbationService).HasMaxLength(DirectoryLimits.Account);
            e.Property(j => j.RegisteredBy).HasMaxLength(DirectoryLimits.By);
            e.Property(j => j.RetiredBy).HasMaxLength(DirectoryLimits.By);
        });
        modelBuilder.Entity<RegisteredPartner>(e =>
        {
            e.ToTable("DirectoryPartners");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).HasMaxLength(DirectoryLimits.Account);
            e.Property(p => p.Territory).HasConversion<TerritoryCodeConverter>().HasMaxLength(3);
            e.Property(p => p.Name).HasMaxLength(DirectoryLimits.Name);
            e.Property(p => p.RegisteredBy).HasMaxLength(DirectoryLimits.By);
            e.Property(p => p.RetiredBy).HasMaxLength(DirectoryLimits.By);
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.ToTable("AuditLog");
            e.HasKey(a => a.Sequence);
            e.Property(a => a.Sequence).ValueGeneratedNever();
            e.HasIndex(a => a.DecisionId);
            e.Property(a => a.Source).HasMaxLength(200);
            e.Property(a => a.Recipient).HasMaxLength(200);
            e.Property(a => a.Purpose).HasMaxLength(100);
            e.Property(a => a.Categories).HasMaxLength(500);
            // Unbounded: a release or court report names every person it carries, and one report can name
            // thousands; the hash covers the text, not the column type, so existing links still verify.
            e.Property(a => a.References);
            e.Property(a => a.Outcome).HasMaxLength(40);
            e.Property(a => a.Reason).HasMaxLength(200);
            e.Property(a => a.PreviousHash).HasMaxLength(64);
            e.Property(a => a.Hash).HasMaxLength(64);
        });
    }
}

public sealed class SqliteGatewayDbContext(DbContextOptions<SqliteGatewayDbContext> options) : GatewayDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseSqliteConventions();
}

public sealed class SqlServerGatewayDbContext(DbContextOptions<SqlServerGatewayDbContext> options) : GatewayDbContext(options);

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqliteGatewayDesignFactory : IDesignTimeDbContextFactory<SqliteGatewayDbContext>
{
    public SqliteGatewayDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteGatewayDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Used by <c>dotnet ef</c> only.</summary>
public sealed class SqlServerGatewayDesignFactory : IDesignTimeDbContextFactory<SqlServerGatewayDbContext>
{
    public SqlServerGatewayDbContext CreateDbContext(string[] args) =>
        new(
            new DbContextOptionsBuilder<SqlServerGatewayDbContext>()
                .UseSqlServer("Server=design;Database=Gateway;Integrated Security=true")
                .Options
        );
}
