using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Persistence.Webhooks;

/// <summary>Webhook deliveries per batch, on the batch row (migration 0040).</summary>
internal sealed class NpgsqlWebhookLivenessStore(NpgsqlDataSource dataSource) : IWebhookLivenessStore
{
    public async Task ExpectAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update orchestrator.batch set webhook_expected = true where id = $1 and not webhook_expected");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RecordDeliveryAsync(string remoteBatchId, bool announcesEnd, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch
            set webhook_events = webhook_events + 1,
                webhook_terminal_at = case when $2 then coalesce(webhook_terminal_at, now()) else webhook_terminal_at end
            where remote_batch_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = remoteBatchId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = announcesEnd });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<MissedWebhook>> FlagMissedAsync(TimeSpan margin, int max, CancellationToken cancellationToken)
    {
        // SKIP LOCKED and the null test in the update: two instances sweeping at once flag each batch once.
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b set webhook_missed_at = now()
            from (
                select id from orchestrator.batch
                where webhook_expected and webhook_terminal_at is null and webhook_missed_at is null
                  and finished_at < now() - $1 and remote_batch_id is not null
                order by finished_at
                limit $2
                for update skip locked
            ) missed
            where b.id = missed.id and b.webhook_missed_at is null
            returning b.id, b.source_name, b.run_id, b.remote_batch_id, b.remote_status, b.webhook_events, b.finished_at
            """);
        command.Parameters.Add(Interval(margin));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        var flagged = new List<MissedWebhook>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            flagged.Add(new MissedWebhook(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return flagged;
    }
}
