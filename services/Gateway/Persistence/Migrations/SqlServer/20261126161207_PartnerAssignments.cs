using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Gateway.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PartnerAssignments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PartnerAssignments",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Partner = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Person = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    AssignedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PartnerAssignments", x => new { x.CaseId, x.Partner });
                });

            migrationBuilder.CreateIndex(
                name: "IX_PartnerAssignments_Person_Partner",
                table: "PartnerAssignments",
                columns: new[] { "Person", "Partner" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PartnerAssignments");
        }
    }
}
