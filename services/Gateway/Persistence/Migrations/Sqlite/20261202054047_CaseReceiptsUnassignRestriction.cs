using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Gateway.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseReceiptsUnassignRestriction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "UnassignedAt",
                table: "PartnerAssignments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Restriction",
                table: "KnownCases",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "AuthorityReferenceDigest",
                table: "IdentityVault",
                type: "BLOB",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_IdentityVault_DesignatedBy_AuthorityReferenceDigest",
                table: "IdentityVault",
                columns: new[] { "DesignatedBy", "AuthorityReferenceDigest" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_IdentityVault_DesignatedBy_AuthorityReferenceDigest",
                table: "IdentityVault");

            migrationBuilder.DropColumn(
                name: "UnassignedAt",
                table: "PartnerAssignments");

            migrationBuilder.DropColumn(
                name: "Restriction",
                table: "KnownCases");

            migrationBuilder.DropColumn(
                name: "AuthorityReferenceDigest",
                table: "IdentityVault");
        }
    }
}
