using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Integrations;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using EntitlementsLive.Web.Features.Transfers;

namespace EntitlementsLive.Web.Features;

public static class FeatureServices
{
    /// <summary>One handler per use case, shared by pages, the API and jobs.</summary>
    public static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(new Shared.StoredClock(TimeProvider.System));
        services.AddMemoryCache(o => o.SizeLimit = 10_000);
        services.AddHttpContextAccessor();
        services.AddSingleton<Data.IOutboxDrafts, LiveMessages>();
        services.AddScoped<CurrentUser>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<AuditQueries>();
        services.AddScoped<TransferToEvent>();
        services.AddScoped<TransferFormQuery>();
        services.AddScoped<Plans.MakeCoveragePlan>();
        services.AddScoped<Forecasts.ForecastQueries>();
        services.AddScoped<Requests.RequestQueries>();
        services.AddScoped<Requests.AskForEntitlements>();
        services.AddScoped<Requests.ApproveRequest>();
        services.AddScoped<Requests.DeclineRequest>();
        services.AddScoped<Forecasts.SweepProjectedShortfalls>();
        services.AddScoped<Plans.ExecuteCoveragePlan>();
        services.AddScoped<RecordPurchase>();
        services.AddScoped<ApplyParticipantChanges>();
        services.AddScoped<SubmitParticipantChanges>();
        services.AddScoped<BatchQueries>();
        services.AddScoped<ParticipantQueries>();
        services.AddScoped<ParticipantsScreenQuery>();
        services.AddScoped<Alerts.AlertQueries>();
        services.AddOptions<Webhooks.WebhookOptions>().BindConfiguration(Webhooks.WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<Webhooks.ManageWebhooks>();
        services.AddScoped<IOutboxObserver, Webhooks.WebhookFanout>();
        services.AddScoped<IOutboxObserver, Notifications.MailFanout>();
        services.AddScoped<Notifications.NotificationSettingsStore>();
        services.AddOptions<Notifications.NotificationOptions>().BindConfiguration(Notifications.NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Notifications.MailSender>();
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.MailSender>());
        services.AddScoped<Webhooks.DeliverWebhook>();
        services.AddScoped<Webhooks.RequeueWebhookDeliveries>();
        services.AddHttpClient(Webhooks.WebhookTargets.ClientName, (sp, client) =>
            {
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Webhooks.WebhookOptions>>().Value.TimeoutSeconds);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("EntitlementsLive-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var allowPrivate = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Webhooks.WebhookOptions>>().Value.AllowPrivateNetworks;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    ConnectCallback = (context, ct) => Webhooks.WebhookTargets.ConnectAsync(context, allowPrivate, ct),
                };
            });
        services.AddScoped<Alerts.SetThresholds>();
        services.AddScoped<Alerts.SweepUncoveredSoon>();
        services.AddScoped<Alerts.SetAlertSettings>();
        services.AddScoped<PoolQueries>();
        services.AddScoped<PoolsScreenQuery>();
        services.AddScoped<EventQueries>();
        services.AddScoped<EventsScreenQuery>();
        services.AddScoped<EventScreenQuery>();
        services.AddScoped<Plans.CoverScreenQuery>();
        services.AddScoped<TransactionQueries>();
        services.AddScoped<HistoryScreenQuery>();
        services.AddScoped<TransactionExport>();
        services.AddScoped<Organizations.TabExports>();
        services.AddScoped<OrganizationQueries>();
        services.AddScoped<Organizations.WarmUp>();
        services.AddScoped<OpsScreenQuery>();
        services.AddScoped<Navigation>();
        services.AddScoped<Memberships>();
        services.AddScoped<MembersScreenQuery>();
        services.AddScoped<MemberForms>();
        services.AddScoped<IntegrationKeys>();
        services.AddScoped<AutoCover>();
        services.AddScoped<UploadParticipantChanges>();
        services.AddScoped<ProcessParticipantBatch>();
        services.AddScoped<RequeueOrphanBatches>();
        services.AddScoped<ReconcileCounters>();
        services.AddScoped<AnnouncePastEvents>();
        services.AddScoped<PruneOutbox>();
        services.AddScoped<RefreshPlannerStatistics>();
        services.AddScoped<ProductCatalog>();
        services.AddScoped<SyncEvent>();
        services.AddScoped<CreateOrganization>();
        services.AddScoped<SetActivation>();
        services.AddScoped<AddProduct>();
        services.AddScoped<RecordAdjustment>();
        services.AddOptions<InvitationOptions>().BindConfiguration(InvitationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<InviteMember>();
        services.AddScoped<AcceptInvitation>();
        services.AddScoped<Auth.PasswordSignIn>();
        services.AddScoped<IssuePasswordReset>();
        services.AddScoped<Bootstrap>();
        return services;
    }
}
