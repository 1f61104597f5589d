using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.CourtReporting.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class DirectoryJurisdictions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Jurisdictions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "nvarchar(60)", maxLength: 60, nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Territory = table.Column<string>(type: "nvarchar(3)", maxLength: 3, nullable: false),
                    SentenceEnforcementCourt = table.Column<string>(type: "nvarchar(44)", maxLength: 44, nullable: false),
                    ProbationService = table.Column<string>(type: "nvarchar(44)", maxLength: 44, nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    RetiredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Jurisdictions", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Jurisdictions");
        }
    }
}
