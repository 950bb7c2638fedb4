namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>The v1 parsing enums the SDK spells out (TS SDK 2.13.0 <c>resources/parsing.d.ts</c>), for the v1 job configs.</summary>
internal static class ParsingEnums
{
    /// <summary><c>ParsingLanguages</c>: 86 codes.</summary>
    public static readonly IReadOnlyList<string> Languages =
    [
        "abq", "ady", "af", "ang", "ar", "as", "ava", "az", "be", "bg", "bgc", "bh", "bho", "bn", "bs", "ch_sim",
        "ch_tra", "che", "cs", "cy", "da", "dar", "de", "en", "es", "et", "fa", "fr", "ga", "gom", "hi", "hr", "hu",
        "id", "inh", "is", "it", "ja", "kbd", "kn", "ko", "ku", "la", "lbe", "lez", "lt", "lv", "mah", "mai", "mi",
        "mn", "mni", "mr", "ms", "mt", "ne", "new", "nl", "no", "oc", "pi", "pl", "pt", "ro", "rs_cyrillic",
        "rs_latin", "ru", "sa", "sck", "sk", "sl", "sq", "sv", "sw", "ta", "tab", "te", "th", "tjk", "tl", "tr", "ug",
        "uk", "ur", "uz", "vi"
    ];

    /// <summary><c>ParsingMode</c>.</summary>
    public static readonly IReadOnlyList<string> Modes =
    [
        "parse_document_with_agent", "parse_document_with_llm", "parse_document_with_lvm", "parse_page_with_agent",
        "parse_page_with_layout_agent", "parse_page_with_llm", "parse_page_with_lvm", "parse_page_without_llm"
    ];

    /// <summary>
    /// The tiers a v1 parse job's <c>tier</c> may name. SDK 2.13.0 types it as a plain string; the Sandbox's guess is
    /// that the service takes the tiers of v2 parsing, where <c>tier</c> is this enum (2.16.0 <c>ParsingCreateParams.tier</c>;
    /// docs/llamacloud-api.md §3.2), and refuses any other name.
    /// </summary>
    public static readonly IReadOnlyList<string> Tiers = ["fast", "cost_effective", "agentic", "agentic_plus"];

    /// <summary><c>FailPageMode</c>.</summary>
    public static readonly IReadOnlyList<string> FailPageModes = ["blank_page", "error_message", "raw_text"];
}
