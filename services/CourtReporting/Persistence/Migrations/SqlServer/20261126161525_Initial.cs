using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.CourtReporting.Persistence.Migrations.SqlServer
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    At = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Principal = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: true),
                    Role = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: true),
                    Method = table.Column<string>(type: "nvarchar(10)", maxLength: 10, nullable: false),
                    Route = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    RecordRef = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Outcome = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    StatusCode = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessLog", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CasePictures",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Person = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Territory = table.Column<string>(type: "nvarchar(3)", maxLength: 3, nullable: false),
                    Jurisdiction = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: false),
                    ReleaseDate = table.Column<DateOnly>(type: "date", nullable: false),
                    MeasureEndsOn = table.Column<DateOnly>(type: "date", nullable: false),
                    Open = table.Column<bool>(type: "bit", nullable: false),
                    EndReason = table.Column<int>(type: "int", nullable: true),
                    Partners = table.Column<string>(type: "nvarchar(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CasePictures", x => x.CaseId);
                });

            migrationBuilder.CreateTable(
                name: "CourtReports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Jurisdiction = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: false),
                    Number = table.Column<int>(type: "int", nullable: false),
                    PeriodStart = table.Column<DateOnly>(type: "date", nullable: false),
                    PeriodEnd = table.Column<DateOnly>(type: "date", nullable: false),
                    Trigger = table.Column<int>(type: "int", nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Figures = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Lines = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    CoveredFacts = table.Column<string>(type: "nvarchar(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CourtReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboxEntries",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Consumer = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ProcessedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxEntries", x => new { x.MessageId, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    MessageId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    MessageType = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    Body = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ConversationId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CorrelationId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    TraceParent = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    EnqueuedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    LastError = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "ReportableFacts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Jurisdiction = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: false),
                    On = table.Column<DateOnly>(type: "date", nullable: false),
                    Detail = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: true),
                    Severity = table.Column<int>(type: "int", nullable: true),
                    ReportId = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportableFacts", x => new { x.Id, x.Kind });
                });

            migrationBuilder.CreateTable(
                name: "ReportingDeadlines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Jurisdiction = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: false),
                    PeriodStart = table.Column<DateOnly>(type: "date", nullable: false),
                    PeriodEnd = table.Column<DateOnly>(type: "date", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    FiredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
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
