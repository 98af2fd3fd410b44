using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;

namespace SoraPS.Commands
{
    /// <summary>
    /// Base of every SoraPS cmdlet: one cancellation source (StopProcessing, Ctrl+C, cancels what is under way),
    /// the queue background work posts to instead of calling Write* itself, Core's trace as verbose/debug output,
    /// progress, the profile store and errors as ErrorRecords. It disposes what it creates.
    /// The profile cmdlets need nothing more; the task cmdlets build on <see cref="SoraTaskCmdlet"/>.
    /// </summary>
    public abstract class SoraCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly PipelineQueue _queue = new PipelineQueue();
        private ProfileStore? _store;
        private CmdletLog? _log;
        private ProgressBars? _bars;
        private bool _disposed;

        protected CancellationToken StopToken => _stop.Token;

        internal ProfileStore Store => _store ?? (_store = new ProfileStore());

        private CmdletLog CmdletLog => _log ?? (_log = new CmdletLog(this, _queue));

        internal ISoraLog Log => CmdletLog;

        internal ProgressBars Bars => _bars ?? (_bars = new ProgressBars(WriteProgress, CmdletLog.ShowsProgress));

        protected override void BeginProcessing()
        {
            // The stream preferences are read here, on the pipeline thread, before any background work.
            _ = Bars;
            base.BeginProcessing();
        }

        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }

        /// <summary>Queues an action for the pipeline thread (safe from any thread).</summary>
        internal void Post(Action action) => _queue.Post(action);

        /// <summary>Runs the posted actions; waits up to <paramref name="wait"/> for the first one.</summary>
        protected internal void DrainPosted(TimeSpan wait) => _queue.Drain(wait);

        /// <summary>Runs async work on the thread pool while this thread writes what it posts.</summary>
        protected T RunAsync<T>(Func<CancellationToken, Task<T>> work)
        {
            var task = Task.Run(() => work(StopToken));
            task.ContinueWith(_ => Post(() => { }), TaskScheduler.Default);
            while (!task.IsCompleted)
            {
                DrainPosted(Timeout.InfiniteTimeSpan);
            }
            DrainPosted(TimeSpan.Zero);
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        internal void WriteSoraError(Exception e, object? target) => WriteError(ErrorMapping.ToErrorRecord(e, target));

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Dispose(true);
            _queue.Dispose();
            _stop.Dispose();
        }

        /// <summary>Derived cmdlets release what they created.</summary>
        protected virtual void Dispose(bool disposing) { }
    }
}
