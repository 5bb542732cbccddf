using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>
/// Rule 5 in the SQLite database itself: triggers refuse every UPDATE and DELETE of a ledger row, and of an
/// audit entry (append-only too).
/// </summary>
public static class SqliteLedgerFinality
{
    public const string NoUpdate = "LedgerEntries_NoUpdate";
    public const string NoDelete = "LedgerEntries_NoDelete";
    public const string AuditNoUpdate = "AuditEntries_NoUpdate";
    public const string AuditNoDelete = "AuditEntries_NoDelete";

    public static IEnumerable<string> CreateTriggers() =>
    [
        $"CREATE TRIGGER {NoUpdate} BEFORE UPDATE ON LedgerEntries BEGIN SELECT RAISE(ABORT, '{Finality.Refusal}'); END;",
        $"CREATE TRIGGER {NoDelete} BEFORE DELETE ON LedgerEntries BEGIN SELECT RAISE(ABORT, '{Finality.Refusal}'); END;",
        $"CREATE TRIGGER {AuditNoUpdate} BEFORE UPDATE ON AuditEntries BEGIN SELECT RAISE(ABORT, '{AuditEntry.Refusal}'); END;",
        $"CREATE TRIGGER {AuditNoDelete} BEFORE DELETE ON AuditEntries BEGIN SELECT RAISE(ABORT, '{AuditEntry.Refusal}'); END;",
    ];
}
