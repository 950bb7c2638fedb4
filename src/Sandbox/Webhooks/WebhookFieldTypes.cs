namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>
/// How a create's <c>webhook_configurations[]</c> item is typed: the SDK 2.16.0 types the same object differently per
/// route, and the Sandbox must take every value its route's type allows (docs/llamacloud-api.md §1.6).
/// </summary>
/// <param name="EventsFromEnum"><c>webhook_events</c> is an array of the event enum, not of any string.</param>
/// <param name="HeaderValuesOfAnyType"><c>webhook_headers</c> is <c>{ [key: string]: unknown }</c>, not of strings.</param>
/// <param name="OutputFormatAnyString"><c>webhook_output_format</c> is <c>string | null</c>, not <c>'json' | 'string' | null</c>.</param>
/// <param name="EmptyEventsRefused">An empty <c>webhook_events</c> is refused: documented for saved configurations only
/// ("An empty list subscribes to nothing and is rejected", <c>resources/webhook-configs.d.ts</c>); for inline ones a guess,
/// <see cref="SandboxGuesses.RefuseEmptyInlineWebhookEvents"/>.</param>
internal sealed record WebhookFieldTypes(bool EventsFromEnum, bool HeaderValuesOfAnyType, bool OutputFormatAnyString, bool EmptyEventsRefused = false)
{
    /// <summary>The inline types of a route, with the guess about empty event lists applied.</summary>
    public WebhookFieldTypes Inline(SandboxGuesses guesses) => this with { EmptyEventsRefused = guesses.RefuseEmptyInlineWebhookEvents };

    /// <summary><c>resources/batches.d.ts</c> <c>BatchCreateParams.WebhookConfiguration</c> and <c>resources/extract.d.ts</c> <c>ExtractCreateParams.WebhookConfiguration</c>.</summary>
    public static readonly WebhookFieldTypes BatchOrExtract = new(EventsFromEnum: true, HeaderValuesOfAnyType: false, OutputFormatAnyString: true);

    /// <summary><c>resources/parsing.d.ts</c> <c>ParsingCreateParams.WebhookConfiguration</c>: events <c>Array&lt;string&gt;</c>, headers <c>unknown</c>.</summary>
    public static readonly WebhookFieldTypes Parse = new(EventsFromEnum: false, HeaderValuesOfAnyType: true, OutputFormatAnyString: false);

    /// <summary><c>resources/webhook-configs.d.ts</c> <c>WebhookConfigCreateParams</c> and <c>WebhookConfigUpdateParams</c>.</summary>
    public static readonly WebhookFieldTypes Saved = new(EventsFromEnum: true, HeaderValuesOfAnyType: false, OutputFormatAnyString: false, EmptyEventsRefused: true);
}
