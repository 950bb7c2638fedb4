namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Hands one turn at a time to lanes in proportion to their weights (start-time fair queuing): while two
/// lanes both wait, one of weight 4 gets four turns for each of a lane of weight 1. Only lanes with someone
/// waiting take part, so an idle lane's share goes to the others (nothing is left unused), and a lane that
/// was idle comes back at the current virtual time, without turns saved up from while it was away.
/// Within a lane, turns go first come, first served.
/// </summary>
internal sealed class WeightedTurns
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Lane> lanes = new(StringComparer.Ordinal);
    private double virtualTime;
    private bool held;

    /// <summary>Completes when it is this caller's turn; the caller must <see cref="Exit"/> once done with it.</summary>
    public Task EnterAsync(UploadLane lane, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var entry = LaneOf(lane);
            if (!held)
            {
                held = true;
                Charge(entry);
                return Task.CompletedTask;
            }

            var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            entry.Waiting.Enqueue(turn);
            if (cancellationToken.CanBeCanceled)
            {
                // A cancelled waiter stays queued and is skipped when its lane's turn comes.
                var registration = cancellationToken.Register(() => turn.TrySetCanceled(cancellationToken));
                _ = turn.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            return turn.Task;
        }
    }

    /// <summary>The current turn is over: the next goes to the waiting lane furthest behind its share.</summary>
    public void Exit()
    {
        lock (gate)
        {
            while (Next() is { } lane)
            {
                if (lane.Waiting.Dequeue().TrySetResult())
                {
                    Charge(lane);
                    return;
                }
            }

            held = false;
        }
    }

    /// <summary>
    /// The greatest weight of <paramref name="current"/> and the lanes waiting for a turn: the slots this process reserves
    /// of a project shared with other instances serve all its lanes, so it claims them for its heaviest, not for whichever
    /// lane happened to find none left.
    /// </summary>
    public int HeaviestWaiting(UploadLane current)
    {
        lock (gate)
        {
            var heaviest = Math.Max(1, current.Weight);
            foreach (var lane in lanes.Values)
            {
                if (lane.Waiting.Count > 0 && lane.Weight > heaviest)
                {
                    heaviest = lane.Weight;
                }
            }

            return heaviest;
        }
    }

    private Lane LaneOf(UploadLane lane)
    {
        if (!lanes.TryGetValue(lane.Name, out var entry))
        {
            entry = new Lane();
            lanes.Add(lane.Name, entry);
        }

        entry.Weight = Math.Max(1, lane.Weight); // the latest configuration counts
        return entry;
    }

    private Lane? Next()
    {
        Lane? next = null;
        foreach (var lane in lanes.Values)
        {
            if (lane.Waiting.Count > 0 && (next is null || Start(lane) < Start(next)))
            {
                next = lane;
            }
        }

        return next;
    }

    private double Start(Lane lane) => Math.Max(lane.Finish, virtualTime);

    private void Charge(Lane lane)
    {
        var start = Start(lane);
        virtualTime = start;
        lane.Finish = start + (1.0 / lane.Weight);
    }

    private sealed class Lane
    {
        public Queue<TaskCompletionSource> Waiting { get; } = new();

        public int Weight { get; set; } = 1;

        public double Finish { get; set; }
    }
}
