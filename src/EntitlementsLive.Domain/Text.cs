namespace EntitlementsLive.Domain;

/// <summary>What every free-text field accepts: present, bounded, and free of control characters.</summary>
public static class Text
{
    /// <summary>
    /// A name, a reference, a key: one line of visible text. Control characters and invisible format characters are
    /// refused (a right-to-left override would make "gpj.exe" read "exe.jpg"), but the zero-width joiner and non-joiner,
    /// which some scripts and emoji need; so is a lone half of a surrogate pair.
    /// </summary>
    public static bool IsPrintable(string? text, int max) => !string.IsNullOrWhiteSpace(text) && text.Length <= max &&
        !text.Any(c => char.IsControl(c) || IsInvisibleFormat(c)) && IsWellFormed(text);

    /// <summary>
    /// Free text a person writes for another (a note, a reason): lines allowed, other control characters and invisible
    /// format characters (a right-to-left override would disguise it) refused.
    /// </summary>
    public static bool IsNote(string? text, int max) => !string.IsNullOrWhiteSpace(text) && text.Length <= max &&
        !text.Any(c => (char.IsControl(c) && c is not ('\n' or '\r' or '\t')) || IsInvisibleFormat(c)) && IsWellFormed(text);

    private static bool IsInvisibleFormat(char c) =>
        c is not ('\u200C' or '\u200D') && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
