namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>A parsed document: its pages, each with text, markdown and structured items, or the error it failed with.</summary>
internal sealed record ParseOutput(IReadOnlyList<ParsedPage> Pages, bool FromText)
{
    /// <summary>
    /// The pages that parsed, joined: a failed page has no content, and what the service puts in its place in
    /// <c>text_full</c> and <c>markdown_full</c> is not documented (a guess: nothing; docs/llamacloud-api.md §6.2).
    /// </summary>
    public string TextFull => string.Join("\n\n", Pages.Where(p => p.Error is null).Select(p => p.Text));

    public string MarkdownFull => string.Join("\n\n", Pages.Where(p => p.Error is null).Select(p => p.Markdown));

    /// <summary>The same document with its even-numbered pages failed (a one-page document: its only page), the failed-pages fault.</summary>
    public ParseOutput WithFailedPages() => this with
    {
        Pages = [.. Pages.Select(p => p.Number % 2 == 0 || Pages.Count == 1
            ? p with { Text = "", Markdown = "", Items = [], Error = $"Page {p.Number} could not be processed: the page image could not be read" }
            : p)],
    };
}

/// <summary>One page of output; <see cref="Error"/> set when the page failed (then it has no content).</summary>
internal sealed record ParsedPage(int Number, string Text, string Markdown, IReadOnlyList<ItemDto> Items, string? Error = null);
