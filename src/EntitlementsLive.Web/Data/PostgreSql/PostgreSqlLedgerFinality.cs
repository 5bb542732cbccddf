using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data.PostgreSql;

/// <summary>
/// Rule 5 in the PostgreSQL database itself: triggers refuse every UPDATE, DELETE and TRUNCATE of a ledger row and of
/// an audit entry, with the same words as SQLite's triggers.
/// </summary>
public static class PostgreSqlLedgerFinality
{
    public static IEnumerable<string> CreateTriggers() =>
    [
        """
        CREATE FUNCTION entitlements_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
        END
        $$;
        """,
        .. Refuse("LedgerEntries", Finality.Refusal),
        .. Refuse("AuditEntries", AuditEntry.Refusal),
    ];

    private static IEnumerable<string> Refuse(string table, string refusal)
    {
        var message = refusal.Replace("'", "''", StringComparison.Ordinal);
        yield return $"""CREATE TRIGGER "{table}_NoUpdate" BEFORE UPDATE ON "{table}" FOR EACH ROW EXECUTE FUNCTION entitlements_refuse_change('{message}');""";
        yield return $"""CREATE TRIGGER "{table}_NoDelete" BEFORE DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION entitlements_refuse_change('{message}');""";
        yield return $"""CREATE TRIGGER "{table}_NoTruncate" BEFORE TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION entitlements_refuse_change('{message}');""";
    }
}
