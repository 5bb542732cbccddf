using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EntitlementsLive.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AppliedChangesWithoutBatchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The last count by batch: a batch still open counts from its rows once, then each of its chunks adds its own.
            migrationBuilder.Sql("""
                UPDATE ParticipantBatches SET Applied = (SELECT COUNT(*) FROM AppliedChanges AS c WHERE c.BatchId = ParticipantBatches.Id) WHERE Status IN ('accepted', 'processing');
                """);

            migrationBuilder.DropIndex(
                name: "IX_AppliedChanges_BatchId",
                table: "AppliedChanges");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_AppliedChanges_BatchId",
                table: "AppliedChanges",
                column: "BatchId");
        }
    }
}
