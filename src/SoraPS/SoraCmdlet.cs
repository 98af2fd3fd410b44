using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;

namespace SoraPS.Commands
{
    /// <summary>
    /// Base of every SoraPS cmdlet. Background work never calls Write* itself: it posts actions to a
    /// queue that the pipeline thread drains. StopProcessing (Ctrl+C) cancels everything under way.
    /// </summary>
    public abstract class SoraCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _posted = new BlockingCollection<Action>();
        private readonly ConcurrentDictionary<string, SoraClient> _clients = new ConcurrentDictionary<string, SoraClient>(StringComparer.OrdinalIgnoreCase);
        private ProfileStore _store;
        private CmdletLog _log;

        protected CancellationToken StopToken => _stop.Token;

        internal ProfileStore Store => _store ?? (_store = new ProfileStore());

        internal ISoraLog Log => _log ?? (_log = new CmdletLog(this));

        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }

        /// <summary>Queues an action for the pipeline thread (safe from any thread).</summary>
        internal void Post(Action action)
        {
            try { _posted.Add(action); }
            catch (InvalidOperationException) { }
        }

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

        /// <summary>Runs the posted actions; waits up to <paramref name="wait"/> for the first one.</summary>
        protected void DrainPosted(TimeSpan wait)
        {
            if (_posted.TryTake(out var first, wait)) first();
            while (_posted.TryTake(out var next)) next();
        }

        /// <summary>The client for a profile (named, or the default), one per profile per invocation.</summary>
        internal SoraClient ClientFor(string profileName)
        {
            var key = profileName ?? "";
            return _clients.GetOrAdd(key, _ => new SoraClient(Store.Resolve(profileName), Log));
        }

        // ----- errors -----

        internal static ErrorCategory CategoryFor(SoraException e)
        {
            switch (e.ErrorId)
            {
                case "ProfileNotFound": case "NoProfile": return ErrorCategory.ObjectNotFound;
                case "ApiKeyMissing": return ErrorCategory.AuthenticationError;
                case "FileExists": return ErrorCategory.ResourceExists;
                case "SubmissionOutcomeUnknown": return ErrorCategory.OperationTimeout;
            }
            switch (e.Kind)
            {
                case SoraErrorKind.ContentModeration: return ErrorCategory.PermissionDenied;
                case SoraErrorKind.Quota: return ErrorCategory.QuotaExceeded;
                case SoraErrorKind.Authentication: return ErrorCategory.AuthenticationError;
                case SoraErrorKind.Permission: return ErrorCategory.PermissionDenied;
                case SoraErrorKind.InvalidParameter: return ErrorCategory.InvalidArgument;
                case SoraErrorKind.RateLimit: return ErrorCategory.LimitsExceeded;
                case SoraErrorKind.NotFound: return ErrorCategory.ObjectNotFound;
                case SoraErrorKind.Upstream: return ErrorCategory.ResourceUnavailable;
                case SoraErrorKind.Timeout: return ErrorCategory.OperationTimeout;
                case SoraErrorKind.Expired: return ErrorCategory.ResourceUnavailable;
                case SoraErrorKind.Cancelled: return ErrorCategory.OperationStopped;
                case SoraErrorKind.UnexpectedResponse: return ErrorCategory.ProtocolError;
                case SoraErrorKind.Network: return ErrorCategory.ConnectionError;
                case SoraErrorKind.Configuration: return ErrorCategory.InvalidArgument;
                default: return ErrorCategory.NotSpecified;
            }
        }

        internal static ErrorRecord ToErrorRecord(Exception e, object target)
        {
            if (e is AggregateException agg && agg.InnerExceptions.Count == 1) e = agg.InnerException;
            if (e is SoraException se)
            {
                var record = new ErrorRecord(se, se.ErrorId, CategoryFor(se), se.Target ?? target);
                var fix = RecommendedAction(se);
                if (fix != null) record.ErrorDetails = new ErrorDetails(Redactor.Redact(se.Message)) { RecommendedAction = fix };
                return record;
            }
            if (e is IOException || e is UnauthorizedAccessException)
                return new ErrorRecord(e, "FileSystemError", ErrorCategory.WriteError, target);
            var safe = new InvalidOperationException(Redactor.Redact(e.Message), e);
            return new ErrorRecord(safe, "UnexpectedError", ErrorCategory.NotSpecified, target);
        }

        private static string RecommendedAction(SoraException e)
        {
            switch (e.Kind)
            {
                case SoraErrorKind.ContentModeration: return "Rephrase the prompt or change the input image; moderation can also reject a finished video.";
                case SoraErrorKind.Quota: return "Top up or raise the quota with your provider, then submit again.";
                case SoraErrorKind.Authentication: return "Check the API key the profile points at (Get-SoraProfile shows the variable name).";
                case SoraErrorKind.RateLimit: return "Wait and retry, or lower the profile's MaxConcurrency.";
                case SoraErrorKind.Expired: return "The link has expired; generate the video again.";
            }
            if (e.ErrorId == "SubmissionOutcomeUnknown") return "Check the provider's task list (Get-SoraTask) before submitting the same prompt again.";
            return null;
        }

        internal void WriteSoraError(Exception e, object target) => WriteError(ToErrorRecord(e, target));

        // ----- waiting (shared by Wait-SoraTask, New-SoraVideo -Wait and Save-SoraVideo) -----

        private TaskWaiter _waiter;
        private readonly Dictionary<SoraTask, int> _activity = new Dictionary<SoraTask, int>();
        private int _waitedTotal, _waitedDone;
        private const int ParentActivity = 1;

        /// <summary>Adds a task to the shared wait; <paramref name="waitOptions"/> is used when the wait starts.</summary>
        internal void AddToWait(SoraTask task, WaitOptions waitOptions)
        {
            if (_waiter == null) _waiter = new TaskWaiter(ClientFor, waitOptions, StopToken);
            _activity[task] = ParentActivity + 1 + _activity.Count;
            _waitedTotal++;
            _waiter.Add(task);
        }

        /// <summary>
        /// Handles wait events on the pipeline thread. With <paramref name="block"/> it returns when every
        /// task has ended; otherwise it handles what is ready now. Succeeded tasks go to <paramref name="done"/>.
        /// </summary>
        internal void DrainWait(bool block, Action<SoraTask> done)
        {
            if (_waiter == null) return;
            while (_waiter.Outstanding > 0)
            {
                if (StopToken.IsCancellationRequested) throw new PipelineStoppedException();
                DrainPosted(TimeSpan.Zero);
                if (!_waiter.TryTake(block ? TimeSpan.FromMilliseconds(250) : TimeSpan.Zero, out var e))
                {
                    if (block) continue;
                    return;
                }
                var id = _activity.TryGetValue(e.Task, out var a) ? a : ParentActivity + 1;
                switch (e.Kind)
                {
                    case WaitEventKind.Progress:
                        WriteTaskProgress(e.Task, id, false);
                        break;
                    case WaitEventKind.Completed:
                        _waitedDone++;
                        WriteTaskProgress(e.Task, id, true);
                        if (e.Task.Status == SoraTaskStatus.Succeeded) done(e.Task);
                        else WriteSoraError(new SoraTaskFailedException(e.Task), e.Task);
                        break;
                    case WaitEventKind.TimedOut:
                        _waitedDone++;
                        WriteTaskProgress(e.Task, id, true);
                        WriteError(new ErrorRecord(
                            new TimeoutException($"Task {e.Task.Id} was still {e.Task.Status} ({e.Task.Progress}%) when the wait's time limit passed. It goes on at the provider: resume with Get-SoraTask -Id {e.Task.Id} -Profile {e.Task.Profile} | Wait-SoraTask."),
                            "WaitTimeout", ErrorCategory.OperationTimeout, e.Task));
                        break;
                    case WaitEventKind.Error:
                        _waitedDone++;
                        WriteTaskProgress(e.Task, id, true);
                        WriteSoraError(e.Error, e.Task);
                        break;
                }
            }
            if (block) CompleteParentProgress();
        }

        private void WriteTaskProgress(SoraTask task, int activityId, bool completed)
        {
            var parent = new ProgressRecord(ParentActivity, "Waiting for Sora tasks",
                string.Format(CultureInfo.InvariantCulture, "{0} of {1} done", _waitedDone, _waitedTotal))
            {
                PercentComplete = _waitedTotal == 0 ? 0 : Math.Min(100, _waitedDone * 100 / _waitedTotal),
            };
            WriteProgress(parent);
            var child = new ProgressRecord(activityId, "Task " + task.Id,
                string.Format(CultureInfo.InvariantCulture, "{0} {1}%", task.Status, task.Progress))
            {
                ParentActivityId = ParentActivity,
                PercentComplete = Math.Max(0, Math.Min(100, task.Progress)),
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            WriteProgress(child);
        }

        private void CompleteParentProgress()
        {
            if (_waitedTotal == 0) return;
            WriteProgress(new ProgressRecord(ParentActivity, "Waiting for Sora tasks", "done") { RecordType = ProgressRecordType.Completed });
        }

        internal static WaitOptions MakeWaitOptions(double timeoutSec, double pollIntervalSec) => new WaitOptions
        {
            Timeout = timeoutSec > 0 ? TimeSpan.FromSeconds(timeoutSec) : (TimeSpan?)null,
            FixedInterval = pollIntervalSec > 0 ? TimeSpan.FromSeconds(pollIntervalSec) : (TimeSpan?)null,
            MinInterval = pollIntervalSec > 0 && pollIntervalSec < 1 ? TimeSpan.FromSeconds(pollIntervalSec) : TimeSpan.FromSeconds(1),
        };

        /// <summary>Forwards Core's trace to Write-Verbose/Write-Debug on the pipeline thread, redacted.</summary>
        private sealed class CmdletLog : ISoraLog
        {
            private readonly SoraCmdlet _cmdlet;
            public CmdletLog(SoraCmdlet cmdlet) { _cmdlet = cmdlet; }
            public void Verbose(string message)
            {
                var text = Redactor.Redact(message);
                _cmdlet.Post(() => _cmdlet.WriteVerbose(text));
            }
            public void Debug(string message)
            {
                var text = Redactor.Redact(message);
                _cmdlet.Post(() => _cmdlet.WriteDebug(text));
            }
        }
    }
}
