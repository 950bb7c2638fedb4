namespace BatchOrchestrator.Core.Validation;

/// <summary>
/// A configured URL that did not parse, as a message may quote it: without what would be its user name and password
/// (before an '@') or its query or fragment, which are likely secrets ('ftp://alice:pw@host/', 'host?key=…', a
/// gateway's '?code=…' on Webhooks:PublicUrl). A URL that parsed is shown by its own components instead.
/// </summary>
internal static class UrlShown
{
    public const string Note = " (its user name, password, query or fragment not shown)";

    /// <summary>
    /// <paramref name="given"/> without them, with <see cref="Note"/> when anything was left out. The user info goes
    /// first, up to the last '@' of the whole text: a password holding '?' or '#' would otherwise be cut there, its
    /// first part shown as if it were the address.
    /// </summary>
    public static string WithoutSecrets(string given)
    {
        var shown = given;
        if (shown.LastIndexOf('@') is var at and >= 0)
        {
            var start = shown.IndexOf("//", StringComparison.Ordinal) is var slashes and >= 0 ? slashes + 2
                : shown.IndexOf(":/", StringComparison.Ordinal) is var slash and >= 0 ? slash + 2
                : 0;
            shown = at >= start ? shown[..start] + "…@" + shown[(at + 1)..] : shown;
        }

        shown = shown.IndexOfAny(['?', '#']) is var end and >= 0 ? shown[..end] : shown;
        return shown == given ? given : shown + Note;
    }
}
