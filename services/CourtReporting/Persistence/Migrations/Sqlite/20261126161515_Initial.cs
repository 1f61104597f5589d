using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.CourtReporting.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccessLog",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Principal = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Role = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    Method = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Route = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    RecordRef = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessLog", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CasePictures",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Person = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Territory = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Jurisdiction = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    ReleaseDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    MeasureEndsOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Open = table.Column<bool>(type: "INTEGER", nullable: false),
                    EndReason = table.Column<int>(type: "INTEGER", nullable: true),
                    Partners = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CasePictures", x => x.CaseId);
                });

            migrationBuilder.CreateTable(
                name: "CourtReports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Jurisdiction = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    PeriodEnd = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Trigger = table.Column<int>(type: "INTEGER", nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Figures = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Lines = table.Column<string>(type: "TEXT", nullable: false),
                    CoveredFacts = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CourtReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboxEntries",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Consumer = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ProcessedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxEntries", x => new { x.MessageId, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageType = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CorrelationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    TraceParent = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    EnqueuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "ReportableFacts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Jurisdiction = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    On = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    Severity = table.Column<int>(type: "INTEGER", nullable: true),
                    ReportId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportableFacts", x => new { x.Id, x.Kind });
                });

            migrationBuilder.CreateTable(
                name: "ReportingDeadlines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Jurisdiction = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    PeriodStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    PeriodEnd = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FiredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportingDeadlines", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessLog_At",
                table: "AccessLog",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_CasePictures_Jurisdiction_Open",
                table: "CasePictures",
                columns: new[] { "Jurisdiction", "Open" });

            migrationBuilder.CreateIndex(
                name: "IX_CasePictures_Person",
                table: "CasePictures",
                column: "Person");

            migrationBuilder.CreateIndex(
                name: "IX_CourtReports_Jurisdiction_Number",
                table: "CourtReports",
                columns: new[] { "Jurisdiction", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InboxEntries_ProcessedAt",
                table: "InboxEntries",
                column: "ProcessedAt");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_MessageId",
                table: "OutboxMessages",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_SentAt_Sequence",
                table: "OutboxMessages",
                columns: new[] { "SentAt", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_ReportableFacts_CaseId",
                table: "ReportableFacts",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_ReportableFacts_Jurisdiction_ReportId",
                table: "ReportableFacts",
                columns: new[] { "Jurisdiction", "ReportId" });

            migrationBuilder.CreateIndex(
                name: "IX_ReportingDeadlines_FiredAt",
                table: "ReportingDeadlines",
                column: "FiredAt");

            migrationBuilder.CreateIndex(
                name: "IX_ReportingDeadlines_Jurisdiction_PeriodStart",
                table: "ReportingDeadlines",
                columns: new[] { "Jurisdiction", "PeriodStart" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccessLog");

            migrationBuilder.DropTable(
                name: "CasePictures");

            migrationBuilder.DropTable(
                name: "CourtReports");

            migrationBuilder.DropTable(
                name: "InboxEntries");

            migrationBuilder.DropTable(
                name: "OutboxMessages");

            migrationBuilder.DropTable(
                name: "ReportableFacts");

            migrationBuilder.DropTable(
                name: "ReportingDeadlines");
        }
    }
}
