using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Supervision.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Hardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_SupervisionCases_OpenCaseOfPerson",
                table: "SupervisionCases",
                column: "Person",
                unique: true,
                filter: "[Status] = 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SupervisionCases_OpenCaseOfPerson",
                table: "SupervisionCases");
        }
    }
}
