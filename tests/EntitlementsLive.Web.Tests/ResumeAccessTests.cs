using System.Security.Claims;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// The hub's Resume is authorized by the same policy handler as every request, with the organization as the resource
/// (Policies.LiveFollower): over every kind of person, it lets in exactly those the audience rule has hear something.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ResumeAccessTests(AppFactory app)
{
    // Each person's memberships, given the organization, its event, a second event of it and another organization;
    // and whether they follow the organization (hear anything of it).
    private static readonly (string Name, Func<string, int, int, int, int, Membership[]> Memberships, bool Follows)[] People =
    [
        ("administrator", (u, org, _, _, _) => [Membership.Administrator(u, org)], true),
        ("entitlement manager", (u, org, _, _, _) => [Membership.Manager(u, org)], true),
        ("administrator also on a team", (u, org, e, _, _) => [Membership.Administrator(u, org), Membership.Team(u, org, e)], true),
        ("the event's team", (u, org, e, _, _) => [Membership.Team(u, org, e)], true),
        ("another event's team", (u, org, _, other, _) => [Membership.Team(u, org, other)], true),
        ("the event's team, administrator elsewhere", (u, org, e, _, elsewhere) => [Membership.Team(u, org, e), Membership.Administrator(u, elsewhere)], true),
        ("another organization's administrator", (u, _, _, _, elsewhere) => [Membership.Administrator(u, elsewhere)], false),
        ("Ops", (u, _, _, _, _) => [Membership.Ops(u)], false),
        ("nobody's member", (_, _, _, _, _) => [], false),
    ];

    [Fact]
    public async Task EveryKindOfPerson_MayResume_ExactlyTheOrganizationsTheyFollow_AndNoneWhoseEntitlementsAreOff()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 2);
        var otherEvent = await app.NewOrganizationEvent(orgId);
        var (elsewhere, _) = await app.NewOrganization(subscriptions: 1);
        var failures = new List<string>();
        foreach (var (name, memberships, follows) in People)
        {
            var userId = await UserId(await app.NewUser(u => Membership.Administrator(u, elsewhere)));
            await app.WithDb(async db =>
            {
                db.Memberships.RemoveRange(db.Memberships.Where(m => m.UserId == userId));
                db.Memberships.AddRange(memberships(userId, orgId, eventId, otherEvent, elsewhere));
                return await db.SaveChangesAsync();
            });

            if (await Follows(userId, orgId) != follows)
            {
                failures.Add($"{name}: {(follows ? "refused" : "let in")}");
            }
        }

        await app.WithDb(async db =>
        {
            (await db.Organizations.SingleAsync(o => o.Id == orgId)).Activate(false);
            return await db.SaveChangesAsync();
        });
        var administrator = await UserId(await app.NewUser(u => Membership.Administrator(u, orgId)));
        if (await Follows(administrator, orgId))
        {
            failures.Add("an administrator let in to an organization whose entitlements are off");
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task ThroughTheHub_AFollowerReplays_AnOutsiderLearnsNothing_AndARemovedMembershipStopsTheNextResume()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 2);
        var (elsewhere, _) = await app.NewOrganization(subscriptions: 1);
        var teamEmail = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        await using var team = await LiveClient.Connect(app, teamEmail);
        await using var outsider = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, elsewhere)));
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);

        var followed = await team.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        Assert.True(followed.GetProperty("replayed").GetInt32() >= 1);
        Assert.True(followed.GetProperty("lastSequence").GetInt64() >= 1);
        var refused = await outsider.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        Assert.Equal((0, false, 0L), (refused.GetProperty("replayed").GetInt32(), refused.GetProperty("reloadRequired").GetBoolean(), refused.GetProperty("lastSequence").GetInt64()));

        // The same open connection, once its membership is removed: the next Resume is refused, not replayed.
        var teamId = await UserId(teamEmail);
        await app.WithDb(db => db.Memberships.Where(m => m.UserId == teamId).ExecuteDeleteAsync());
        var removed = await team.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        Assert.Equal((0, 0L), (removed.GetProperty("replayed").GetInt32(), removed.GetProperty("lastSequence").GetInt64()));
    }

    private Task<string> UserId(string email) => app.WithDb(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private async Task<bool> Follows(string userId, int orgId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var authorization = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "test"));
        return (await authorization.AuthorizeAsync(user, new OrganizationResource(orgId), Policies.LiveFollower)).Succeeded;
    }
}
