using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.CourtReporting.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReportOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Outcomes",
                table: "CourtReports",
                type: "TEXT",
                nullable: false,
                // Reports issued before this column: no answer recorded.
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "RefusalReason",
                table: "CourtReports",
                type: "TEXT",
                maxLength: 60,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RefusedAt",
                table: "CourtReports",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Outcomes",
                table: "CourtReports");

            migrationBuilder.DropColumn(
                name: "RefusalReason",
                table: "CourtReports");

            migrationBuilder.DropColumn(
                name: "RefusedAt",
                table: "CourtReports");
        }
    }
}
