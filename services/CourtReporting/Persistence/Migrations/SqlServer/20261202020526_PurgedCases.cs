using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.CourtReporting.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PurgedCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PurgedCases",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    PurgedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PurgedCases", x => x.CaseId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PurgedCases");
        }
    }
}
