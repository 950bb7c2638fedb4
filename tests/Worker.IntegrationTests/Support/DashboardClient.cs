using System.Net.Http.Headers;

namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// An HTTP client of the dashboard as a browser would be: keeps cookies, sends credentials if given,
/// and POSTs commands with the antiforgery token the page carries, so a refusal is about the caller's role, not the token.
/// </summary>
internal sealed partial class DashboardClient : IDisposable
{
    private readonly HttpClient http;

    public DashboardClient(Uri address, AuthenticationHeaderValue? credentials = null)
    {
        http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = credentials;
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public Task<HttpResponseMessage> GetAsync(string path) =>
        http.GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative), Ct);

    public async Task<string> GetPageAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>POSTs a dashboard command with the antiforgery header taken from <paramref name="fromPage"/>.</summary>
    public async Task<HttpResponseMessage> PostCommandAsync(string path, string fromPage = "hangfire/ops/sources")
    {
        var page = await GetPageAsync(fromPage);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = new FormUrlEncodedContent([]) };
        var header = CsrfHeader().Match(page);
        var token = CsrfToken().Match(page);
        Assert.True(header.Success && token.Success, "the page carries Hangfire's antiforgery token");
        request.Headers.Add(WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
        return await http.SendAsync(request, Ct);
    }

    public void Dispose() => http.Dispose();

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}
