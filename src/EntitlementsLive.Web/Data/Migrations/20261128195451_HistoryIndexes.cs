using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EntitlementsLive.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class HistoryIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_LedgerEntries_OrganizationId_EventId_Id",
                table: "LedgerEntries",
                columns: new[] { "OrganizationId", "EventId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_LedgerEntries_OrganizationId_Kind_Id",
                table: "LedgerEntries",
                columns: new[] { "OrganizationId", "Kind", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_LedgerEntries_OrganizationId_EventId_Id",
                table: "LedgerEntries");

            migrationBuilder.DropIndex(
                name: "IX_LedgerEntries_OrganizationId_Kind_Id",
                table: "LedgerEntries");
        }
    }
}
