using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Gateway.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Directory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DirectoryAgencies",
                columns: table => new
                {
                    Account = table.Column<string>(type: "TEXT", maxLength: 44, nullable: false),
                    Role = table.Column<int>(type: "INTEGER", nullable: false),
                    Territories = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RetiredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RetiredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DirectoryAgencies", x => x.Account);
                });

            migrationBuilder.CreateTable(
                name: "DirectoryJurisdictions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Territory = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    SentenceEnforcementCourt = table.Column<string>(type: "TEXT", maxLength: 44, nullable: false),
                    ProbationService = table.Column<string>(type: "TEXT", maxLength: 44, nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RetiredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RetiredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DirectoryJurisdictions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DirectoryPartners",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 44, nullable: false),
                    Territory = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Role = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RetiredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RetiredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DirectoryPartners", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DirectoryAgencies");

            migrationBuilder.DropTable(
                name: "DirectoryJurisdictions");

            migrationBuilder.DropTable(
                name: "DirectoryPartners");
        }
    }
}
