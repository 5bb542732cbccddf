using System.Globalization;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

public sealed record ParticipantChangeInput(string? ChangeId, string? ParticipantRef, string? Type, string? OccurredAt);

public sealed record ParticipantChangesRequest(IReadOnlyList<ParticipantChangeInput?>? Changes);

public sealed record BatchStatusDto(string BatchId, int EventId, BatchStatus Status, int Received, int Applied, int Duplicates, string? Error, string Source, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Starts the job that applies a stored batch (Hangfire in the app; the tests may run it inline).</summary>
public interface IBatchScheduler
{
    string Schedule(string batchId);

    /// <summary>Whether a job still holds the batch (enqueued, scheduled or running); false when it is gone or finished.</summary>
    bool IsHeld(string? jobId);
}

/// <summary>
/// Accepts a batch of participant changes: validated whole (one bad row refuses all, with row numbers),
/// stored durably, then handed to a background job. Nothing is stored when anything is wrong.
/// </summary>
public sealed class SubmitParticipantChanges(AppDbContext db, TimeProvider clock, IBatchScheduler scheduler)
{
    public const int MaxChanges = 10_000;
    public const int MaxFieldLength = 200;

    public async Task<BatchStatusDto> Handle(int organizationId, int eventId, ParticipantChangesRequest request, string source, CancellationToken ct)
    {
        if (!await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizationId == organizationId, ct))
        {
            throw Validation.NotFound("The event");
        }

        var changes = Validate(request.Changes);
        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new ParticipantBatch
        {
            Id = Guid.NewGuid().ToString("N"),
            OrganizationId = organizationId,
            EventId = eventId,
            Received = changes.Count,
            Source = source.Length > 256 ? source[..256] : source,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.ParticipantBatches.Add(batch);
        db.ParticipantBatchChanges.Add(new ParticipantBatchChanges { BatchId = batch.Id, Changes = JsonSerializer.SerializeToUtf8Bytes(changes, OutboxWriter.Json) });
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);

        // Stored (committed) first, scheduled second: if the process stops in between, the requeue job finds the batch.
        batch.JobId = scheduler.Schedule(batch.Id);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return ToDto(batch);
    }

    public static BatchStatusDto ToDto(ParticipantBatch b) =>
        new(b.Id, b.EventId, b.Status, b.Received, b.Applied, b.Duplicates, b.Error, b.Source, b.CreatedAt, b.UpdatedAt);

    /// <summary>Every row checked; the errors name rows by their 1-based number.</summary>
    public static List<ParticipantChange> Validate(IReadOnlyList<ParticipantChangeInput?>? input)
    {
        if (input is null || input.Count == 0)
        {
            throw DomainException.Validation("changes", "Send at least one change.");
        }

        if (input.Count > MaxChanges)
        {
            throw new DomainException(ErrorCodes.BatchTooLarge,
                $"A batch holds at most {MaxChanges:N0} changes; this one has {input.Count:N0}. Split it into several batches.");
        }

        var errors = new SortedDictionary<int, List<string>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<ParticipantChange>(input.Count);
        for (var i = 0; i < input.Count; i++)
        {
            var row = i + 1;
            var c = input[i];
            void Fail(string message)
            {
                if (!errors.TryGetValue(row, out var list))
                {
                    errors[row] = list = [];
                }

                list.Add(message);
            }

            if (c is null)
            {
                Fail("the change is empty");
                continue;
            }

            if (!Text.IsPrintable(c.ChangeId, MaxFieldLength))
            {
                Fail($"changeId is required: at most {MaxFieldLength} characters, no control characters");
            }
            else if (seen.TryGetValue(c.ChangeId!.Trim(), out var first))
            {
                // Compared as stored (trimmed): "c1" and "c1 " are one change id, and the batch is refused whole.
                Fail($"changeId {c.ChangeId.Trim()} repeats row {first}");
            }
            else
            {
                seen[c.ChangeId.Trim()] = row;
            }

            if (!Text.IsPrintable(c.ParticipantRef, MaxFieldLength))
            {
                Fail($"participantRef is required: at most {MaxFieldLength} characters, no control characters");
            }

            // Exactly as the contract spells it: "ADDED " or "canceled" is a mistake to report, not to guess at.
            ParticipantChangeType? type = Names.TryParse<ParticipantChangeType>(c.Type, out var parsed) ? parsed : null;
            if (type is null)
            {
                Fail("type must be added, cancelled, activated or reinstated");
            }

            if (StrictInput.Instant(c.OccurredAt, "occurredAt", out var occurredAt) is { } instantError)
            {
                Fail(instantError);
            }

            if (!errors.ContainsKey(row))
            {
                result.Add(new ParticipantChange(c.ChangeId!.Trim(), c.ParticipantRef!.Trim(), type!.Value, occurredAt));
            }
        }

        if (errors.Count > 0)
        {
            var rows = string.Join(", ", errors.Keys.Take(20)) + (errors.Count > 20 ? $" and {errors.Count - 20} more" : "");
            throw new DomainException(ErrorCodes.Validation, $"The batch was refused whole; nothing was stored. Invalid rows: {rows}.",
                errors.Take(500).ToDictionary(e => $"changes[{e.Key}]", e => e.Value.ToArray(), StringComparer.Ordinal));
        }

        return result;
    }
}

public sealed class BatchQueries(AppDbContext db)
{
    public async Task<BatchStatusDto> Get(int organizationId, string batchId, CancellationToken ct) =>
        await Statuses(db.ParticipantBatches.Where(b => b.OrganizationId == organizationId && b.Id == batchId)).SingleOrDefaultAsync(ct)
            ?? throw Validation.NotFound("The batch");

    public async Task<IReadOnlyList<BatchStatusDto>> Recent(int organizationId, int eventId, int take, CancellationToken ct) =>
        await Statuses(db.ParticipantBatches.Where(b => b.OrganizationId == organizationId && b.EventId == eventId)
            .OrderByDescending(b => b.CreatedAt).Take(take)).ToListAsync(ct);

    private static IQueryable<BatchStatusDto> Statuses(IQueryable<ParticipantBatch> batches) =>
        batches.AsNoTracking().Select(b => new BatchStatusDto(b.Id, b.EventId, b.Status, b.Received, b.Applied, b.Duplicates, b.Error, b.Source, b.CreatedAt, b.UpdatedAt));
}
