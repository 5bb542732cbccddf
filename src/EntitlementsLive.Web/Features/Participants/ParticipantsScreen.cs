using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>What the participants list asks for: a named filter (<see cref="ParticipantFilter.Named"/>), a reference prefix, a page's cursor, the participant whose history is open.</summary>
public sealed record ParticipantsRequest(string? Show, string? Q, string? Cursor, string? Open);

/// <summary>
/// An event's participants list: the event and its counts, the filter read from the request (an unknown one is said, as
/// <see cref="Refusal"/>, and the list shows all), one page of the list and the history of the participant opened.
/// </summary>
public sealed record ParticipantsScreen(
    EventDto Event,
    ParticipantCounts Counts,
    string Show,
    string? Q,
    string? Cursor,
    string? Open,
    ParticipantPage Result,
    ParticipantHistoryDto? History,
    string? Refusal)
{
    /// <summary>The list's filter: the named one, with the reference prefix.</summary>
    public ParticipantFilter Filter => ParticipantFilter.Named.First(v => v.Name == Show).Filter with { Q = Q };

    /// <summary>The API query of the current filter, for the export links.</summary>
    public string ExportQuery(string format) => string.Join("&", new[] { "format=" + format, Filter.Query() }.Where(p => p.Length > 0));
}

/// <summary>
/// The participants list's query, in two reads: the event (an unknown one is a 404) with its counts, then the list, so
/// that a refusal of the list (a bad cursor, an unknown participant to open) is said under figures already read.
/// </summary>
public sealed class ParticipantsScreenQuery(EventQueries events, ParticipantQueries participants)
{
    public async Task<ParticipantsScreen> For(int organizationId, int eventId, ParticipantsRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var coverage = await events.Coverage(organizationId, eventId, ct);
        var counts = await participants.Counts(organizationId, eventId, ct);
        var q = string.IsNullOrWhiteSpace(request.Q) ? null : request.Q.Trim();
        var known = ParticipantFilter.Named.Any(v => v.Name == request.Show);
        return new ParticipantsScreen(coverage, counts, known ? request.Show! : "all", q, request.Cursor, request.Open, new([], null), null,
            known ? null : $"Show {string.Join(", ", ParticipantFilter.Named.Select(v => v.Label.ToLowerInvariant()))} participants.");
    }

    /// <summary>The screen with its page of the list and its open history; a screen whose filter was refused lists nothing.</summary>
    public async Task<ParticipantsScreen> WithList(int organizationId, ParticipantsScreen screen, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(screen);
        if (screen.Refusal is not null)
        {
            return screen;
        }

        var page = await participants.Page(organizationId, screen.Event.Id, screen.Filter, ParticipantQueries.DefaultLimit, screen.Cursor, ct);
        return screen with { Result = page, History = screen.Open is null ? null : await participants.History(organizationId, screen.Event.Id, screen.Open, ct) };
    }
}
