namespace BatchOrchestrator.Core.Tests.Validation;

/// <summary>
/// A key below a bound section that nothing reads is a setting misspelled, left at its default without a word by
/// the binder: it is named, with the setting it most likely meant. Keys another binding reads are not.
/// </summary>
public sealed class UnknownSettingsFacts
{
    [Fact]
    public void AMisspelledKey_IsNamed_WithTheSettingItMostLikelyMeant()
    {
        var unknown = StartupChecks.Unknown(new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Nmae"] = "inbox",
            ["Sources:0:Schedual"] = "0 2 * * *",
            ["Pipeline:MaxFilesPerBach"] = "500",
            ["Costs:Caps:0:Credits"] = "25",
            ["Costs:Caps:0:Creditz"] = "25",
            ["Polling:Whatever"] = "1",
            ["FollowUp:OutputPth"] = "/tmp/out", // FollowUp is bound twice: the binding that knows OutputPath suggests it
            ["LlamaCloud:ApiKey"] = "llx-the-key-itself", // cut short: the one setting it begins, which names the key's file
            ["Pipeline:Max"] = "5", // begins several: none is guessed
        });

        Assert.Equal(
            [
                ("Costs:Caps:0:Creditz", "Costs:Caps:0:Credits"),
                ("FollowUp:OutputPth", "FollowUp:OutputPath"),
                ("LlamaCloud:ApiKey", "LlamaCloud:ApiKeyFile"),
                ("Pipeline:Max", null),
                ("Pipeline:MaxFilesPerBach", "Pipeline:MaxFilesPerBatch"),
                ("Polling:Whatever", null),
                ("Sources:0:Nmae", "Sources:0:Name"),
                ("Sources:0:Schedual", "Sources:0:Schedule"),
            ],
            unknown);
    }

    [Fact]
    public void AMisspelledSection_IsNamedOnce_WithTheSectionItMostLikelyMeant()
    {
        // Everything below a misspelled section is left unread: a source of one's own never configured, the demo's
        // left running, without a word, unless the section itself is named.
        var unknown = StartupChecks.Unknown(new Dictionary<string, string?>
        {
            ["Source:0:Name"] = "invoices",
            ["Source:0:Path"] = "/srv/invoices",
            ["Pipline:MaxFilesPerBatch"] = "500",
            ["llamacloud:MaxRetries"] = "2", // a name's case is not a misspelling
            ["Kestrel:Limits:MaxRequestBodySize"] = "1", // another reader's section, close to none of ours
            ["Sorces"] = "a plain variable of the environment, not a section",
        });

        Assert.Equal([("Pipline", "Pipeline"), ("Source", "Sources")], unknown);
    }

    [Fact]
    public void KeysAnotherBindingReads_DictionaryKeys_AndTheTopLevel_AreNotUnknown()
    {
        var unknown = StartupChecks.Unknown(new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:FollowUpSinks:0"] = "FileSystem",
            // FollowUp is bound twice (the follow-up's options and the file-system sink's): each reads its own keys.
            ["FollowUp:OutputPath"] = "/tmp/out",
            ["FollowUp:MaxAttempts"] = "3",
            // A sub-section with an options type of its own.
            ["LlamaCloud:UploadRateLimit:PermitLimit"] = "50",
            ["LlamaCloud:MaxRetries"] = "2",
            // A dictionary's keys are the user's own names.
            ["Costs:CreditsPerPage:parse_v2:fast"] = "1",
            // Read by hand, never bound: the webhook secret.
            ["Webhooks:SigningSecret"] = "abcdefghabcdefghabcdefghabcdefgh",
            // The environment's own variables, and sections no options type binds (Serilog reads its own).
            ["PATH"] = "/usr/bin",
            ["Serilog:MinimumLevel:Default"] = "Information",
        });

        Assert.Empty(unknown);
    }
}
