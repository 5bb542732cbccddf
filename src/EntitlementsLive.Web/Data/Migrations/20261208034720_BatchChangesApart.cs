using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EntitlementsLive.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class BatchChangesApart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ParticipantBatchChanges",
                columns: table => new
                {
                    BatchId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Changes = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ParticipantBatchChanges", x => x.BatchId);
                    table.ForeignKey(
                        name: "FK_ParticipantBatchChanges_ParticipantBatches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "ParticipantBatches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The stored changes move with their batches (as UTF-8 bytes) before the column goes.
            migrationBuilder.Sql("""
                INSERT INTO ParticipantBatchChanges (BatchId, Changes) SELECT Id, CAST(Changes AS BLOB) FROM ParticipantBatches;
                """);

            migrationBuilder.DropColumn(
                name: "Changes",
                table: "ParticipantBatches");

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

            migrationBuilder.AddColumn<string>(
                name: "Changes",
                table: "ParticipantBatches",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.Sql("""
                UPDATE ParticipantBatches SET Changes = (SELECT CAST(c.Changes AS TEXT) FROM ParticipantBatchChanges AS c WHERE c.BatchId = ParticipantBatches.Id) WHERE Id IN (SELECT BatchId FROM ParticipantBatchChanges);
                """);

            migrationBuilder.DropTable(
                name: "ParticipantBatchChanges");
        }
    }
}
