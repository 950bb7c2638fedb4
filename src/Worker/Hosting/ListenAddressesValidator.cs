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
            try
            {
                _ = BindingAddress.Parse(address);
            }
            catch (FormatException)
            {
                failures.Add($"{ListenAddresses.Key}: '{address}' is not an address to listen on (e.g. http://127.0.0.1:5080, or http://0.0.0.0:8080 for every interface)");
            }
        }
    }
}
