using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The secrets the app hands out once (integration keys, invitation and reset links): random, URL-safe, and kept
/// only as a hash.
/// </summary>
public static class Secrets
{
    /// <summary>256 random bits, base64url without padding.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
