using EntitlementsLive.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EntitlementsLive.Web.Data;

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
}

/// <summary>
/// The one context. On SQLite (the default) it is used as is; on PostgreSQL its subclass
/// <see cref="PostgreSql.PostgreSqlDbContext"/> carries that provider's migrations and conventions.
/// </summary>
public class AppDbContext : IdentityDbContext<AppUser>, Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    public AppDbContext(DbContextOptions<AppDbContext> options)
        : base(options)
    {
    }

    protected AppDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Product> Products => Set<Product>();

    public DbSet<Pool> Pools => Set<Pool>();

    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();

    public DbSet<Event> Events => Set<Event>();

    public DbSet<EventProduct> EventProducts => Set<EventProduct>();

    public DbSet<Participant> Participants => Set<Participant>();

    public DbSet<AppliedChange> AppliedChanges => Set<AppliedChange>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<OutboxCursor> OutboxCursors => Set<OutboxCursor>();

    public DbSet<ParticipantBatch> ParticipantBatches => Set<ParticipantBatch>();

    public DbSet<ParticipantBatchChanges> ParticipantBatchChanges => Set<ParticipantBatchChanges>();

    public DbSet<IntegrationKey> IntegrationKeys => Set<IntegrationKey>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<PoolThreshold> PoolThresholds => Set<PoolThreshold>();

    /// <summary>The keys behind cookies, bearer tokens, anti-forgery tokens and webhook secrets: in the database, so every node and every restart shares them.</summary>
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys => Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    public DbSet<Alert> Alerts => Set<Alert>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<StoredCoveragePlan> CoveragePlans => Set<StoredCoveragePlan>();

    public DbSet<EntitlementRequest> EntitlementRequests => Set<EntitlementRequest>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    public DbSet<NotificationSettings> NotificationSettings => Set<NotificationSettings>();

    public DbSet<MailNotification> MailNotifications => Set<MailNotification>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is UTC; SQLite keeps text, so say so when reading it back.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>A participant change already applied; its id makes a change idempotent (rule 7).</summary>
public sealed class AppliedChange
{
    public int OrganizationId { get; set; }

    public string ChangeId { get; set; } = "";

    public int EventId { get; set; }

    /// <summary>The batch that applied it, so a batch's figures stay exact across retries.</summary>
    public string? BatchId { get; set; }

    // What the change was, so each participant's history can be shown (empty on rows applied before it was kept).
    public string? ParticipantRef { get; set; }

    public ParticipantChangeType? Type { get; set; }

    public DateTime? OccurredAt { get; set; }

    public DateTime? AppliedAt { get; set; }

    /// <summary>Why the change left the participant as it was, decided when it was applied (null: it took effect).</summary>
    public string? Note { get; set; }
}

/// <summary>How far the notifier has pushed each organization's outbox, so a restart drains the rest.</summary>
public sealed class OutboxCursor
{
    public int OrganizationId { get; set; }

    public long Sequence { get; set; }
}
