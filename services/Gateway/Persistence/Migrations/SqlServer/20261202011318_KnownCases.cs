using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Gateway.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class KnownCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AwaitingCase",
                table: "IdentityVault",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "KnownCases",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Person = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Territory = table.Column<string>(type: "nvarchar(3)", maxLength: 3, nullable: false),
                    SentenceEnforcementJurisdiction = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    OpenedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    EndedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KnownCases", x => x.CaseId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KnownCases_Person",
                table: "KnownCases",
                column: "Person");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KnownCases");

            migrationBuilder.DropColumn(
                name: "AwaitingCase",
                table: "IdentityVault");
        }
    }
}
