namespace EntitlementsLive.Domain;

/// <summary>What every free-text field accepts: present, bounded, and free of control characters.</summary>
public static class Text
{
    public static bool IsPrintable(string? text, int max) => !string.IsNullOrWhiteSpace(text) && text.Length <= max && !text.Any(char.IsControl);
}
