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
    /// <paramref name="given"/> without them, with <see cref="Note"/> when anything was left out. The user info is what
    /// comes before the last '@' of the authority, which ends at the first '/' only: a password holding '?' or '#' would
    /// otherwise be cut there, its first part shown as if it were the address. An '@' after that '/' is in the path or
    /// the query ('?user=ops@corp&amp;code=…'), not user info. Whatever is left that still reads like a query (an '=' or
    /// an '&amp;': no host or path of a service's address holds one) is not shown either.
    /// </summary>
    public static string WithoutSecrets(string given)
    {
        var start = given.IndexOf("//", StringComparison.Ordinal) is var slashes and >= 0 ? slashes + 2
            : given.IndexOf(":/", StringComparison.Ordinal) is var slash and >= 0 ? slash + 2
            : 0;
        var authorityEnd = given.IndexOf('/', start) is var path and >= 0 ? path : given.Length;
        var shown = given[start..authorityEnd].LastIndexOf('@') is var at and >= 0 ? given[..start] + "…@" + given[(start + at + 1)..] : given;
        shown = shown.IndexOfAny(['?', '#']) is var end and >= 0 ? shown[..end] : shown;
        if (shown.IndexOfAny(['=', '&'], start) >= 0)
        {
            shown = given[..start] + "…";
        }

        return shown == given ? given : shown + Note;
    }
}
