using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Sandbox.Tests.Webhooks;

/// <summary>A loopback HTTP endpoint that records every webhook delivery; it can refuse the first N.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private WebhookReceiver(WebApplication app, string url, int failFirst)
    {
        _app = app;
        Url = url;
        _failuresLeft = failFirst;
    }

    public string Url { get; }

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    public int Refused => _refused;

    private int _refused;

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            if (Interlocked.Decrement(ref receiver!._failuresLeft) >= 0)
            {
                Interlocked.Increment(ref receiver._refused);
                return Results.StatusCode(500);
            }

            receiver.Deliveries.Enqueue(new Delivery(request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), buffer.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, address.TrimEnd('/') + "/hook", failFirst);
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> deliveries arrived; fails after 10 s.</summary>
    public async Task<IReadOnlyList<Delivery>> WaitForAsync(int count) =>
        await Eventually.WaitAsync(
            () => Task.FromResult<IReadOnlyList<Delivery>>([.. Deliveries]),
            arrived => arrived.Count >= count,
            TimeSpan.FromSeconds(10),
            $"{count} webhook deliveries",
            TestSandbox.PollInterval);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One delivery: its headers and raw body.</summary>
    public sealed record Delivery(IReadOnlyDictionary<string, string> Headers, byte[] Body);
}
