namespace EntitlementsLive.Web.Features.Shared;

/// <summary>Told after a commit that wrote outbox rows, so the live notifier drains them at once.</summary>
public interface IChangeNotifier
{
    void Committed(int organizationId);
}
