namespace EntitlementsLive.Web.Live;

/// <summary>
/// Hub groups are per user: each connection joins its own user's group, and the notifier decides at every
/// push which users may see it (from memberships in the database). A removed membership therefore stops
/// pushes at once on every connection of that user, whichever node holds it.
/// </summary>
public static class LiveGroups
{
    public static string User(string userId) => "user:" + userId;
}
