using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>
/// The top-level <c>Urls</c> the service listens on (the dashboard, health, metrics, webhooks), as Kestrel reads
/// it: addresses separated by ';'. Checked with Kestrel's own parser, so that start-up and <c>config check</c>
/// name a bad one on one line; Kestrel itself refused it only once the host was starting, with a stack trace.
/// </summary>
internal sealed class ListenAddresses
{
    public const string Key = "Urls";

    public string? Urls { get; set; }
}

internal sealed class ListenAddressesValidator : OptionsValidator<ListenAddresses>
{
    protected override void Check(ListenAddresses options, List<string> failures)
    {
        foreach (var address in (options.Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (WhyNot(address) is { } why)
            {
                failures.Add($"{ListenAddresses.Key}: '{address}' is not an address to listen on ({why}; e.g. http://127.0.0.1:5080, or http://0.0.0.0:8080 for every interface)");
            }
        }
    }

    // What Kestrel would refuse at its start (a scheme, a port out of range), or take for something else: the parser
    // reads 'http://localhost:abc' as host 'localhost:abc' on port 80, which Kestrel then binds on every interface.
    private static string? WhyNot(string address)
    {
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return "not a URL";
        }

        if (!parsed.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !parsed.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            return $"the scheme must be http or https, not {parsed.Scheme}";
        }

        if (parsed.IsUnixPipe || parsed.IsNamedPipe)
        {
            return null;
        }

        if (parsed.Port is < 0 or > 65535)
        {
            return $"port {parsed.Port} is not between 0 and 65535";
        }

        var bracketed = parsed.Host.StartsWith('[') && parsed.Host.EndsWith(']');
        return parsed.Host.Length == 0 || (!bracketed && parsed.Host.Contains(':', StringComparison.Ordinal))
            ? $"'{parsed.Host}' is not a host name or address (its port must be a number)"
            : null;
    }
}
