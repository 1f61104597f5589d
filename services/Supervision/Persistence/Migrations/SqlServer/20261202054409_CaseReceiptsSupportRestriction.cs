using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Supervision.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CaseReceiptsSupportRestriction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DesignatedBy",
                table: "SupervisionCases",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RestrictedAt",
                table: "SupervisionCases",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RestrictedBy",
                table: "SupervisionCases",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RestrictedTo",
                table: "SupervisionCases",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Restriction",
                table: "SupervisionCases",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UnassignedAt",
                table: "CaseAssignments",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UnassignedBy",
                table: "CaseAssignments",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SupportActions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    Partner = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    PlannedOn = table.Column<DateOnly>(type: "date", nullable: false),
                    StartedOn = table.Column<DateOnly>(type: "date", nullable: true),
                    ClosedOn = table.Column<DateOnly>(type: "date", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SupportActions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SupportActions_SupervisionCases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "SupervisionCases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SupportActions_CaseId",
                table: "SupportActions",
                column: "CaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SupportActions");

            migrationBuilder.DropColumn(
                name: "DesignatedBy",
                table: "SupervisionCases");

            migrationBuilder.DropColumn(
                name: "RestrictedAt",
                table: "SupervisionCases");

            migrationBuilder.DropColumn(
                name: "RestrictedBy",
                table: "SupervisionCases");

            migrationBuilder.DropColumn(
                name: "RestrictedTo",
                table: "SupervisionCases");

            migrationBuilder.DropColumn(
                name: "Restriction",
                table: "SupervisionCases");

            migrationBuilder.DropColumn(
                name: "UnassignedAt",
                table: "CaseAssignments");

            migrationBuilder.DropColumn(
                name: "UnassignedBy",
                table: "CaseAssignments");
        }
    }
}
