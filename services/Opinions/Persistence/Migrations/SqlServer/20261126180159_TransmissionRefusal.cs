using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Opinions.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class TransmissionRefusal : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TransmissionRefusal",
                table: "Art41Reviews",
                type: "nvarchar(60)",
                maxLength: 60,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Art41Reviews_ReleaseId",
                table: "Art41Reviews",
                column: "ReleaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Art41Reviews_ReleaseId",
                table: "Art41Reviews");

            migrationBuilder.DropColumn(
                name: "TransmissionRefusal",
                table: "Art41Reviews");
        }
    }
}
