using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks "LlamaCloud:Pauses", naming each key at fault.</summary>
internal sealed class PauseOptionsValidator : OptionsValidator<PauseOptions>
{
    protected override void Check(PauseOptions options, List<string> failures)
    {
        const string Section = PauseOptions.SectionName;
        failures.AddUnlessWithin($"{Section}:CreditProbeInterval", options.CreditProbeInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), "from 0.1 s to a day");
        failures.AddUnlessWithin($"{Section}:CacheFor", options.CacheFor, TimeSpan.Zero, TimeSpan.FromMinutes(5), "from 0 to 5 minutes");
        failures.AddUnlessWithin($"{Section}:PollDelay", options.PollDelay, TimeSpan.FromTicks(1), TimeSpan.FromDays(1), "positive and at most a day");
    }
}
