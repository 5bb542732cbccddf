using EntitlementsLive.Domain;
using EntitlementsLive.Web.Live;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// One rule of who hears which live message, over every role and message kind: the drain's addressing, Resume's replay
/// filter and the heartbeat's addressing (all LiveAudience) answer as the contract says.
/// </summary>
public class AudienceTests
{
    private const int Org = 1, OtherOrg = 2, OwnEvent = 10, OtherEvent = 11;

    private static readonly string[] Kinds =
    [
        MessageTypes.PoolBalanceChanged, MessageTypes.EventCoverageChanged, MessageTypes.MissingEntitlementsChanged,
        MessageTypes.TransactionRecorded, MessageTypes.AlertRaised, MessageTypes.AlertResolved, MessageTypes.EntitlementRequestChanged,
    ];

    public static TheoryData<string, string, int?> Cases()
    {
        var data = new TheoryData<string, string, int?>();
        foreach (var person in People.Keys)
        {
            foreach (var type in Kinds)
            {
                foreach (var eventId in new int?[] { OwnEvent, OtherEvent, null })
                {
                    data.Add(person, type, eventId);
                }
            }
        }

        return data;
    }

    // Each person, with what the contract says they hear of the organization's messages.
    private static readonly Dictionary<string, (Func<string, Membership>[] Memberships, Func<string, int?, bool> Hears)> People = new()
    {
        ["administrator"] = ([u => Membership.Administrator(u, Org)], (_, _) => true),
        ["entitlement manager"] = ([u => Membership.Manager(u, Org)], (_, _) => true),
        ["administrator also on a team"] = ([u => Membership.Administrator(u, Org), u => Membership.Team(u, Org, OwnEvent)], (_, _) => true),
        ["the event's team"] = ([u => Membership.Team(u, Org, OwnEvent)], TeamOfOwnEvent),
        ["the event's team, administrator elsewhere"] = ([u => Membership.Team(u, Org, OwnEvent), u => Membership.Administrator(u, OtherOrg)], TeamOfOwnEvent),
        ["another organization's administrator"] = ([u => Membership.Administrator(u, OtherOrg)], (_, _) => false),
        ["Ops"] = ([Membership.Ops], (_, _) => false),
        ["nobody's member"] = ([], (_, _) => false),
    };

    private static bool TeamOfOwnEvent(string type, int? eventId) =>
        eventId == OwnEvent && type is MessageTypes.EventCoverageChanged or MessageTypes.EntitlementRequestChanged;

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryRole_HearsEachMessageKind_ByOneRule(string person, string type, int? eventId)
    {
        var (memberships, contract) = People[person];
        var user = "user-" + person.Replace(' ', '-');
        var own = memberships.Select(m => m(user)).ToList();
        // The organization's whole membership: this person among others, so the audience is not theirs alone.
        var organization = own.Concat([Membership.Administrator("someone-else", Org), Membership.Team("a-teammate", Org, OwnEvent)])
            .Where(m => m.OrganizationId == Org).ToList();
        var row = new OutboxMessage(Org, 42, type, type + ":" + eventId, eventId, "{}", DateTime.UtcNow);

        var expected = contract(type, eventId);
        var audience = LiveAudience.Of(Org, organization);
        var group = LiveGroups.User(user);
        // The drain: the managers' groups get every row, a row's team groups its team messages.
        Assert.Equal(expected, audience.Managers.Contains(group) || audience.TeamOf(row).Contains(group));
        // Resume: the replay filter the database runs.
        Assert.Equal(expected, LiveAudience.ReplayFilter(own, Org)?.Compile()(row) ?? false);
        // The heartbeat: addressed to everyone who hears anything of the organization, and to no one else.
        var hearsAnything = Kinds.Any(kind => new int?[] { OwnEvent, OtherEvent, null }.Any(e => contract(kind, e)));
        Assert.Equal(hearsAnything, audience.Managers.Contains(group) || audience.TeamMembers.Contains(group));
    }
}
