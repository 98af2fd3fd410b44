#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using SoraPS.Core;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;

namespace SoraPS.Commands
{
    /// <summary>
    /// The bookkeeping under <see cref="TaskWaitView"/>: hands tasks to Core's <see cref="TaskWaiter"/> and brings
    /// each wait event back, through <c>post</c>, to the pipeline thread together with the callback its task was
    /// added with. Uses no PowerShell type, so the tests compile it as it is.
    /// </summary>
    internal sealed class WaitRouter : IDisposable
    {
        private readonly Func<string?, SoraClient> _clients;
        private readonly Action<Action> _post;
        private readonly CancellationToken _stop;
        private readonly Action<WaitEvent, Action<SoraTask>> _handle;
        /// <summary>One waiter per distinct set of options: a time limit counts from the first task that asked for it.</summary>
        private readonly Dictionary<(TimeSpan?, DateTimeOffset?, TimeSpan?, TimeSpan, TimeSpan), TaskWaiter> _waiters = new Dictionary<(TimeSpan?, DateTimeOffset?, TimeSpan?, TimeSpan, TimeSpan), TaskWaiter>();
        /// <summary>The callbacks each task was added with (a task added twice ends twice), until its final events are handled.</summary>
        private readonly Dictionary<SoraTask, Queue<Action<SoraTask>>> _done = new Dictionary<SoraTask, Queue<Action<SoraTask>>>();

        /// <param name="clients">The client of a profile (called from background threads).</param>
        /// <param name="post">Queues an action for the pipeline thread.</param>
        /// <param name="stop">Stops every wait.</param>
        /// <param name="handle">Runs on the pipeline thread for each event, with the callback of the event's task.</param>
        public WaitRouter(Func<string?, SoraClient> clients, Action<Action> post, CancellationToken stop, Action<WaitEvent, Action<SoraTask>> handle)
        {
            _clients = clients;
            _post = post;
            _stop = stop;
            _handle = handle;
        }

        /// <summary>Waits for <paramref name="task"/> with <paramref name="options"/>; its events are handled with <paramref name="done"/>.</summary>
        public void Add(SoraTask task, WaitOptions options, Action<SoraTask> done)
        {
            var key = (options.Timeout, options.Deadline, options.FixedInterval, options.MinInterval, options.MaxInterval);
            if (!_waiters.TryGetValue(key, out var waiter))
                _waiters[key] = waiter = new TaskWaiter(_clients, options, _stop, e => _post(() => Route(e)));
            if (!_done.TryGetValue(task, out var callbacks)) _done[task] = callbacks = new Queue<Action<SoraTask>>();
            callbacks.Enqueue(done);
            waiter.Add(task);
        }

        /// <summary>Tasks added whose final event has not been posted yet.</summary>
        public int Outstanding => _waiters.Values.Sum(w => w.Outstanding);

        private void Route(WaitEvent e)
        {
            Action<SoraTask> done = _ => { };
            if (_done.TryGetValue(e.Task, out var callbacks))
            {
                done = e.Kind == WaitEventKind.Progress ? callbacks.Peek() : callbacks.Dequeue();
                if (callbacks.Count == 0) _done.Remove(e.Task);
            }
            _handle(e, done);
        }

        /// <summary>Releases the waiters no task is left in (a stopped command leaves the others to their cancelled polls).</summary>
        public void Dispose()
        {
            foreach (var waiter in _waiters.Values)
                if (waiter.Outstanding == 0) waiter.Dispose();
        }
    }
}
