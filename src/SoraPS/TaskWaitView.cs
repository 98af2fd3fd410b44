using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using SoraPS.Core;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;

namespace SoraPS.Commands
{
    /// <summary>
    /// The command's one shared wait: tasks from New-SoraVideo -Wait, Wait-SoraTask and Save-SoraVideo are
    /// polled together; each ends on the pipeline thread (done, a failed task's error, a time-out), with a
    /// bar per task under a parent bar.
    /// </summary>
    internal sealed class TaskWaitView : IDisposable
    {
        private readonly Func<string?, SoraClient> _clients;
        private readonly ProgressBars _bars;
        private readonly Action<Exception, object?> _writeError;
        private readonly Action<ErrorRecord> _writeRecord;
        private readonly Dictionary<SoraTask, int> _activity = new Dictionary<SoraTask, int>();
        private readonly WaitRouter _router;
        private int _total, _done;

        public TaskWaitView(Func<string?, SoraClient> clients, Action<Action> post, ProgressBars bars, CancellationToken stop,
            Action<Exception, object?> writeError, Action<ErrorRecord> writeRecord)
        {
            _clients = clients;
            _bars = bars;
            _writeError = writeError;
            _writeRecord = writeRecord;
            _router = new WaitRouter(clients, post, stop, Handle);
        }

        /// <summary>Tasks added and not yet ended.</summary>
        public int Outstanding { get; private set; }

        /// <summary>Whether any task was waited for.</summary>
        public bool Used => _total > 0;

        /// <summary>Adds a task, waited for with <paramref name="options"/> and ended in <paramref name="done"/> (whatever other callers gave).</summary>
        public void Add(SoraTask task, WaitOptions options, Action<SoraTask> done)
        {
            // The waiter asks for clients from background threads: make sure this task's is made here.
            try
            {
                _clients(task.Profile).EnsureCredential();
            }
            catch (SoraException e)
            {
                _writeError(e, task);
                return;
            }
            if (!_activity.ContainsKey(task)) _activity[task] = _bars.NextId();
            _total++;
            Outstanding++;
            _router.Add(task, options, done);
        }

        private void Handle(WaitEvent e, Action<SoraTask> done)
        {
            var id = _activity.TryGetValue(e.Task, out var a) ? a : ProgressBars.Parent + 1;
            if (e.Kind != WaitEventKind.Progress)
            {
                Outstanding--;
                _done++;
            }
            WriteProgress(e.Task, id, e.Kind != WaitEventKind.Progress);
            switch (e.Kind)
            {
                case WaitEventKind.Completed:
                    if (e.Task.Status == SoraTaskStatus.Succeeded) done(e.Task);
                    else _writeError(new SoraTaskFailedException(e.Task), e.Task);
                    break;
                case WaitEventKind.TimedOut:
                    _writeRecord(new ErrorRecord(new TimeoutException(TimedOutText(e.Task, e.Error)), TimeLimit.ErrorId, ErrorCategory.OperationTimeout, e.Task));
                    break;
                case WaitEventKind.Error:
                    _writeError(e.Error ?? new InvalidOperationException($"The state of task {e.Task.Id} could not be read."), e.Task);
                    break;
            }
        }

        /// <summary>
        /// What a wait that ran out of time says: the state last read, or, when the last answers could not be used (a
        /// task answered completed without its video link, an error status), what they said; a task never read is not
        /// said to be "still Queued".
        /// </summary>
        internal static string TimedOutText(SoraTask task, Exception? lastError)
        {
            if (lastError == null)
                return $"Task {task.Id} was still {task.Status} ({task.Progress}%) when the wait's time limit passed. It goes on at the provider: resume with Get-SoraTask -Id {task.Id} -Profile {task.Profile} | Wait-SoraTask.";
            var said = lastError.Message.TrimEnd();
            return $"The wait's time limit passed for task {task.Id} while the provider's last answer about it could not be used: {said}" +
                   (said.EndsWith(".", StringComparison.Ordinal) ? "" : ".") +
                   $" Ask again later with Get-SoraTask -Id {task.Id} -Profile {task.Profile} | Wait-SoraTask.";
        }

        private void WriteProgress(SoraTask task, int activityId, bool completed)
        {
            if (!_bars.Enabled) return;
            _bars.Write(() => new ProgressRecord(ProgressBars.Parent, "Waiting for Sora tasks",
                string.Format(CultureInfo.InvariantCulture, "{0} of {1} done", _done, _total))
            {
                PercentComplete = _total == 0 ? 0 : Math.Min(100, _done * 100 / _total),
            });
            _bars.Write(() => new ProgressRecord(activityId, "Task " + task.Id,
                string.Format(CultureInfo.InvariantCulture, "{0} {1}%", task.Status, task.Progress))
            {
                ParentActivityId = ProgressBars.Parent,
                PercentComplete = Math.Max(0, Math.Min(100, task.Progress)),
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }

        /// <summary>Closes the parent bar.</summary>
        public void Complete() =>
            _bars.Write(() => new ProgressRecord(ProgressBars.Parent, "Waiting for Sora tasks", "done") { RecordType = ProgressRecordType.Completed });

        /// <param name="deadline">When the command's time limit ends (counted from its start); null: <paramref name="timeoutSec"/> counts from the first task waited for.</param>
        public static WaitOptions MakeOptions(double timeoutSec, double pollIntervalSec, DateTimeOffset? deadline = null) => new WaitOptions
        {
            Timeout = timeoutSec > 0 ? TimeSpan.FromSeconds(timeoutSec) : (TimeSpan?)null,
            Deadline = timeoutSec > 0 ? deadline : null,
            FixedInterval = pollIntervalSec > 0 ? TimeSpan.FromSeconds(pollIntervalSec) : (TimeSpan?)null,
            MinInterval = pollIntervalSec > 0 && pollIntervalSec < 1 ? TimeSpan.FromSeconds(pollIntervalSec) : TimeSpan.FromSeconds(1),
        };

        /// <summary>Releases the waiter once no task is outstanding (a stopped command leaves it to its cancelled polls).</summary>
        public void Dispose()
        {
            if (Outstanding == 0) _router.Dispose();
        }
    }
}
