using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
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

        internal static WaitOptions MakeWaitOptions(double timeoutSec, double pollIntervalSec) => TaskWaitView.MakeOptions(timeoutSec, pollIntervalSec);

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
            while (true)
            {
                if (StopToken.IsCancellationRequested) throw new PipelineStoppedException();
                DrainPosted(block ? TimeSpan.FromMilliseconds(250) : TimeSpan.Zero);
                var finished = until != null ? until() : Lanes.Running == 0 && (_wait == null || _wait.Outstanding == 0);
                if (finished || !block) break;
                Lanes.Tick();
            }
            if (block && until == null && _wait != null && _wait.Used) _wait.Complete();
        }

        protected override void Dispose(bool disposing)
        {
            _wait?.Dispose();
            _lanes?.Dispose();
            base.Dispose(disposing);
        }
    }
}
