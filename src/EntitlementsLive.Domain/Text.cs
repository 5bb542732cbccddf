namespace EntitlementsLive.Domain;

/// <summary>What every free-text field accepts: present, bounded, and free of control characters.</summary>
public static class Text
{
    public static bool IsPrintable(string? text, int max) => !string.IsNullOrWhiteSpace(text) && text.Length <= max && !text.Any(char.IsControl);

    /// <summary>
    /// Free text a person writes for another (a note, a reason): lines allowed, other control characters and invisible
    /// format characters (a right-to-left override would disguise it) refused.
    /// </summary>
    public static bool IsNote(string? text, int max) => !string.IsNullOrWhiteSpace(text) && text.Length <= max &&
        !text.Any(c => (char.IsControl(c) && c is not ('\n' or '\r' or '\t')) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
}
