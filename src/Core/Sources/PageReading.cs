using System.Globalization;
using System.Runtime.ExceptionServices;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Where a document is opened to count its pages: on a thread of its own with a deep stack, waited for at most a time
/// limit, with at most a few such threads left running past it (docs/costs.md, "Pages"). Compiled into the Sandbox with
/// <see cref="PageCounter"/>.
/// <para>
/// The deep stack: PdfPig walks a PDF's page tree by recursion, a frame per level, and its depth guard
/// (<c>ParsingOptions.MaxStackDepth</c>) does not cover that walk: a damaged or crafted PDF of a few megabytes whose page
/// tree nests some 30,000 levels used up a thread-pool thread's 1.5 MB, and a stack overflow cannot be caught. On
/// <see cref="StackBytes"/> a tree needs over two million levels, for which PdfPig would allocate gigabytes first.
/// </para>
/// <para>
/// The time limit: a reader can also take minutes and gigabytes over a file of a few megabytes (a PDF whose compressed
/// object stream unpacks to gigabytes kept PdfPig 0.1.16 busy 90 seconds at 4 GB before it gave up), or never end
/// (docs/costs.md, "Pages"). Pages are counted in the scan, four files at a time, so such a file
/// held up its source's run and every run queued behind it. A thread cannot be stopped, so one past its limit is left to
/// finish on its own; while <see cref="MaxLeftRunning"/> are, no further document is opened (it is estimated high), which
/// bounds the cores and memory they can take.
/// </para>
/// </summary>
internal sealed class PageReading(TimeSpan timeLimit, int maxLeftRunning = PageReading.MaxLeftRunning)
{
    /// <summary>A reading thread's stack: address space only, committed as it is used (an ordinary PDF's tree is a few levels deep).</summary>
    public const int StackBytes = 128 << 20;

    /// <summary>How long a count may take when nothing configures it: an ordinary document of hundreds of pages takes under a second.</summary>
    public static readonly TimeSpan DefaultTimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Readers that may run on past their limit before no more documents are opened: two cores of the scan's four.</summary>
    public const int MaxLeftRunning = 2;

    /// <summary>For the Sandbox's billing and for counts made outside a host: the default limit, one set of readers per process.</summary>
    public static PageReading Default { get; } = new(DefaultTimeLimit);

    private int leftRunning;

    /// <summary>The readers running on past their time limit now.</summary>
    public int LeftRunning => Volatile.Read(ref leftRunning);

    public TimeSpan TimeLimit => timeLimit;

    /// <summary>
    /// What <paramref name="read"/> returns, read on a deep-stacked thread; throws what it throws (an
    /// <see cref="OutOfMemoryException"/> too: the failed allocation was this document's), or
    /// <see cref="PageReadingException"/> when it was not done in time, when too many readers run on already, or when no
    /// thread could be started for it.
    /// </summary>
    public T Read<T>(Func<T> read)
    {
        if (LeftRunning >= maxLeftRunning)
        {
            throw new PageReadingException(
                string.Create(CultureInfo.InvariantCulture, $"not opened: the readers of {LeftRunning} earlier documents are still running past the time limit of {timeLimit}"),
                notOpened: true);
        }

        var outcome = new Outcome<T>();
        var thread = new Thread(() => outcome.Run(read, this), StackBytes) { IsBackground = true, Name = "page-count" };
        try
        {
            thread.Start();
        }
        catch (OutOfMemoryException ex)
        {
            // The system would not reserve the stack (strict overcommit, a low address-space limit): this document alone.
            throw new PageReadingException($"no thread with a {StackBytes >> 20} MB stack could be started to read it ({ex.Message})", ex);
        }

        if (!thread.Join(timeLimit))
        {
            Interlocked.Increment(ref leftRunning);
            if (!outcome.Abandon())
            {
                Interlocked.Decrement(ref leftRunning); // it finished in the meantime: nothing runs on
            }
            else
            {
                throw new PageReadingException(string.Create(CultureInfo.InvariantCulture, $"not read within the time limit of {timeLimit}"));
            }
        }

        outcome.Failure?.Throw();
        return outcome.Value!;
    }

    /// <summary>One reading's result, and whether its waiter gave up on it (then the reader, once done, only frees its place).</summary>
    private sealed class Outcome<T>
    {
        private const int Running = 0, Done = 1, Abandoned = 2;
        private int state;

        public T? Value { get; private set; }

        public ExceptionDispatchInfo? Failure { get; private set; }

        public void Run(Func<T> read, PageReading owner)
        {
            try
            {
                Value = read();
            }
            catch (Exception ex)
            {
                Failure = ExceptionDispatchInfo.Capture(ex);
            }

            if (Interlocked.CompareExchange(ref state, Done, Running) == Abandoned)
            {
                Interlocked.Decrement(ref owner.leftRunning);
            }
        }

        /// <summary>True when the reader was still running, and now runs on alone.</summary>
        public bool Abandon() => Interlocked.CompareExchange(ref state, Abandoned, Running) == Running;
    }
}

/// <summary>A document's pages were not counted because of how its reading went, not because of what it holds.</summary>
internal sealed class PageReadingException(string message, Exception? inner = null, bool notOpened = false) : Exception(message, inner)
{
    /// <summary>It was never opened: no reader was free, which says nothing of this document (docs/costs.md, "Pages").</summary>
    public bool NotOpened => notOpened;
}
