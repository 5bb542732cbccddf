using System.Net;
using System.Net.Sockets;

namespace EntitlementsLive.Web.Features.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Lets webhooks target loopback and private networks (tests, an intranet). Off by default: no SSRF into the platform's own network.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The first retry's delay; each next one doubles it, up to an hour, for 24 hours.</summary>
    [System.ComponentModel.DataAnnotations.Range(0.05, 3_600)]
    public double RetryBaseSeconds { get; set; } = 10;

    [System.ComponentModel.DataAnnotations.Range(1, 168)]
    public int RetryHours { get; set; } = 24;

    [System.ComponentModel.DataAnnotations.Range(1, 60)]
    public int TimeoutSeconds { get; set; } = 10;
}

/// <summary>
/// Where a webhook may send: http or https, a public address. Checked when the webhook is created and again at every
/// connection (the name is resolved and each address checked, so a name that later points inside cannot be used).
/// </summary>
public static class WebhookTargets
{
    public const string ClientName = "webhooks";

    public static string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment) || url.Any(char.IsControl)
            || uri.IdnHost.Length is 0 or > 253)
        {
            return "The URL must be an absolute http or https address (no user name, no fragment, a host name of at most 253 characters), at most 2,000 characters.";
        }

        return null;
    }

    /// <summary>Whether an address is one a webhook must not reach unless private networks are allowed.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 || b[0] >= 224
                || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && b[1] is >= 64 and <= 127) || (b[0] == 192 && b[1] == 0 && b[2] == 0) || (b[0] == 198 && b[1] is 18 or 19);
        }

        // IPv6 that carries an IPv4 address (NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16) is judged by that address.
        var bytes = address.GetAddressBytes();
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b)
        {
            return IsPrivate(new IPAddress(bytes[12..16]));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return IsPrivate(new IPAddress(bytes[2..6]));
        }

        // Beyond those, only global unicast (2000::/3) is public.
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal || (bytes[0] & 0xE0) != 0x20;
    }

    /// <summary>The host's addresses a webhook may use; empty when it resolves only to refused ones.</summary>
    public static async Task<IPAddress[]> AllowedAddressesAsync(string host, bool allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        return allowPrivate ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
    }

    /// <summary>The connection step of the webhook client: only to an allowed address of the host.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken ct)
    {
        var addresses = await AllowedAddressesAsync(context.DnsEndPoint.Host, allowPrivate, ct);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves only to private or loopback addresses, which webhooks may not reach.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
