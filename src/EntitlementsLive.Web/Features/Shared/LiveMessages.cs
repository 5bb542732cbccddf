using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The hub message of each domain event, built one way for every use case: the unit of work numbers the drafts, and
/// their payloads are written once the rows they name have ids. State messages (a pool's, an event's) appear once per
/// change with the newest figures; transactions and alerts are appended each.
/// </summary>
public sealed class LiveMessages : IOutboxDrafts
{
    public IReadOnlyList<OutboxDraft> Draft(OrganizationChange change)
    {
        var org = change.OrganizationId;
        var db = change.Db;
        var now = change.Now;
        var drafts = new List<OutboxDraft>(change.Events.Count + 1);
        var statePositions = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastCoverage = -1;
        var countsMoved = false;

        void State(string key, OutboxDraft draft)
        {
            // The newest figures of one pool or event, at the place of its first mention.
            if (statePositions.TryGetValue(key, out var at))
            {
                drafts[at] = draft;
            }
            else
            {
                statePositions[key] = drafts.Count;
                drafts.Add(draft);
            }
        }

        foreach (var e in change.Events)
        {
            switch (e)
            {
                case LedgerEntryRecorded recorded:
                    drafts.Add(new OutboxDraft(MessageTypes.TransactionRecorded, OutboxWriter.TransactionKey, null, async (sequence, ct) =>
                        Json(new TransactionRecordedMessage(org, sequence, Transaction(recorded.Entry, (await Snapshots.ProductsAsync(db, ct))[recorded.Entry.ProductCode].Name, recorded.EventName)), now),
                        recorded.Entry));
                    break;
                case PoolDebited debited:
                    State(OutboxWriter.PoolKey(debited.ProductCode), Pool(db, org, debited.ProductCode, debited.Purchased, debited.Transferred, debited.Available, now));
                    break;
                case PoolCredited credited:
                    State(OutboxWriter.PoolKey(credited.ProductCode), Pool(db, org, credited.ProductCode, credited.Purchased, credited.Transferred, credited.Available, now));
                    break;
                case CoverageChanged coverage:
                    var ev = coverage.Event;
                    countsMoved |= coverage.MissingCountsChanged;
                    State(OutboxWriter.EventKey(ev.Id), new OutboxDraft(MessageTypes.EventCoverageChanged, OutboxWriter.EventKey(ev.Id), ev.Id, async (sequence, ct) =>
                    {
                        var c = Snapshots.ToDto(ev, ev.Products, await Snapshots.ProductsAsync(db, ct), now);
                        return Json(new EventCoverageChangedMessage(org, sequence, c.Id, c.Name, c.Status, c.Missing, c.CountedParticipants, c.ActivatedParticipants, c.Products, c.ExternalRef, c.ProductionStatus), now);
                    }));
                    lastCoverage = Math.Max(lastCoverage, statePositions[OutboxWriter.EventKey(ev.Id)]);
                    break;
                case AlertChanged alert:
                    var a = alert.Alert;
                    drafts.Add(new OutboxDraft(a.IsOpen ? MessageTypes.AlertRaised : MessageTypes.AlertResolved, OutboxWriter.AlertKey, a.EventId,
                        (sequence, _) => Task.FromResult(Json(new AlertMessage(org, sequence, AlertDto.Of(a)), now))));
                    break;
                case RequestChanged request:
                    var r = request.Request;
                    var name = request.EventName;
                    State(OutboxWriter.RequestKey(r.EventId), new OutboxDraft(MessageTypes.EntitlementRequestChanged, OutboxWriter.RequestKey(r.EventId), r.EventId,
                        (sequence, _) => Task.FromResult(Json(new EntitlementRequestChangedMessage(org, sequence, RequestDto.Of(r, name)), now))));
                    break;
                default:
                    throw new InvalidOperationException($"No hub message for {e.GetType().Name}.");
            }
        }

        if (countsMoved)
        {
            // Read after the change is saved: the organization's counts as the change left them.
            drafts.Insert(lastCoverage + 1,
                new OutboxDraft(MessageTypes.MissingEntitlementsChanged, OutboxWriter.OrganizationKey, null, async (sequence, ct) =>
                {
                    var counts = await Snapshots.MissingCountsAsync(db, org, now, ct);
                    return Json(new MissingEntitlementsChangedMessage(org, sequence, counts.LiveEventsMissing, counts.PastEventsMissing), now);
                }));
        }

        return drafts;
    }

    /// <summary>A ledger row as the API, the pages and the live message show it.</summary>
    public static TransactionDto Transaction(LedgerEntry l, string productName, string? eventName) =>
        new(l.Id, l.Sequence, l.Kind, l.ProductCode, productName, l.Quantity, l.EventId, eventName, l.Actor, l.CreatedAt, l.Reference, l.BalanceAfter, l.Reason);

    private static OutboxDraft Pool(AppDbContext db, int org, string code, long purchased, long transferred, long available, DateTime now) =>
        new(MessageTypes.PoolBalanceChanged, OutboxWriter.PoolKey(code), null, async (sequence, ct) =>
        {
            var product = (await Snapshots.ProductsAsync(db, ct, code))[code];
            return Json(new PoolBalanceChangedMessage(org, sequence, code, product.Name, product.Kind, purchased, transferred, available), now);
        });

    private static string Json<T>(T payload, DateTime now) where T : LiveMessage => JsonSerializer.Serialize(payload with { At = now }, OutboxWriter.Json);
}
