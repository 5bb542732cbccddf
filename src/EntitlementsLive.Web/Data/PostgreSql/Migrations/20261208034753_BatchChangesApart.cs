using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EntitlementsLive.Web.Data.PostgreSql.Migrations
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
                    BatchId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    Changes = table.Column<byte[]>(type: "bytea", nullable: false)
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
                INSERT INTO "ParticipantBatchChanges" ("BatchId", "Changes") SELECT "Id", convert_to("Changes", 'UTF8') FROM "ParticipantBatches";
                """);

            migrationBuilder.DropColumn(
                name: "Changes",
                table: "ParticipantBatches");

            // The last count by batch: a batch still open counts from its rows once, then each of its chunks adds its own.
            migrationBuilder.Sql("""
                UPDATE "ParticipantBatches" AS b SET "Applied" = (SELECT COUNT(*) FROM "AppliedChanges" AS c WHERE c."BatchId" = b."Id") WHERE b."Status" IN ('accepted', 'processing');
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
                type: "text",
                nullable: false,
                defaultValue: "",
                collation: "C");

            migrationBuilder.Sql("""
                UPDATE "ParticipantBatches" AS b SET "Changes" = convert_from(c."Changes", 'UTF8') FROM "ParticipantBatchChanges" AS c WHERE c."BatchId" = b."Id";
                """);

            migrationBuilder.DropTable(
                name: "ParticipantBatchChanges");
        }
    }
}
