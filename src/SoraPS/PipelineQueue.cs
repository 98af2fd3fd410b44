using System;
using System.Collections.Concurrent;
using System.Threading;

namespace SoraPS.Commands
{
    /// <summary>
    /// Actions for the pipeline thread: background work posts them (never calling Write* itself) and the
    /// pipeline thread runs them when it drains the queue.
    /// </summary>
    internal sealed class PipelineQueue : IDisposable
    {
        private readonly BlockingCollection<Action> _posted = new BlockingCollection<Action>();

        /// <summary>Queues an action (safe from any thread; ignored once the command has ended).</summary>
        public void Post(Action action)
        {
            try { _posted.Add(action); }
            catch (InvalidOperationException) { }
        }

        /// <summary>Runs the queued actions; waits up to <paramref name="wait"/> for the first one.</summary>
        public void Drain(TimeSpan wait)
        {
            if (_posted.TryTake(out var first, wait)) first();
            while (_posted.TryTake(out var next)) next();
        }

        public void Dispose()
        {
            _posted.CompleteAdding();
            _posted.Dispose();
        }
    }
}
