using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// The JSON face of <see cref="FaultSettings"/> for GET/POST /_sandbox/faults: snake_case,
/// durations in milliseconds, and partial updates (only the fields present change).
/// </summary>
internal static class FaultSettingsJson
{
    public static readonly IReadOnlyList<string> RateLimitGroups = ["uploads", "batch_creates", "job_creates", "other"];

    public static readonly IReadOnlyList<string> RetryAfterFormats = ["seconds_and_ms", "seconds", "ms", "date", "none"];

    public static void Write(Utf8JsonWriter writer, FaultSettings s)
    {
        writer.WriteStartObject();
        writer.WriteNumber("seed", s.Seed);
        writer.WriteNumber("latency_ms", (long)s.Latency.TotalMilliseconds);
        writer.WriteNumber("latency_jitter_ms", (long)s.LatencyJitter.TotalMilliseconds);
        writer.WriteNumber("error_rate", s.ErrorRate);
        writer.WriteStartArray("error_status_codes");
        foreach (var code in s.ErrorStatusCodes)
        {
            writer.WriteNumberValue(code);
        }

        writer.WriteEndArray();
        writer.WriteNumber("error_after_effect_rate", s.ErrorAfterEffectRate);
        writer.WriteNumber("drop_connection_rate", s.DropConnectionRate);
        writer.WriteNumber("drop_after_effect_rate", s.DropAfterEffectRate);
        writer.WriteNumber("too_many_requests_rate", s.TooManyRequestsRate);
        writer.WriteNumber("too_many_requests_burst", s.TooManyRequestsBurst);
        writer.WriteNumber("retry_after_ms", (long)s.RetryAfter.TotalMilliseconds);
        writer.WriteString("retry_after_format", s.RetryAfterFormat);
        writer.WritePropertyName("should_retry_header");
        writer.WriteRawValue(s.ShouldRetryHeader switch { true => "true", false => "false", null => "null" });
        writer.WriteNumber("truncated_json_rate", s.TruncatedJsonRate);
        writer.WriteNumber("malformed_json_rate", s.MalformedJsonRate);
        writer.WriteNumber("slow_upload_bytes_per_second", s.SlowUploadBytesPerSecond);
        writer.WriteStartArray("routes");
        foreach (var route in s.Routes)
        {
            writer.WriteStringValue(route);
        }

        writer.WriteEndArray();
        writer.WriteNumber("file_failure_rate", s.FileFailureRate);
        writer.WriteString("fail_files_matching", s.FailFilesMatching);
        writer.WriteString("file_failure_message", s.FileFailureMessage);
        writer.WriteString("empty_results_matching", s.EmptyResultsMatching);
        writer.WriteString("fail_pages_matching", s.FailPagesMatching);
        writer.WriteString("bill_at_tier", s.BillAtTier);
        writer.WriteNumber("fail_next_batches", s.FailNextBatches);
        writer.WriteNumber("v1_lists_end_after", s.V1ListsEndAfter);
        writer.WriteString("fail_batches_matching", s.FailBatchesMatching);
        writer.WriteBoolean("webhooks_out_of_order", s.WebhooksOutOfOrder);
        writer.WriteBoolean("payment_required", s.PaymentRequired);
        writer.WriteBoolean("quota_exceeded", s.QuotaExceeded);
        writer.WriteNumber("quota_status_code", s.QuotaStatusCode);
        writer.WriteString("quota_detail", s.QuotaDetail);
        writer.WriteString("hold_requests_matching", s.HoldRequestsMatching);
        writer.WriteBoolean("hold_after_effect", s.HoldAfterEffect);
        writer.WriteNumber("hold_answer_status", s.HoldAnswerStatus);
        writer.WriteNumber("webhook_drop_rate", s.WebhookDropRate);
        writer.WriteStartObject("rate_limits");
        foreach (var (group, rule) in s.RateLimits.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(group);
            writer.WriteNumber("permit_limit", rule.PermitLimit);
            writer.WriteNumber("window_ms", (long)rule.Window.TotalMilliseconds);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Applies the fields present in <paramref name="body"/>; unknown or bad fields are 422 issues.</summary>
    public static FaultSettings Apply(JsonElement body, FaultSettings s, BodyValidator v)
    {
        if (!v.RequireObject(body))
        {
            return s;
        }

        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            s = name switch
            {
                "seed" => s with { Seed = Int(v, value, name, int.MinValue) },
                "latency_ms" => s with { Latency = TimeSpan.FromMilliseconds(Int(v, value, name, 0)) },
                "latency_jitter_ms" => s with { LatencyJitter = TimeSpan.FromMilliseconds(Int(v, value, name, 0)) },
                "error_rate" => s with { ErrorRate = Rate(v, value, name) },
                "error_status_codes" => s with { ErrorStatusCodes = StatusCodes(v, value, name) },
                "error_after_effect_rate" => s with { ErrorAfterEffectRate = Rate(v, value, name) },
                "drop_connection_rate" => s with { DropConnectionRate = Rate(v, value, name) },
                "drop_after_effect_rate" => s with { DropAfterEffectRate = Rate(v, value, name) },
                "too_many_requests_rate" => s with { TooManyRequestsRate = Rate(v, value, name) },
                "too_many_requests_burst" => s with { TooManyRequestsBurst = Int(v, value, name, 0) },
                "retry_after_ms" => s with { RetryAfter = TimeSpan.FromMilliseconds(Int(v, value, name, 0)) },
                "retry_after_format" => s with { RetryAfterFormat = Format(v, value, name) },
                "should_retry_header" => s with { ShouldRetryHeader = value.ValueKind == JsonValueKind.Null ? null : Bool(v, value, name) },
                "truncated_json_rate" => s with { TruncatedJsonRate = Rate(v, value, name) },
                "malformed_json_rate" => s with { MalformedJsonRate = Rate(v, value, name) },
                "slow_upload_bytes_per_second" => s with { SlowUploadBytesPerSecond = Int(v, value, name, 0) },
                "routes" => s with { Routes = Strings(v, value, name) },
                "file_failure_rate" => s with { FileFailureRate = Rate(v, value, name) },
                "fail_files_matching" => s with { FailFilesMatching = Pattern(v, value, name) },
                "file_failure_message" => s with { FileFailureMessage = value.ValueKind switch { JsonValueKind.Null => null, JsonValueKind.String => value.GetString(), _ => Invalid(v, name, "Input should be a valid string", s.FileFailureMessage) } },
                "empty_results_matching" => s with { EmptyResultsMatching = Pattern(v, value, name) },
                "fail_pages_matching" => s with { FailPagesMatching = Pattern(v, value, name) },
                "bill_at_tier" => s with { BillAtTier = Tier(v, value, name) },
                "fail_next_batches" => s with { FailNextBatches = Int(v, value, name, 0) },
                "v1_lists_end_after" => s with { V1ListsEndAfter = Int(v, value, name, 0) },
                "fail_batches_matching" => s with { FailBatchesMatching = Pattern(v, value, name) },
                "webhooks_out_of_order" => s with { WebhooksOutOfOrder = Bool(v, value, name) },
                "webhook_drop_rate" => s with { WebhookDropRate = Rate(v, value, name) },
                "rate_limits" => s with { RateLimits = RateLimits(v, value, s.RateLimits) },
                "payment_required" => s with { PaymentRequired = Bool(v, value, name) },
                "quota_exceeded" => s with { QuotaExceeded = Bool(v, value, name) },
                "quota_status_code" => s with { QuotaStatusCode = QuotaStatus(v, value, name) },
                "quota_detail" => s with { QuotaDetail = value.ValueKind == JsonValueKind.String ? value.GetString()! : Invalid(v, name, "Input should be a valid string", s.QuotaDetail) },
                "hold_requests_matching" => s with { HoldRequestsMatching = Pattern(v, value, name) },
                "hold_after_effect" => s with { HoldAfterEffect = Bool(v, value, name) },
                "hold_answer_status" => s with { HoldAnswerStatus = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var code) && code is 0 or (>= 500 and <= 599) ? code : Invalid(v, name, "Input should be 0 or a 5xx status code", 0) },
                _ => Unknown(v, name, s),
            };
        }

        return s;
    }

    private static string? Tier(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string[] tiers = ["fast", "cost_effective", "agentic", "agentic_plus", "turbo"];
        if (value.ValueKind == JsonValueKind.String && tiers.Contains(value.GetString(), StringComparer.Ordinal))
        {
            return value.GetString();
        }

        v.Add("literal_error", "Input should be 'fast', 'cost_effective', 'agentic', 'agentic_plus', 'turbo' or null", name);
        return null;
    }

    private static FaultSettings Unknown(BodyValidator v, string name, FaultSettings s)
    {
        v.Add("extra_forbidden", "Extra inputs are not permitted", name);
        return s;
    }

    private static T Invalid<T>(BodyValidator v, string name, string message, T fallback)
    {
        v.Add("value_error", message, name);
        return fallback;
    }

    /// <summary>The quota error's status: a guess between the two a service could send (docs/resilience.md).</summary>
    private static int QuotaStatus(BodyValidator v, JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var code) && code is 403 or 429
            ? code
            : Invalid(v, name, "Input should be 403 or 429", 429);

    private static string Format(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.String && RetryAfterFormats.Contains(value.GetString()!, StringComparer.Ordinal))
        {
            return value.GetString()!;
        }

        v.Add(Refusal.Literal(RetryAfterFormats), name);
        return RetryAfterFormats[0];
    }

    private static double Rate(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 0 and <= 1 and var rate)
        {
            return rate;
        }

        v.Add("value_error", "Input should be a number from 0 to 1", name);
        return 0;
    }

    private static int Int(BodyValidator v, JsonElement value, string name, int minimum)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= minimum)
        {
            return number;
        }

        v.Add("int_type", string.Create(CultureInfo.InvariantCulture, $"Input should be an integer of at least {minimum}"), name);
        return 0;
    }

    private static bool Bool(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        v.Add("bool_type", "Input should be a valid boolean", name);
        return false;
    }

    private static string? Pattern(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        try
        {
            _ = text is null ? null : new Regex(text, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            text = null;
        }

        if (text is null)
        {
            v.Add("value_error", "Input should be a valid regular expression or null", name);
        }

        return text;
    }

    private static IReadOnlyList<string> Strings(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            return [.. value.EnumerateArray().Select(e => e.GetString()!)];
        }

        v.Add("list_type", "Input should be a list of strings", name);
        return [];
    }

    private static IReadOnlyList<int> StatusCodes(BodyValidator v, JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Array
            && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var c) && FaultSettings.IsErrorStatus(c))
            && value.GetArrayLength() > 0)
        {
            return [.. value.EnumerateArray().Select(e => e.GetInt32())];
        }

        v.Add("list_type", "Input should be a non-empty list of 5xx status codes, or of the refusals 400, 409 and 422", name);
        return FaultSettings.DefaultErrorStatusCodes;
    }

    private static Dictionary<string, RateLimitRule> RateLimits(BodyValidator v, JsonElement value, IReadOnlyDictionary<string, RateLimitRule> current)
    {
        var result = new Dictionary<string, RateLimitRule>(current, StringComparer.Ordinal);
        if (value.ValueKind != JsonValueKind.Object)
        {
            v.Add("dict_type", "Input should be a valid dictionary", "rate_limits");
            return result;
        }

        foreach (var group in value.EnumerateObject())
        {
            if (!RateLimitGroups.Contains(group.Name, StringComparer.Ordinal))
            {
                v.Add(Refusal.Literal(RateLimitGroups), "rate_limits", group.Name);
                continue;
            }

            var permits = BodyValidator.Get(group.Value, "permit_limit");
            var window = BodyValidator.Get(group.Value, "window_ms");
            var limit = permits is null ? 0 : Int(v, permits.Value, "rate_limits", 0);
            var span = window is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(Math.Max(1, Int(v, window.Value, "rate_limits", 1)));
            result[group.Name] = new RateLimitRule(limit, span);
        }

        return result;
    }
}
