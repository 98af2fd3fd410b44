using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;

namespace SoraPS.Commands
{
    /// <summary>
    /// Base of the cmdlets that work on tasks: declares -Profile once, and composes the pieces they share —
    /// one client per profile (<see cref="ClientCache"/>), the journal, background lanes (<see cref="BackgroundLanes"/>)
    /// and the shared wait (<see cref="TaskWaitView"/>) — pumped on the pipeline thread.
    /// </summary>
    public abstract class SoraTaskCmdlet : SoraCmdlet
    {
        private ClientCache? _clients;
        private TaskJournal? _journal;
        private BackgroundLanes? _lanes;
        private TaskWaitView? _wait;

        /// <summary>The profile to use (else SORAPS_PROFILE, else the default profile).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public virtual string? Profile { get; set; }

        internal TaskJournal Journal => _journal ?? (_journal = new TaskJournal { Log = Log });

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            // Secrets are read on the pipeline thread: the reader is made here.
            _clients = new ClientCache(Store, Log, Journal, new SecretReader(this));
        }

        /// <summary>The client for a profile (named, or the default), one per profile per invocation.</summary>
        internal SoraClient ClientFor(string? profileName) =>
            (_clients ?? (_clients = new ClientCache(Store, Log, Journal, new SecretReader(this)))).For(profileName);

        private BackgroundLanes Lanes => _lanes ?? (_lanes = new BackgroundLanes(Post, Bars, StopToken));

        private TaskWaitView Wait => _wait ?? (_wait = new TaskWaitView(ClientFor, Post, Bars, StopToken, WriteSoraError, WriteError));

        /// <summary>Adds a task to the shared wait, waited for with <paramref name="waitOptions"/> and ended in <paramref name="done"/>.</summary>
        internal void AddToWait(SoraTask task, WaitOptions waitOptions, Action<SoraTask> done) => Wait.Add(task, waitOptions, done);

        /// <summary>Wait options whose time limit, <paramref name="timeoutSec"/>, counts from the command's start (see <see cref="DeadlineOf"/>).</summary>
        internal WaitOptions MakeWaitOptions(double timeoutSec, double pollIntervalSec) => TaskWaitView.MakeOptions(timeoutSec, pollIntervalSec, DeadlineOf(timeoutSec));

        /// <summary>When the command's first input was handled: its -TimeoutSec counts from here.</summary>
        private DateTimeOffset? _started;

        /// <summary>
        /// The command's deadline for -TimeoutSec <paramref name="timeoutSec"/> (null: no limit), counted from its first input
        /// (a wait piped after a slow command counts from the first task it is given): every wait under it — a
        /// submission's slot, request and retries, a status read, the polls — ends by then.
        /// </summary>
        internal DateTimeOffset? DeadlineOf(double timeoutSec) => TimeLimit.After(_started ?? (_started = DateTimeOffset.UtcNow).Value, timeoutSec);

        /// <summary>Cancelled when the pipeline stops (Ctrl+C, or a downstream command such as Select-Object -First has enough): work queued and not yet started is dropped.</summary>
        internal CancellationToken QueueStopToken => Lanes.QueueStop;

        /// <summary>
        /// Starts <paramref name="work"/> in the background, at most <paramref name="limit"/> at once per
        /// <paramref name="lane"/>; the result or error is handled on the pipeline thread.
        /// <paramref name="description"/>, when given, shows as a progress bar with the elapsed time.
        /// </summary>
        internal void StartBackground<T>(string lane, int limit, string? description, Func<CancellationToken, Task<T>> work, Action<T> done, Action<Exception> failed) =>
            StartBackground(lane, limit, Math.Max(1, limit) * 4, description, work, done, failed);

        /// <summary>As above, with the number of queued operations that makes this thread wait given apart.</summary>
        internal void StartBackground<T>(string lane, int limit, int queueLimit, string? description, Func<CancellationToken, Task<T>> work, Action<T> done, Action<Exception> failed) =>
            // BackgroundLanes shows no bar for a null description (its parameter is not annotated yet).
            Lanes.Start(lane, limit, queueLimit, description!, work, done, failed, until => Pump(block: true, until: until));

        /// <summary>A progress activity id no other bar of this command uses.</summary>
        internal int NextActivityId() => Bars.NextId();

        /// <summary>
        /// Runs what background work posts, on this (the pipeline) thread. With <paramref name="block"/> it
        /// returns when every background operation and wait has ended (or <paramref name="until"/> holds);
        /// otherwise it handles what is ready now.
        /// </summary>
        internal void Pump(bool block, Func<bool>? until = null)
        {
            Lanes.ResetTick();
            try
            {
                while (true)
                {
                    if (StopToken.IsCancellationRequested) throw new PipelineStoppedException();
                    DrainPosted(block ? TimeSpan.FromMilliseconds(250) : TimeSpan.Zero);
                    var finished = until != null ? until() : Lanes.Running == 0 && (_wait == null || _wait.Outstanding == 0);
                    if (finished || !block) break;
                    Lanes.Tick();
                }
            }
            catch (PipelineStoppedException)
            {
                // Stopped, or a downstream command has all it wants (Select-Object -First throws a kind of this from
                // WriteObject): nothing queued is started; what is under way ends as it would.
                Lanes.StopQueued();
                throw;
            }
            if (block && until == null && _wait != null && _wait.Used) _wait.Complete();
        }

        protected override void StopProcessing()
        {
            _lanes?.StopQueued();
            base.StopProcessing();
        }

        protected override void Dispose(bool disposing)
        {
            _wait?.Dispose();
            _lanes?.Dispose(); // the pipeline ended, whatever ended it: nothing queued starts after it
            base.Dispose(disposing);
        }
    }
}
