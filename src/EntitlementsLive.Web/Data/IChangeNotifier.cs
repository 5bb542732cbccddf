namespace EntitlementsLive.Web.Data;

/// <summary>
/// Told after a commit that wrote outbox rows, so the live notifier drains them at once. Only the organization's unit
/// of work (<see cref="OrganizationWrite"/>) tells it.
/// </summary>
public interface IChangeNotifier
{
    void Committed(int organizationId);
}
