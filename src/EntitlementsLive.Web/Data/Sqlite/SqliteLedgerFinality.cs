using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>Rule 5 in the SQLite database itself: triggers refuse every UPDATE and DELETE of a ledger row.</summary>
public static class SqliteLedgerFinality
{
    public const string NoUpdate = "LedgerEntries_NoUpdate";
    public const string NoDelete = "LedgerEntries_NoDelete";

    public static IEnumerable<string> CreateTriggers() =>
    [
        $"CREATE TRIGGER {NoUpdate} BEFORE UPDATE ON LedgerEntries BEGIN SELECT RAISE(ABORT, '{Finality.Refusal}'); END;",
        $"CREATE TRIGGER {NoDelete} BEFORE DELETE ON LedgerEntries BEGIN SELECT RAISE(ABORT, '{Finality.Refusal}'); END;",
    ];
}
