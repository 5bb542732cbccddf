using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>The participants part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class ParticipantsEndpoints
{
    public static ApiGroups MapParticipants(this ApiGroups groups)
    {
        var manage = groups.Manage;
        var changeSender = groups.ChangeSender;

        changeSender.MapPost("/events/{eventId:int}/participant-changes", async (int orgId, int eventId, ParticipantChangesRequest body, CurrentUser me,
            SubmitParticipantChanges submit, CancellationToken ct) =>
        {
            var batch = await submit.Handle(orgId, eventId, body, me.Principal.Identity?.Name ?? me.Actor, ct);
            return TypedResults.Accepted($"/api/orgs/{orgId}/participant-batches/{batch.BatchId}", batch);
        }).WithRequestTimeout(TimeSpan.FromSeconds(60)).WithMetadata(new RequestSizeLimitAttribute(ApiEndpoints.MaxBatchBytes))
          .WithSummary("Stores a batch of participant changes (validated whole) and applies it in the background.");

        manage.MapGet("/events/{eventId:int}/participants", async (int orgId, int eventId, int? limit, string? cursor, string? q, bool? counted,
            string? state, bool? activated, ParticipantQueries participants, CancellationToken ct) =>
            TypedResults.Ok(await participants.Page(orgId, eventId, new ParticipantFilter(q, counted, state, activated), limit, cursor, ct)))
            .WithSummary("The event's participants in reference order, keyset-paged: state, activated, counted or not and why in words. "
                + "Filters: q (reference prefix), counted, state (added|cancelled|reinstated|unregistered), activated.");

        manage.MapGet("/events/{eventId:int}/participants/counts", async (int orgId, int eventId, ParticipantQueries participants, CancellationToken ct) =>
            TypedResults.Ok(await participants.Counts(orgId, eventId, ct)))
            .WithSummary("How many of the event's participants count, do not, were cancelled after activating the app, and activated it.");

        manage.MapGet("/events/{eventId:int}/participants/history", async (int orgId, int eventId, string? participantRef, ParticipantQueries participants,
            CancellationToken ct) =>
            TypedResults.Ok(await participants.History(orgId, eventId, participantRef, ct)))
            .WithSummary("One participant (participantRef) and every change applied to it, by when it occurred, with who sent it and whether it changed anything.");

        manage.MapGet("/events/{eventId:int}/participants/export", async (int orgId, int eventId, string? format, string? q, bool? counted, string? state,
            bool? activated, TabExports exports, HttpContext http, CancellationToken ct) =>
            await exports.Participants(http.Response, orgId, eventId, format, new ParticipantFilter(q, counted, state, activated), ct))
            .WithSummary("Every participant the filters select, with why each counts or not, as CSV or XLSX, streamed.");

        changeSender.MapGet("/participant-batches/{batchId}", async (int orgId, string batchId, BatchQueries batches, CancellationToken ct) =>
            TypedResults.Ok(await batches.Get(orgId, batchId, ct)))
            .WithSummary("A batch's progress: accepted, processing, done or failed (with the reason).");

        return groups;
    }
}
