using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EntitlementsLive.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ParticipantHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LastChangeAt",
                table: "Participants",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<int>(
                name: "State",
                table: "Participants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "AppliedAt",
                table: "AppliedChanges",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OccurredAt",
                table: "AppliedChanges",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ParticipantRef",
                table: "AppliedChanges",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Type",
                table: "AppliedChanges",
                type: "INTEGER",
                nullable: true);

            // Participants stored before the state was kept: registered or cancelled as their flag says ("reinstated"
            // cannot be told from "added" any more), unregistered when only an activation arrived.
            migrationBuilder.Sql("""
                UPDATE Participants
                SET State = CASE WHEN Cancelled = 0 THEN 1 WHEN StatusAt > '0001-01-01 00:00:00' THEN 2 ELSE 0 END,
                    LastChangeAt = StatusAt
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Participants_EventId_State_AppActivated_Reference",
                table: "Participants",
                columns: new[] { "EventId", "State", "AppActivated", "Reference" });

            migrationBuilder.CreateIndex(
                name: "IX_AppliedChanges_EventId_ParticipantRef",
                table: "AppliedChanges",
                columns: new[] { "EventId", "ParticipantRef" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participants_EventId_State_AppActivated_Reference",
                table: "Participants");

            migrationBuilder.DropIndex(
                name: "IX_AppliedChanges_EventId_ParticipantRef",
                table: "AppliedChanges");

            migrationBuilder.DropColumn(
                name: "LastChangeAt",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "State",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "AppliedAt",
                table: "AppliedChanges");

            migrationBuilder.DropColumn(
                name: "OccurredAt",
                table: "AppliedChanges");

            migrationBuilder.DropColumn(
                name: "ParticipantRef",
                table: "AppliedChanges");

            migrationBuilder.DropColumn(
                name: "Type",
                table: "AppliedChanges");
        }
    }
}
