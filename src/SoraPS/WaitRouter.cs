#nullable enable
using System;
using System.Collections.Generic;
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
        private TaskWaiter? _waiter;

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
            if (_waiter == null)
                _waiter = new TaskWaiter(_clients, options, _stop, e => _post(() => _handle(e, done)));
            _waiter.Add(task);
        }

        /// <summary>Tasks added whose final event has not been posted yet.</summary>
        public int Outstanding => _waiter?.Outstanding ?? 0;

        /// <summary>Releases the waiters no task is left in (a stopped command leaves the others to their cancelled polls).</summary>
        public void Dispose()
        {
            if (_waiter != null && _waiter.Outstanding == 0) _waiter.Dispose();
        }
    }
}
