using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EntitlementsLive.Web.Data;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.Property(o => o.Name).HasMaxLength(200);
        b.Property(o => o.CreationKey).HasMaxLength(200);
        b.HasIndex(o => o.CreationKey).IsUnique();
        b.ToTable(t => t.HasCheckConstraint("CK_Organizations_LastSequence", "LastSequence >= 0"));
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.HasKey(p => p.Code);
        b.Property(p => p.Code).HasMaxLength(64);
        b.Property(p => p.Name).HasMaxLength(200);
        b.HasData(ProductCodes.BuiltIn());
    }
}

internal sealed class PoolConfiguration : IEntityTypeConfiguration<Pool>
{
    public void Configure(EntityTypeBuilder<Pool> b)
    {
        b.HasKey(p => new { p.OrganizationId, p.ProductCode });
        b.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId);
        b.HasOne<Product>().WithMany().HasForeignKey(p => p.ProductCode);
        // Rule 4 in the database itself: whatever writes, a pool never goes negative.
        b.ToTable(t =>
        {
            t.HasCheckConstraint("CK_Pools_AvailableNotNegative", "Available >= 0");
            t.HasCheckConstraint("CK_Pools_Balance", "Available = Purchased - Transferred");
        });
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> b)
    {
        b.ToTable("LedgerEntries", t =>
        {
            // Purchases and transfers move a positive quantity; an adjustment (kind 2) corrects up or down, never by zero.
            t.HasCheckConstraint("CK_LedgerEntries_Quantity", "Quantity <> 0 AND (Kind = 2 OR Quantity > 0)");
            // Declared so EF knows the table has triggers (they refuse UPDATE and DELETE; see SqliteLedgerFinality).
            t.HasTrigger(SqliteLedgerFinality.NoUpdate);
            t.HasTrigger(SqliteLedgerFinality.NoDelete);
        });
        b.HasIndex(e => new { e.OrganizationId, e.IdempotencyKey }).IsUnique();
        b.HasIndex(e => new { e.OrganizationId, e.Id });
        // History filters: each filter has an index that also yields the newest-first order, so a page
        // reads only its own rows however long the history is.
        b.HasIndex(e => new { e.OrganizationId, e.ProductCode, e.Id });
        b.HasIndex(e => new { e.OrganizationId, e.EventId, e.Id });
        b.HasIndex(e => new { e.OrganizationId, e.Kind, e.Id });
        b.HasIndex(e => new { e.EventId, e.Id });
        b.Property(e => e.ProductCode).HasMaxLength(64);
        b.Property(e => e.Actor).HasMaxLength(256);
        b.Property(e => e.Reference).HasMaxLength(200);
        b.Property(e => e.Reason).HasMaxLength(500);
        b.Property(e => e.IdempotencyKey).HasMaxLength(200);
        b.Property(e => e.RequestFingerprint).HasMaxLength(400);
        b.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId);
        b.HasOne<Product>().WithMany().HasForeignKey(e => e.ProductCode);
        b.HasOne<Event>().WithMany().HasForeignKey(e => e.EventId);
    }
}

internal sealed class EventConfiguration : IEntityTypeConfiguration<Event>
{
    public void Configure(EntityTypeBuilder<Event> b)
    {
        b.Property(e => e.Name).HasMaxLength(200);
        b.Property(e => e.ExternalRef).HasMaxLength(200);
        b.Property(e => e.TimeZone).HasMaxLength(Event.TimeZoneMaxLength);
        b.HasIndex(e => new { e.OrganizationId, e.ExternalRef }).IsUnique();
        b.Ignore(e => e.RequiresEntitlements);
        b.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId);
        b.HasMany(e => e.Products).WithOne().HasForeignKey(p => p.EventId);
        b.Navigation(e => e.Products).UsePropertyAccessMode(PropertyAccessMode.Field);
        // The Events tab's lists read ids from these alone (the end is in each, so "live" and "past" are decided in the
        // index): Past by its end, Live by its start, and each again for "missing only".
        b.HasIndex(e => new { e.OrganizationId, e.EndsAt });
        b.HasIndex(e => new { e.OrganizationId, e.StartsAt, e.EndsAt });
        b.HasIndex(e => new { e.OrganizationId, e.IsMissing, e.EndsAt });
        b.HasIndex(e => new { e.OrganizationId, e.IsMissing, e.StartsAt, e.EndsAt });
        b.HasIndex(e => new { e.PastAnnounced, e.EndsAt });
        b.ToTable(t =>
        {
            t.HasCheckConstraint("CK_Events_Counters", "CountedParticipants >= 0 AND ActivatedParticipants >= 0");
        });
    }
}

internal sealed class EventProductConfiguration : IEntityTypeConfiguration<EventProduct>
{
    public void Configure(EntityTypeBuilder<EventProduct> b)
    {
        b.HasKey(p => new { p.EventId, p.ProductCode });
        b.HasOne<Product>().WithMany().HasForeignKey(p => p.ProductCode);
        b.Ignore(p => p.Missing);
        b.ToTable(t => t.HasCheckConstraint("CK_EventProducts_NotNegative", "Required >= 0 AND Allocated >= 0"));
    }
}

internal sealed class ParticipantConfiguration : IEntityTypeConfiguration<Participant>
{
    public void Configure(EntityTypeBuilder<Participant> b)
    {
        b.HasIndex(p => new { p.EventId, p.Reference }).IsUnique();

        // The participants list reads one (state, activated) range at a time, in reference order: see ParticipantQueries.
        b.HasIndex(p => new { p.EventId, p.State, p.AppActivated, p.Reference });
        b.Property(p => p.Reference).HasMaxLength(200);
        b.HasOne<Event>().WithMany().HasForeignKey(p => p.EventId);
        b.Ignore(p => p.Counted);
        b.Ignore(p => p.Reason);
    }
}

internal sealed class AppliedChangeConfiguration : IEntityTypeConfiguration<AppliedChange>
{
    public void Configure(EntityTypeBuilder<AppliedChange> b)
    {
        b.HasKey(c => new { c.OrganizationId, c.ChangeId });
        b.Property(c => c.ChangeId).HasMaxLength(200);
        // No index by batch: a batch's figures move inside its chunks' transactions (ProcessParticipantBatch), so nothing
        // counts a batch's rows, and every applied change was paying for a fourth B-tree.
        b.Property(c => c.BatchId).HasMaxLength(32);
        b.Property(c => c.ParticipantRef).HasMaxLength(200);
        b.Property(c => c.Note).HasMaxLength(100);
        b.HasIndex(c => new { c.EventId, c.ParticipantRef });
    }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> b)
    {
        b.HasIndex(m => m.UserId);
        b.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId);
        b.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId);
        b.HasOne<Event>().WithMany().HasForeignKey(m => m.EventId);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("Outbox");
        b.HasIndex(m => new { m.OrganizationId, m.Sequence }).IsUnique();
        b.Property(m => m.Type).HasMaxLength(64);
        b.Property(m => m.Key).HasMaxLength(128);
    }
}

internal sealed class OutboxCursorConfiguration : IEntityTypeConfiguration<OutboxCursor>
{
    public void Configure(EntityTypeBuilder<OutboxCursor> b)
    {
        b.HasKey(c => c.OrganizationId);
        b.Property(c => c.OrganizationId).ValueGeneratedNever();
    }
}

internal sealed class ParticipantBatchConfiguration : IEntityTypeConfiguration<ParticipantBatch>
{
    public void Configure(EntityTypeBuilder<ParticipantBatch> b)
    {
        b.Property(x => x.Id).HasMaxLength(32);
        b.Property(x => x.Status).HasMaxLength(16)
            .HasConversion(v => v.ToString().ToLowerInvariant(), v => Enum.Parse<BatchStatus>(v, true));
        b.Property(x => x.Source).HasMaxLength(256);
        b.Property(x => x.JobId).HasMaxLength(64);
        b.HasIndex(x => new { x.Status, x.UpdatedAt });
        b.HasIndex(x => new { x.EventId, x.CreatedAt });
        b.HasOne<Organization>().WithMany().HasForeignKey(x => x.OrganizationId);
        b.HasOne<Event>().WithMany().HasForeignKey(x => x.EventId);
    }
}

internal sealed class ParticipantBatchChangesConfiguration : IEntityTypeConfiguration<ParticipantBatchChanges>
{
    public void Configure(EntityTypeBuilder<ParticipantBatchChanges> b)
    {
        b.HasKey(x => x.BatchId);
        b.Property(x => x.BatchId).HasMaxLength(32);
        b.HasOne<ParticipantBatch>().WithOne().HasForeignKey<ParticipantBatchChanges>(x => x.BatchId);
    }
}

internal sealed class StoredCoveragePlanConfiguration : IEntityTypeConfiguration<StoredCoveragePlan>
{
    public void Configure(EntityTypeBuilder<StoredCoveragePlan> b)
    {
        b.ToTable("CoveragePlans");
        b.Property(x => x.Id).HasMaxLength(32);
        b.Property(x => x.CreatedBy).HasMaxLength(256);
        b.Property(x => x.ExecutedBy).HasMaxLength(256);
        b.Property(x => x.ExecutionKey).HasMaxLength(200);

        // Rule 7 for plans: one key executes one plan of the organization.
        b.HasIndex(x => new { x.OrganizationId, x.ExecutionKey }).IsUnique();
        b.HasIndex(x => x.CreatedAt);
        b.HasOne<Organization>().WithMany().HasForeignKey(x => x.OrganizationId);
    }
}

internal sealed class EntitlementRequestConfiguration : IEntityTypeConfiguration<EntitlementRequest>
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<EntitlementRequest> b)
    {
        b.Property(r => r.RequestedById).HasMaxLength(450);
        b.Property(r => r.RequestedByName).HasMaxLength(256);
        b.Property(r => r.RequestedByEmail).HasMaxLength(256);
        b.Property(r => r.ResolvedByName).HasMaxLength(256);
        b.Property(r => r.ResolvedByEmail).HasMaxLength(256);
        b.Property(r => r.Note).HasMaxLength(EntitlementRequest.NoteMaxLength);
        b.Property(r => r.Reason).HasMaxLength(EntitlementRequest.ReasonMaxLength);
        b.Property(r => r.ApprovalKey).HasMaxLength(200);
        b.Property(r => r.PlanId).HasMaxLength(32);
        b.Property(r => r.Missing).HasConversion(
            v => System.Text.Json.JsonSerializer.Serialize(v, Json),
            v => System.Text.Json.JsonSerializer.Deserialize<List<PlanShortfall>>(v, Json) ?? new List<PlanShortfall>(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<PlanShortfall>>((a, c) => a!.SequenceEqual(c!), v => v.Count, v => v.ToList()));
        b.Ignore(r => r.IsOpen);

        // Rule 15: one open request per event, whatever runs at the same time.
        b.HasIndex(r => new { r.OrganizationId, r.OpenEventId }).IsUnique();
        b.HasIndex(r => new { r.OrganizationId, r.Id });
        b.HasIndex(r => new { r.EventId, r.Id });
        b.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId);
        b.HasOne<Event>().WithMany().HasForeignKey(r => r.EventId);
    }
}

internal sealed class IntegrationKeyConfiguration : IEntityTypeConfiguration<IntegrationKey>
{
    public void Configure(EntityTypeBuilder<IntegrationKey> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Prefix).HasMaxLength(32);
        b.Property(x => x.SecretHash).HasMaxLength(128);
        b.HasIndex(x => x.Prefix).IsUnique();
        b.Property(x => x.Scopes).HasMaxLength(200).HasConversion(
            v => string.Join(',', v.Select(s => s.ToString())),
            v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<IntegrationScope>).ToList(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<IntegrationScope>>(
                (a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s)), v => v.ToList()));
        b.HasOne<Organization>().WithMany().HasForeignKey(x => x.OrganizationId);
    }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> b)
    {
        b.Property(i => i.Email).HasMaxLength(256);
        b.Property(i => i.TokenHash).HasMaxLength(128);
        b.Property(i => i.CreatedBy).HasMaxLength(256);
        b.HasIndex(i => i.TokenHash).IsUnique();
        b.HasIndex(i => new { i.OrganizationId, i.UsedAt });
        b.HasIndex(i => i.Email);
        b.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId);
        b.HasOne<Event>().WithMany().HasForeignKey(i => i.EventId);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("AuditEntries", t =>
        {
            t.HasTrigger(SqliteLedgerFinality.AuditNoUpdate);
            t.HasTrigger(SqliteLedgerFinality.AuditNoDelete);
        });
        b.Property(e => e.Actor).HasMaxLength(256);
        b.Property(e => e.From).HasMaxLength(64);
        b.Property(e => e.Subject).HasMaxLength(256);
        b.Property(e => e.Details).HasMaxLength(500);
        b.HasIndex(e => new { e.OrganizationId, e.Id });
        b.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId);
    }
}

internal sealed class PoolThresholdConfiguration : IEntityTypeConfiguration<PoolThreshold>
{
    public void Configure(EntityTypeBuilder<PoolThreshold> b)
    {
        b.Property(t => t.ProductCode).HasMaxLength(64);
        b.HasIndex(t => new { t.OrganizationId, t.ProductCode });
        b.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId);
        b.HasOne<Product>().WithMany().HasForeignKey(t => t.ProductCode);
    }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> b)
    {
        b.Property(a => a.ProductCode).HasMaxLength(64);
        b.Property(a => a.Message).HasMaxLength(500);
        b.Property(a => a.OpenKey).HasMaxLength(64);
        b.Ignore(a => a.IsOpen);

        // One open alert per threshold or event, whatever runs at the same time; resolved ones free their key.
        b.HasIndex(a => new { a.OrganizationId, a.OpenKey }).IsUnique();
        b.HasIndex(a => new { a.OrganizationId, a.Id });
        b.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId);
    }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> b)
    {
        b.Property(w => w.Url).HasMaxLength(2000);
        b.Property(w => w.Events).HasMaxLength(200);
        b.Property(w => w.ProtectedSecret).HasMaxLength(1000);
        b.Property(w => w.CreatedBy).HasMaxLength(256);
        b.HasIndex(w => w.OrganizationId);
        b.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId);
    }
}

internal sealed class NotificationSettingsConfiguration : IEntityTypeConfiguration<NotificationSettings>
{
    public void Configure(EntityTypeBuilder<NotificationSettings> b)
    {
        b.HasKey(n => n.UserId);
        b.Property(n => n.UserId).HasMaxLength(450);
    }
}

internal sealed class MailNotificationConfiguration : IEntityTypeConfiguration<MailNotification>
{
    public void Configure(EntityTypeBuilder<MailNotification> b)
    {
        b.Property(n => n.UserId).HasMaxLength(450);
        b.Property(n => n.Email).HasMaxLength(256);
        b.Property(n => n.Kind).HasMaxLength(32);
        b.Property(n => n.Text).HasMaxLength(1000);
        b.Property(n => n.Link).HasMaxLength(300);
        b.Property(n => n.ClaimToken).HasMaxLength(32);
        b.Property(n => n.LastError).HasMaxLength(500);

        // Never twice: one notification per user and outbox message, whichever node drains it, however often.
        b.HasIndex(n => new { n.UserId, n.OrganizationId, n.Sequence }).IsUnique();
        b.HasIndex(n => new { n.SentAt, n.NextAttemptAt });
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> b)
    {
        b.Property(a => a.Error).HasMaxLength(500);
        b.HasIndex(a => new { a.DeliveryId, a.Id });
        b.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.Property(d => d.EventType).HasMaxLength(64);
        b.Property(d => d.LastError).HasMaxLength(500);
        b.Property(d => d.JobId).HasMaxLength(64);
        b.HasIndex(d => new { d.EndpointId, d.Sequence }).IsUnique();
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId);
    }
}
