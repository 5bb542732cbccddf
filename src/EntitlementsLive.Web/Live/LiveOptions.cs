using System.ComponentModel.DataAnnotations;

namespace EntitlementsLive.Web.Live;

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>
    /// Drains are at least this far apart: a lone change is pushed at once, while a burst of changes to one
    /// event or pool within the window becomes one push of the newest figures.
    /// </summary>
    [Range(0, 5_000)]
    public int CoalesceWindowMs { get; set; } = 20;

    /// <summary>How often the pushed position is saved (a restart re-pushes at most this much; screens ignore repeats).</summary>
    [Range(100, 60_000)]
    public int CursorSaveIntervalMs { get; set; } = 1_000;

    /// <summary>A safety net: drain every organization this often even without a signal.</summary>
    [Range(100, 600_000)]
    public int SweepIntervalMs { get; set; } = 5_000;

    /// <summary>
    /// A screen that nothing was sent to for this long gets a Heartbeat with the latest sequence of what it follows,
    /// so a message lost just before a quiet is found and resumed within about this time (API.md).
    /// </summary>
    [Range(1, 3_600)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>
    /// Browser origins, besides the app's own, that may open the hub (WebSockets are not covered by CORS,
    /// so the hub checks the Origin header itself).
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// The clock the live push waits on (the coalescing window, the sweep, the cursor saves): the system's, a keyed
/// service of its own so a test that moves the app's business clock does not hold pushes back.
/// </summary>
public static class LiveTiming
{
    public const string Clock = "live-timing";
}
