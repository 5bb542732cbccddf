using System.Buffers.Text;
using System.Text;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

public sealed record ParticipantDto(string ParticipantRef, ParticipantState State, bool Activated, bool Counted, string Reason, DateTime? LastChangedAt);

public sealed record ParticipantPage(IReadOnlyList<ParticipantDto> Items, string? NextCursor);

/// <summary>An event's participants by what decides their count.</summary>
public sealed record ParticipantCounts(int Total, int Counted, int NotCounted, int CancelledAfterActivation, int Activated);

/// <summary>
/// One applied change of a participant. <c>Note</c> says when it changed nothing: a status change that arrived after a
/// later one (rule 1's last-writer-wins by occurrence), or a second activation.
/// </summary>
public sealed record ParticipantChangeDto(string ChangeId, ParticipantChangeType Type, DateTime OccurredAt, DateTime? ReceivedAt, string? Source, string? Note);

public sealed record ParticipantHistoryDto(ParticipantDto Participant, IReadOnlyList<ParticipantChangeDto> Changes);

/// <summary>
/// The filters of the participants list: a reference prefix, counted or not, and the state and activation that
/// decide it ("cancelled after activation" is state=cancelled with activated=true).
/// </summary>
public sealed record ParticipantFilter(string? Q = null, bool? Counted = null, string? State = null, bool? Activated = null)
{
    /// <summary>The filters the participants tab offers, by the name in its address, with their labels.</summary>
    public static readonly IReadOnlyList<(string Name, string Label, ParticipantFilter Filter)> Named =
    [
        ("all", "All", new ParticipantFilter()),
        ("counted", "Counted", new ParticipantFilter(Counted: true)),
        ("not-counted", "Not counted", new ParticipantFilter(Counted: false)),
        ("cancelled-after-activation", "Cancelled after activation", new ParticipantFilter(State: "cancelled", Activated: true)),
    ];

    /// <summary>The API's query string for this filter (each set field, escaped), as the list and export endpoints read it.</summary>
    public string Query()
    {
        static string Flag(bool value) => value ? "true" : "false";
        var parts = new List<string>();
        if (Q is not null)
        {
            parts.Add("q=" + Uri.EscapeDataString(Q));
        }

        if (Counted is { } counted)
        {
            parts.Add("counted=" + Flag(counted));
        }

        if (State is not null)
        {
            parts.Add("state=" + Uri.EscapeDataString(State));
        }

        if (Activated is { } activated)
        {
            parts.Add("activated=" + Flag(activated));
        }

        return string.Join("&", parts);
    }
}

/// <summary>
/// Who counts and why, per participant (rule 1 in words). Each (state, activated) pair is one range of an index in
/// reference order, so a page reads at most eight short ranges and merges them: the same cost on the first page and the
/// thousandth, whatever the filter, on an event of any size.
/// </summary>
public sealed class ParticipantQueries(AppDbContext db)
{
    public const int DefaultLimit = 50;

    /// <summary>Every (state, activated) pair a participant can be in.</summary>
    private static readonly (ParticipantState State, bool Activated)[] Pairs =
        [.. Enum.GetValues<ParticipantState>().SelectMany(s => new[] { (s, false), (s, true) })];

    public async Task<ParticipantPage> Page(int organizationId, int eventId, ParticipantFilter filter, int? limit, string? cursor, CancellationToken ct)
    {
        var check = new Validation();
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > Keyset.MaxLimit)
        {
            check.Add("limit", $"limit must be between 1 and {Keyset.MaxLimit}.");
        }

        var after = ReadCursor(check, cursor);
        filter = filter with { Q = string.IsNullOrEmpty(filter.Q) ? null : filter.Q };
        var pairs = Select(check, filter);
        check.ThrowIfInvalid();
        await RequireEvent(organizationId, eventId, ct);
        return await Read(eventId, pairs, filter.Q, after, take, ct);
    }

    /// <summary>
    /// The event's own counters (what decides its requirement) and the small index ranges of the ones that do not count
    /// and of those cancelled after activating the app: never a pass over every participant.
    /// </summary>
    public async Task<ParticipantCounts> Counts(int organizationId, int eventId, CancellationToken ct)
    {
        var counters = await db.Events.AsNoTracking().Where(e => e.Id == eventId && e.OrganizationId == organizationId)
            .Select(e => new { e.CountedParticipants, e.ActivatedParticipants }).SingleOrDefaultAsync(ct) ?? throw Validation.NotFound("The event");
        var participants = db.Participants.AsNoTracking().Where(p => p.EventId == eventId);
        var notCounted = await participants.CountAsync(p => p.State == ParticipantState.Cancelled && !p.AppActivated, ct)
            + await participants.CountAsync(p => p.State == ParticipantState.Unregistered && !p.AppActivated, ct);
        var cancelledAfterActivation = await participants.CountAsync(p => p.State == ParticipantState.Cancelled && p.AppActivated, ct);
        return new ParticipantCounts(counters.CountedParticipants + notCounted, counters.CountedParticipants, notCounted, cancelledAfterActivation,
            counters.ActivatedParticipants);
    }

    public async Task<ParticipantHistoryDto> History(int organizationId, int eventId, string? participantRef, CancellationToken ct)
    {
        if (!Text.IsPrintable(participantRef, SubmitParticipantChanges.MaxFieldLength))
        {
            throw Validation.Invalid("participantRef", $"participantRef must be 1 to {SubmitParticipantChanges.MaxFieldLength} printable characters.");
        }

        await RequireEvent(organizationId, eventId, ct);
        var participant = (await Project(db.Participants.AsNoTracking().Where(p => p.EventId == eventId && p.Reference == participantRef), ct))
            .SingleOrDefault() ?? throw Validation.NotFound("The participant");

        var changes = await (from c in db.AppliedChanges.AsNoTracking()
                             where c.EventId == eventId && c.OrganizationId == organizationId && c.ParticipantRef == participantRef
                             join b in db.ParticipantBatches on c.BatchId equals b.Id into sent
                             from b in sent.DefaultIfEmpty()
                             select new { c.ChangeId, c.Type, c.OccurredAt, c.AppliedAt, c.Note, Source = b == null ? null : b.Source })
            .ToListAsync(ct);

        // By when each change occurred; the note (rule 1's last-writer-wins, a second activation) was decided as it was applied.
        var items = changes.Where(c => c.Type is not null && c.OccurredAt is not null)
            .OrderBy(c => c.OccurredAt).ThenBy(c => c.AppliedAt)
            .Select(c => new ParticipantChangeDto(c.ChangeId, c.Type!.Value, c.OccurredAt!.Value, c.AppliedAt, c.Source, c.Note)).ToList();
        return new ParticipantHistoryDto(participant, items);
    }

    /// <summary>Every participant the filter selects, in reference order, read a page at a time (for the exports).</summary>
    public async IAsyncEnumerable<ParticipantDto> All(int organizationId, int eventId, ParticipantFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        const int Chunk = 2_000;
        var check = new Validation();
        filter = filter with { Q = string.IsNullOrEmpty(filter.Q) ? null : filter.Q };
        var pairs = Select(check, filter);
        check.ThrowIfInvalid();
        await RequireEvent(organizationId, eventId, ct);
        string? after = null;
        while (true)
        {
            var page = await Read(eventId, pairs, filter.Q, after, Chunk, ct);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            after = page.Items[^1].ParticipantRef;
        }
    }

    private async Task<ParticipantPage> Read(int eventId, List<(ParticipantState State, bool Activated)> pairs, string? q, string? after,
        int take, CancellationToken ct)
    {
        // A prefix is a range of the index: [q, q + the last code point).
        var below = q is null ? null : q + char.ConvertFromUtf32(0x10FFFF);
        var merged = new List<ParticipantDto>();

        // Every pair selected: one range of the (event, reference) index instead of eight.
        IEnumerable<(ParticipantState State, bool Activated)?> ranges = pairs.Count == Pairs.Length ? [null] : pairs.Select(p => ((ParticipantState, bool)?)p);
        foreach (var pair in ranges)
        {
            var range = db.Participants.AsNoTracking().Where(p => p.EventId == eventId);
            if (pair is var (state, activated))
            {
                range = range.Where(p => p.State == state && p.AppActivated == activated);
            }
            if (after is not null)
            {
                range = range.Where(p => string.Compare(p.Reference, after) > 0);
            }

            if (q is not null)
            {
                range = range.Where(p => string.Compare(p.Reference, q) >= 0 && string.Compare(p.Reference, below) < 0);
            }

            merged.AddRange(await Project(range.OrderBy(p => p.Reference).Take(take + 1), ct));
        }

        merged.Sort((a, b) => StoredOrder.Compare(a.ParticipantRef, b.ParticipantRef));
        if (merged.Count <= take)
        {
            return new ParticipantPage(merged, null);
        }

        merged.RemoveRange(take, merged.Count - take);
        return new ParticipantPage(merged, Encode(merged[^1].ParticipantRef));
    }

    private static async Task<List<ParticipantDto>> Project(IQueryable<Participant> participants, CancellationToken ct) =>
        (await participants.Select(p => new { p.Reference, p.State, p.AppActivated, p.LastChangeAt }).ToListAsync(ct))
            .ConvertAll(p => new ParticipantDto(p.Reference, p.State, p.AppActivated, Participant.CountsIn(p.State, p.AppActivated),
                Participant.Explain(p.State, p.AppActivated), p.LastChangeAt == DateTime.MinValue ? null : p.LastChangeAt));

    private async Task RequireEvent(int organizationId, int eventId, CancellationToken ct)
    {
        if (!await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizationId == organizationId, ct))
        {
            throw Validation.NotFound("The event");
        }
    }

    /// <summary>The (state, activated) pairs the filter keeps; bad values are added to <paramref name="check"/>.</summary>
    private static List<(ParticipantState State, bool Activated)> Select(Validation check, ParticipantFilter filter)
    {
        ParticipantState? state = null;
        if (filter.State is not null)
        {
            if (Names.TryParse<ParticipantState>(filter.State, out var parsed))
            {
                state = parsed;
            }
            else
            {
                check.Add("state", $"state must be {string.Join(", ", Enum.GetValues<ParticipantState>().Select(Names.Of))}.");
            }
        }

        if (filter.Q is { } q && !Text.IsPrintable(q, SubmitParticipantChanges.MaxFieldLength))
        {
            check.Add("q", $"q must be 1 to {SubmitParticipantChanges.MaxFieldLength} printable characters.");
        }

        return Pairs.Where(p => (state is null || p.State == state) && (filter.Activated is null || p.Activated == filter.Activated)
            && (filter.Counted is null || Participant.CountsIn(p.State, p.Activated) == filter.Counted)).ToList();
    }

    private static string? ReadCursor(Validation check, string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var text = new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(cursor));
            if (Text.IsPrintable(text, SubmitParticipantChanges.MaxFieldLength) && Encode(text) == cursor)
            {
                return text;
            }
        }
        catch (FormatException)
        {
        }
        catch (DecoderFallbackException)
        {
        }

        check.Add("cursor", "The cursor is not one this API returned.");
        return null;
    }

    private static string Encode(string reference) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(reference));

    /// <summary>The order the database keeps references in (code point by code point, as their UTF-8 bytes compare).</summary>
    private static class StoredOrder
    {
        public static int Compare(string a, string b)
        {
            var (x, y) = (a.EnumerateRunes(), b.EnumerateRunes());
            while (true)
            {
                var (more, other) = (x.MoveNext(), y.MoveNext());
                if (!more || !other)
                {
                    return more ? 1 : other ? -1 : 0;
                }

                var order = x.Current.Value.CompareTo(y.Current.Value);
                if (order != 0)
                {
                    return order;
                }
            }
        }
    }
}
