using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>Checks the "Dashboard" section, naming every bad key.</summary>
internal sealed class OpsDashboardOptionsValidator : OptionsValidator<OpsDashboardOptions>
{
    protected override void Check(OpsDashboardOptions options, List<string> failures)
    {
        const string section = OpsDashboardOptions.SectionName;
        if (!options.Path.StartsWith('/') || options.Path.Length < 2 || options.Path.EndsWith('/'))
        {
            failures.Add($"{section}:Path: '{options.Path}' must start with '/' and not end with one, e.g. /hangfire");
        }

        if (!Enum.IsDefined(options.LocalRequests))
        {
            failures.Add($"{section}:LocalRequests: must be None, ReadOnly or Operator");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var key = $"{section}:Users:{i}";
            if (string.IsNullOrWhiteSpace(user.Name) || user.Name.Contains(':', StringComparison.Ordinal))
            {
                failures.Add($"{key}:Name: a user needs a name without ':'");
            }
            else if (!names.Add(user.Name))
            {
                failures.Add($"{key}:Name: '{user.Name}' appears twice");
            }

            if (string.IsNullOrWhiteSpace(user.PasswordHash))
            {
                failures.Add($"{key}:PasswordHash: missing; set the hash 'config hash-secret' prints for this user's password");
            }
            else if (!SecretHash.IsWellFormed(user.PasswordHash))
            {
                failures.Add($"{key}:PasswordHash: not a hash made by 'config hash-secret' (never put the password itself here)");
            }

            if (user.Role is not (DashboardRole.ReadOnly or DashboardRole.Operator))
            {
                failures.Add($"{key}:Role: must be ReadOnly or Operator");
            }
        }

        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            var key = $"{section}:Tokens:{i}";
            if (string.IsNullOrWhiteSpace(token.Hash))
            {
                failures.Add($"{key}:Hash: missing; set the hash 'config hash-secret' prints for this token");
            }
            else if (!SecretHash.IsWellFormed(token.Hash))
            {
                failures.Add($"{key}:Hash: not a hash made by 'config hash-secret' (never put the token itself here)");
            }

            if (token.Role is not (DashboardRole.ReadOnly or DashboardRole.Operator))
            {
                failures.Add($"{key}:Role: must be ReadOnly or Operator");
            }
        }
    }
}
