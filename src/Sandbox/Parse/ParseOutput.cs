namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>A parsed document: its pages, each with text, markdown and structured items.</summary>
internal sealed record ParseOutput(IReadOnlyList<ParsedPage> Pages, bool FromText)
{
    public string TextFull => string.Join("\n\n", Pages.Select(p => p.Text));

    public string MarkdownFull => string.Join("\n\n", Pages.Select(p => p.Markdown));
}

/// <summary>One page of output.</summary>
internal sealed record ParsedPage(int Number, string Text, string Markdown, IReadOnlyList<ItemDto> Items);
