using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Gateway.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CaseReceiptsUnassignRestriction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UnassignedAt",
                table: "PartnerAssignments",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Restriction",
                table: "KnownCases",
                type: "nvarchar(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "AuthorityReferenceDigest",
                table: "IdentityVault",
                type: "varbinary(32)",
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
