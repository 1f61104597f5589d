using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.CourtReporting.Persistence.Migrations.Sqlite
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
                    Id = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Territory = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    SentenceEnforcementCourt = table.Column<string>(type: "TEXT", maxLength: 44, nullable: false),
                    ProbationService = table.Column<string>(type: "TEXT", maxLength: 44, nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RetiredAt = table.Column<long>(type: "INTEGER", nullable: true)
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
