using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Opinions.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReviewVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Art41Reviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Version",
                table: "Art41Reviews");
        }
    }
}
