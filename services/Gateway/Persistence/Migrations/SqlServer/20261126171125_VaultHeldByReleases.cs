using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coordination.Gateway.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class VaultHeldByReleases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
