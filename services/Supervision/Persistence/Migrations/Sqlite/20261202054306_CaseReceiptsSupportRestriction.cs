using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Supervision.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RestrictedAt",
                table: "SupervisionCases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RestrictedBy",
                table: "SupervisionCases",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RestrictedTo",
                table: "SupervisionCases",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Restriction",
                table: "SupervisionCases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "UnassignedAt",
                table: "CaseAssignments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UnassignedBy",
                table: "CaseAssignments",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SupportActions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Partner = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    PlannedOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    StartedOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ClosedOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false)
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
