using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Opinions.Persistence.Migrations.SqlServer
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
                type: "int",
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
