using System.Security.Cryptography;
using System.Text;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Integrations;

public sealed record CreateKeyRequest(string? Name, IReadOnlyList<string>? Scopes = null);

public sealed record IntegrationKeyDto(int Id, string Name, string Prefix, IReadOnlyList<IntegrationScope> Scopes, string CreatedBy, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt);

/// <summary>The key itself is returned once, at creation; only its hash is stored.</summary>
public sealed record CreatedKey(IntegrationKeyDto Key, string Secret);

/// <summary>Integration keys of an organization's registration systems: created and revoked by its admins.</summary>
public sealed class IntegrationKeys(AppDbContext db, TimeProvider clock, AuditTrail audit)
{
    public const string Scheme = "elk";

    public async Task<CreatedKey> Create(int organizationId, CreateKeyRequest request, string actor, CancellationToken ct)
    {
        var check = new Validation();
        var name = request.Name?.Trim();
        if (!Text.IsPrintable(name, 100))
        {
            check.Add("name", "Name the key (1 to 100 printable characters), e.g. the registration system it is for.");
        }

        var scopes = new List<IntegrationScope>();
        foreach (var text in request.Scopes ?? [Names.Of(IntegrationScope.ParticipantChanges)])
        {
            if (!Names.TryParse<IntegrationScope>(text, out var scope))
            {
                check.Add("scopes", $"Unknown scope {text}: use {string.Join(" or ", Enum.GetValues<IntegrationScope>().Select(Names.Of))}.");
            }
            else if (!scopes.Contains(scope))
            {
                scopes.Add(scope);
            }
        }

        if (request.Scopes is { Count: 0 })
        {
            check.Add("scopes", "Give the key at least one scope.");
        }

        check.ThrowIfInvalid();

        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Secrets.New();
        var key = new IntegrationKey
        {
            OrganizationId = organizationId,
            Name = name!,
            Prefix = prefix,
            Scopes = scopes,
            SecretHash = Secrets.Hash(secret),
            CreatedBy = actor,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.IntegrationKeys.Add(key);
        audit.Add(organizationId, AuditAction.IntegrationKeyCreated, key.Name, "scopes: " + string.Join(", ", scopes.Select(Names.Of)));
        await db.SaveChangesAsync(ct);
        return new CreatedKey(ToDto(key), $"{Scheme}_{prefix}_{secret}");
    }

    public async Task<IReadOnlyList<IntegrationKeyDto>> List(int organizationId, CancellationToken ct) =>
        (await db.IntegrationKeys.AsNoTracking().Where(k => k.OrganizationId == organizationId).OrderByDescending(k => k.CreatedAt).ToListAsync(ct))
        .Select(ToDto).ToList();

    public async Task Revoke(int organizationId, int keyId, CancellationToken ct)
    {
        var key = await db.IntegrationKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.OrganizationId == organizationId, ct)
            ?? throw Validation.NotFound("The key");
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetUtcNow().UtcDateTime;
            audit.Add(organizationId, AuditAction.IntegrationKeyRevoked, key.Name);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>The organization and name of a valid, unrevoked key; null otherwise. Compares hashes in constant time.</summary>
    public async Task<IntegrationKey?> Verify(string presented, CancellationToken ct)
    {
        var parts = presented.Split('_', 3);
        if (parts.Length != 3 || parts[0] != Scheme)
        {
            return null;
        }

        var key = await db.IntegrationKeys.SingleOrDefaultAsync(k => k.Prefix == parts[1], ct);
        if (key is null || key.RevokedAt is not null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key.SecretHash), Encoding.ASCII.GetBytes(Secrets.Hash(parts[2]))))
        {
            return null;
        }

        return key;
    }

    private static IntegrationKeyDto ToDto(IntegrationKey k) => new(k.Id, k.Name, k.Prefix, k.Scopes, k.CreatedBy, k.CreatedAt, k.RevokedAt, k.LastUsedAt);
}
