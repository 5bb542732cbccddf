namespace EntitlementsLive.Domain;

public enum RequestStatus
{
    Open = 0,
    Approved = 1,
    Declined = 2,
    Fulfilled = 3,
}

/// <summary>
/// Rule 15: an event team's request that an administrator cover its event. It records what was missing when it was
/// made and who asked; it changes nothing by itself. One is open per event at a time (its open key, unique). An
/// administrator approves it (the approval's transfers are "Cover this event") or declines it with a reason; an open or
/// approved request is fulfilled whenever its event becomes covered, by any means.
/// </summary>
public sealed class EntitlementRequest
{
    public const int NoteMaxLength = 500;

    public const int ReasonMaxLength = 500;

    private EntitlementRequest()
    {
    }

    public long Id { get; private set; }

    public int OrganizationId { get; private set; }

    public int EventId { get; private set; }

    public string RequestedById { get; private set; } = "";

    public string RequestedByName { get; private set; } = "";

    public string RequestedByEmail { get; private set; } = "";

    public string? Note { get; private set; }

    /// <summary>What the event missed when the request was made.</summary>
    public List<PlanShortfall> Missing { get; private set; } = [];

    public RequestStatus Status { get; private set; }

    public string? ResolvedByName { get; private set; }

    public string? ResolvedByEmail { get; private set; }

    public DateTime? ResolvedAt { get; private set; }

    /// <summary>Why it was declined.</summary>
    public string? Reason { get; private set; }

    public DateTime CreatedAt { get; private set; }

    /// <summary>The key an approval was executed with, so approving again with it answers the same transfers.</summary>
    public string? ApprovalKey { get; private set; }

    /// <summary>The plan the approval executed.</summary>
    public string? PlanId { get; private set; }

    /// <summary>The event, while the request is open: one open request per event (a unique index).</summary>
    public int? OpenEventId { get; private set; }

    public bool IsOpen => Status == RequestStatus.Open;

    /// <summary>A request for an event that misses <paramref name="missing"/>; refused when it misses nothing.</summary>
    public static EntitlementRequest Ask(Event e, IReadOnlyList<PlanShortfall> missing, string userId, string name, string email, string? note, DateTime now)
    {
        if (!e.IsMissing || missing.Count == 0)
        {
            throw new DomainException(ErrorCodes.EventCovered, $"{e.Name} is not missing anything: there is nothing to ask for.");
        }

        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (trimmed is not null && !Text.IsNote(trimmed, NoteMaxLength))
        {
            throw DomainException.Validation("note", $"The note is at most {NoteMaxLength} printable characters.");
        }

        return new EntitlementRequest
        {
            OrganizationId = e.OrganizationId,
            EventId = e.Id,
            OpenEventId = e.Id,
            RequestedById = userId,
            RequestedByName = name,
            RequestedByEmail = email,
            Note = trimmed,
            Missing = [.. missing],
            Status = RequestStatus.Open,
            CreatedAt = now,
        };
    }

    /// <summary>An administrator approves: the approval's transfers follow in the same change (and may fulfil it).</summary>
    public void Approve(string name, string email, string key, string planId, DateTime now)
    {
        EnsureOpen();
        (Status, ResolvedByName, ResolvedByEmail, ResolvedAt, ApprovalKey, PlanId, OpenEventId) = (RequestStatus.Approved, name, email, now, key, planId, null);
    }

    public void Decline(string name, string email, string? reason, DateTime now)
    {
        EnsureOpen();
        var trimmed = reason?.Trim();
        if (string.IsNullOrEmpty(trimmed) || !Text.IsNote(trimmed, ReasonMaxLength))
        {
            throw DomainException.Validation("reason", $"Say why the request is declined (1 to {ReasonMaxLength} printable characters): the team reads it.");
        }

        (Status, ResolvedByName, ResolvedByEmail, ResolvedAt, Reason, OpenEventId) = (RequestStatus.Declined, name, email, now, trimmed, null);
    }

    /// <summary>Rule 15: the event is covered now, whoever covered it. Returns whether this changed the request.</summary>
    public bool Fulfil(DateTime now)
    {
        if (Status is not (RequestStatus.Open or RequestStatus.Approved))
        {
            return false;
        }

        Status = RequestStatus.Fulfilled;
        ResolvedAt ??= now;
        OpenEventId = null;
        return true;
    }

    private void EnsureOpen()
    {
        if (!IsOpen)
        {
            throw new DomainException(ErrorCodes.RequestResolved, $"This request is {Status.ToString().ToLowerInvariant()} already: nothing was changed.");
        }
    }
}
