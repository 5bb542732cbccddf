using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EntitlementsLive.Web.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class EventListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_OrganizationId_StartsAt",
                table: "Events");

            migrationBuilder.CreateIndex(
                name: "IX_Events_OrganizationId_IsMissing_StartsAt_EndsAt",
                table: "Events",
                columns: new[] { "OrganizationId", "IsMissing", "StartsAt", "EndsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Events_OrganizationId_StartsAt_EndsAt",
                table: "Events",
                columns: new[] { "OrganizationId", "StartsAt", "EndsAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_OrganizationId_IsMissing_StartsAt_EndsAt",
                table: "Events");

            migrationBuilder.DropIndex(
                name: "IX_Events_OrganizationId_StartsAt_EndsAt",
                table: "Events");

            migrationBuilder.CreateIndex(
                name: "IX_Events_OrganizationId_StartsAt",
                table: "Events",
                columns: new[] { "OrganizationId", "StartsAt" });
        }
    }
}
