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
using SoraPS.Core.Journal;
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

        private TaskJournal _journal;
        internal TaskJournal Journal => _journal ?? (_journal = new TaskJournal { Log = Log });

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
            if (_clients.TryGetValue(key, out var cached)) return cached;
            var profile = Store.Resolve(profileName);
            Func<SoraProfile, ApiCredential> credentials = p => ApiCredential.Resolve(p);
            if (!string.IsNullOrEmpty(profile.ApiKeySecret))
            {
                // SecretManagement runs PowerShell: read the secret now, on the pipeline thread.
                var secret = ReadSecret(profile);
                credentials = p => ApiCredential.Resolve(p, (name, vault) => secret);
            }
            return _clients.GetOrAdd(key, _ => new SoraClient(profile, Log, null, credentials) { Journal = Journal });
        }

        private int _pipelineThread = -1;

        protected override void BeginProcessing()
        {
            _pipelineThread = Environment.CurrentManagedThreadId;
            var preference = GetVariableValue("ProgressPreference");
            _progress = !(preference is ActionPreference a && (a == ActionPreference.SilentlyContinue || a == ActionPreference.Ignore)) &&
                        !"SilentlyContinue".Equals(preference?.ToString(), StringComparison.OrdinalIgnoreCase);
            _verbose = Wants("Verbose", "VerbosePreference");
            _debug = Wants("Debug", "DebugPreference");
            base.BeginProcessing();
        }

        private bool _progress = true;
        private bool _verbose = true, _debug = true;

        /// <summary>Whether a stream is shown: the switch was given, or its preference variable asks for it.</summary>
        private bool Wants(string switchName, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(switchName, out var v))
                return v is SwitchParameter sp ? sp.IsPresent : LanguagePrimitives.IsTrue(v);
            var pref = GetVariableValue(preferenceVariable);
            return pref is ActionPreference a ? a != ActionPreference.SilentlyContinue && a != ActionPreference.Ignore
                : !"SilentlyContinue".Equals(pref?.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        internal bool ProgressEnabled => _progress;

        /// <summary>Writes a progress record unless $ProgressPreference hides progress (then it costs nothing).</summary>
        internal void Progress(Func<ProgressRecord> record)
        {
            if (_progress) WriteProgress(record());
        }

        /// <summary>Reads a key from SecretManagement (optional dependency: a clear error when it is absent).</summary>
        private string ReadSecret(SoraProfile profile)
        {
            if (_pipelineThread != -1 && Environment.CurrentManagedThreadId != _pipelineThread)
                throw new SoraConfigurationException("SecretManagementUnavailable", $"The secret for profile '{profile.Name}' can only be read on the pipeline thread.");
            var available = InvokeCommand.InvokeScript("Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretManagement | Select-Object -First 1");
            if (available.Count == 0)
                throw new SoraConfigurationException("SecretManagementMissing",
                    $"Profile '{profile.Name}' takes its key from the secret '{profile.ApiKeySecret}', but the Microsoft.PowerShell.SecretManagement module is not installed. Install it (Install-Module Microsoft.PowerShell.SecretManagement) or give the profile another key source.") { Target = profile.Name };
            try
            {
                var result = InvokeCommand.InvokeScript(false,
                    ScriptBlock.Create("param($Name, $Vault) Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop; if ($Vault) { Get-Secret -Name $Name -Vault $Vault -AsPlainText -ErrorAction Stop } else { Get-Secret -Name $Name -AsPlainText -ErrorAction Stop }"),
                    null, profile.ApiKeySecret, profile.Vault);
                var value = result.Count == 0 ? null : result[0]?.BaseObject;
                if (value is System.Security.SecureString secure) return new System.Net.NetworkCredential("", secure).Password;
                if (value is PSCredential credential) return credential.GetNetworkCredential().Password;
                return value?.ToString();
            }
            catch (RuntimeException e)
            {
                throw new SoraConfigurationException("SecretNotFound",
                    Redactor.Redact($"Cannot read the secret '{profile.ApiKeySecret}'{(string.IsNullOrEmpty(profile.Vault) ? "" : " from vault '" + profile.Vault + "'")} for profile '{profile.Name}': {e.Message}"), e) { Target = profile.Name };
            }
        }

        // ----- errors -----

        internal static ErrorCategory CategoryFor(SoraException e)
        {
            switch (e.ErrorId)
            {
                case "ProfileNotFound": case "NoProfile": return ErrorCategory.ObjectNotFound;
                case "ApiKeyMissing": case "SecretNotFound": return ErrorCategory.AuthenticationError;
                case "SecretManagementMissing": return ErrorCategory.NotInstalled;
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
            switch (e.ErrorId)
            {
                case "SubmissionOutcomeUnknown": return "Check the provider's task list (Get-SoraTask) before submitting the same prompt again.";
                case "ListNotSupported": return "Use Get-SoraTask with ids, or without arguments for this machine's journal.";
                case "QueryNotSupported": return "The task object New-SoraVideo emitted already holds the video link.";
                case "ImageRequired": return "Pass -Image with an image URL.";
                case "CallbackNotSupported": return "Leave -CallbackUri out.";
                case "ConflictingOperations": return "Pass only one of -RemixOf, -Storyboard and -Blend.";
                case "InvalidSetting": return "Get-SoraProfile shows a profile's settings; tab completion on -Setting offers the names.";
            }
            return null;
        }

        internal void WriteSoraError(Exception e, object target) => WriteError(ToErrorRecord(e, target));

        // ----- background work and waiting (shared by New-SoraVideo, Wait-SoraTask and Save-SoraVideo) -----

        private TaskWaiter _waiter;
        private readonly Dictionary<SoraTask, int> _activity = new Dictionary<SoraTask, int>();
        private readonly Dictionary<string, int> _inFlight = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<int, (string Text, DateTime Started)> _openRequests = new Dictionary<int, (string, DateTime)>();
        private int _waitedTotal, _waitedDone, _waitOutstanding, _background, _nextActivity = 2;
        private const int ParentActivity = 1;

        /// <summary>Adds a task to the shared wait; <paramref name="waitOptions"/> is used when the wait starts.</summary>
        internal void AddToWait(SoraTask task, WaitOptions waitOptions, Action<SoraTask> done)
        {
            // The waiter asks for clients from background threads: make sure this task's is made here.
            try
            {
                ClientFor(task.Profile).EnsureCredential();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, task);
                return;
            }
            if (_waiter == null)
                _waiter = new TaskWaiter(ClientFor, waitOptions, StopToken, e => Post(() => HandleWaitEvent(e, done)));
            if (!_activity.ContainsKey(task)) _activity[task] = NextActivityId();
            _waitedTotal++;
            _waitOutstanding++;
            _waiter.Add(task);
        }

        private void HandleWaitEvent(WaitEvent e, Action<SoraTask> done)
        {
            var id = _activity.TryGetValue(e.Task, out var a) ? a : ParentActivity + 1;
            if (e.Kind != WaitEventKind.Progress)
            {
                _waitOutstanding--;
                _waitedDone++;
            }
            WriteTaskProgress(e.Task, id, e.Kind != WaitEventKind.Progress);
            switch (e.Kind)
            {
                case WaitEventKind.Completed:
                    if (e.Task.Status == SoraTaskStatus.Succeeded) done(e.Task);
                    else WriteSoraError(new SoraTaskFailedException(e.Task), e.Task);
                    break;
                case WaitEventKind.TimedOut:
                    WriteError(new ErrorRecord(
                        new TimeoutException($"Task {e.Task.Id} was still {e.Task.Status} ({e.Task.Progress}%) when the wait's time limit passed. It goes on at the provider: resume with Get-SoraTask -Id {e.Task.Id} -Profile {e.Task.Profile} | Wait-SoraTask."),
                        "WaitTimeout", ErrorCategory.OperationTimeout, e.Task));
                    break;
                case WaitEventKind.Error:
                    WriteSoraError(e.Error, e.Task);
                    break;
            }
        }

        /// <summary>
        /// Starts <paramref name="work"/> in the background, at most <paramref name="limit"/> at once per
        /// <paramref name="lane"/>. A finished operation hands its slot to the next one in the background,
        /// so the slots stay busy; this thread only waits (writing output meanwhile) when more than a few
        /// rounds of work are queued. The result or error is handled on the pipeline thread.
        /// <paramref name="description"/>, when given, shows as a progress bar with the elapsed time.
        /// </summary>
        internal void StartBackground<T>(string lane, int limit, string description, Func<CancellationToken, Task<T>> work, Action<T> done, Action<Exception> failed) =>
            StartBackground(lane, limit, Math.Max(1, limit) * 4, description, work, done, failed);

        /// <summary>As above, with the number of queued operations that makes this thread wait given apart.</summary>
        internal void StartBackground<T>(string lane, int limit, int queueLimit, string description, Func<CancellationToken, Task<T>> work, Action<T> done, Action<Exception> failed)
        {
            limit = Math.Max(1, limit);
            queueLimit = Math.Max(limit, queueLimit);
            while (InFlight(lane) >= queueLimit) Pump(block: true, until: () => InFlight(lane) < queueLimit);
            if (!_gates.TryGetValue(lane, out var gate)) _gates[lane] = gate = new SemaphoreSlim(limit);
            _inFlight[lane] = InFlight(lane) + 1;
            _background++;
            var activity = NextActivityId();
            void Finish()
            {
                _inFlight[lane] = InFlight(lane) - 1;
                _background--;
                if (_openRequests.Remove(activity))
                    Progress(() => new ProgressRecord(activity, "Sora request", "done") { RecordType = ProgressRecordType.Completed });
            }
            Task.Run(async () =>
            {
                var entered = false;
                try
                {
                    await gate.WaitAsync(StopToken).ConfigureAwait(false);
                    entered = true;
                    if (description != null) Post(() => _openRequests[activity] = (description, DateTime.UtcNow));
                    var result = await work(StopToken).ConfigureAwait(false);
                    Post(() => { Finish(); done(result); });
                }
                catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
                {
                    Post(Finish);
                }
                catch (Exception e)
                {
                    Post(() => { Finish(); failed(e); });
                }
                finally
                {
                    if (entered) gate.Release();
                }
            });
        }

        private readonly Dictionary<string, SemaphoreSlim> _gates = new Dictionary<string, SemaphoreSlim>(StringComparer.OrdinalIgnoreCase);

        /// <summary>A progress activity id no other bar of this command uses.</summary>
        internal int NextActivityId() => _nextActivity++;

        private int InFlight(string lane) => _inFlight.TryGetValue(lane, out var n) ? n : 0;

        /// <summary>
        /// Runs what background work posts, on this (the pipeline) thread. With <paramref name="block"/> it
        /// returns when every background operation and wait has ended (or <paramref name="until"/> holds);
        /// otherwise it handles what is ready now.
        /// </summary>
        internal void Pump(bool block, Func<bool> until = null)
        {
            var lastTick = DateTime.UtcNow;
            while (true)
            {
                if (StopToken.IsCancellationRequested) throw new PipelineStoppedException();
                DrainPosted(block ? TimeSpan.FromMilliseconds(250) : TimeSpan.Zero);
                var finished = until != null ? until() : _background == 0 && _waitOutstanding == 0;
                if (finished || !block) break;
                if (_openRequests.Count > 0 && DateTime.UtcNow - lastTick >= TimeSpan.FromSeconds(1))
                {
                    lastTick = DateTime.UtcNow;
                    foreach (var kv in _openRequests)
                        Progress(() => new ProgressRecord(kv.Key, "Sora request", string.Format(CultureInfo.InvariantCulture, "{0}: {1:0} s elapsed", kv.Value.Text, (DateTime.UtcNow - kv.Value.Started).TotalSeconds)));
                }
            }
            if (block && until == null && _waitedTotal > 0)
                Progress(() => new ProgressRecord(ParentActivity, "Waiting for Sora tasks", "done") { RecordType = ProgressRecordType.Completed });
        }

        private void WriteTaskProgress(SoraTask task, int activityId, bool completed)
        {
            if (!_progress) return;
            var parent = new ProgressRecord(ParentActivity, "Waiting for Sora tasks",
                string.Format(CultureInfo.InvariantCulture, "{0} of {1} done", _waitedDone, _waitedTotal))
            {
                PercentComplete = _waitedTotal == 0 ? 0 : Math.Min(100, _waitedDone * 100 / _waitedTotal),
            };
            Progress(() => parent);
            var child = new ProgressRecord(activityId, "Task " + task.Id,
                string.Format(CultureInfo.InvariantCulture, "{0} {1}%", task.Status, task.Progress))
            {
                ParentActivityId = ParentActivity,
                PercentComplete = Math.Max(0, Math.Min(100, task.Progress)),
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            Progress(() => child);
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
                if (!_cmdlet._verbose) return;
                var text = Redactor.Redact(message);
                _cmdlet.Post(() => _cmdlet.WriteVerbose(text));
            }
            public void Warning(string message)
            {
                var text = Redactor.Redact(message);
                _cmdlet.Post(() => _cmdlet.WriteWarning(text));
            }

            public void Debug(string message)
            {
                if (!_cmdlet._debug) return;
                var text = Redactor.Redact(message);
                _cmdlet.Post(() => _cmdlet.WriteDebug(text));
            }
        }
    }
}
