using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Waiting
{
    public sealed class WaitOptions
    {
        /// <summary>Give up on tasks still running after this long (null: wait as long as it takes).</summary>
        public TimeSpan? Timeout { get; set; }
        /// <summary>
        /// When the wait ends, as a point in time (a command's -TimeoutSec counted from its start); when given it is the
        /// deadline instead of <see cref="Timeout"/> counted from the waiter's start.
        /// </summary>
        public DateTimeOffset? Deadline { get; set; }
        /// <summary>Poll at this fixed interval instead of adapting (server hints still win when longer).</summary>
        public TimeSpan? FixedInterval { get; set; }
        public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);
        public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(15);
    }

    public enum WaitEventKind
    {
        /// <summary>A fresh state of a task still running.</summary>
        Progress,
        /// <summary>The task reached a terminal status (succeeded, failed, cancelled, expired).</summary>
        Completed,
        /// <summary>The task's state could not be read (it is unknown to the provider, or the key was refused).</summary>
        Error,
        /// <summary>The wait's time limit passed before the task finished.</summary>
        TimedOut,
    }

    public sealed class WaitEvent
    {
        public WaitEvent(WaitEventKind kind, SoraTask task, Exception? error = null)
        {
            Kind = kind;
            Task = task;
            Error = error;
        }

        public WaitEventKind Kind { get; }
        public SoraTask Task { get; }
        public Exception? Error { get; }
    }

    /// <summary>
    /// Waits for many tasks at once. Each task is polled on its own schedule (server hints, the
    /// provider's estimate and observed progress decide the interval), at most the profile's
    /// MaxConcurrency polls at once. Everything that happens becomes an event: queued for the caller to
    /// take with <see cref="TryTake"/>, or, when a sink is given, handed to the sink on the polling
    /// thread (the cmdlets' sink posts it to the pipeline thread). Nothing here writes to a pipeline.
    /// </summary>
    public sealed class TaskWaiter : IDisposable
    {
        private readonly Func<string?, SoraClient> _clients;
        private readonly WaitOptions _options;
        private readonly CancellationToken _cancel;
        private readonly BlockingCollection<WaitEvent> _events = new BlockingCollection<WaitEvent>();
        private readonly Action<WaitEvent>? _sink;
        private readonly ConcurrentDictionary<string, AdaptiveLimiter> _gates = new ConcurrentDictionary<string, AdaptiveLimiter>(StringComparer.OrdinalIgnoreCase);
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
        private int _outstanding;

        /// <param name="sink">When given, every event is handed to it (from a background thread) instead of being queued for <see cref="TryTake"/>.</param>
        public TaskWaiter(Func<string?, SoraClient> clients, WaitOptions options, CancellationToken cancel, Action<WaitEvent>? sink = null)
        {
            _sink = sink;
            _clients = clients ?? throw new ArgumentNullException(nameof(clients));
            _options = options ?? new WaitOptions();
            _cancel = cancel;
        }

        /// <summary>How many unreadable answers in a row a task's wait tolerates.</summary>
        public const int MaxGarbledAnswers = 3;

        /// <summary>Tasks added whose final event has not been taken yet.</summary>
        public int Outstanding => Volatile.Read(ref _outstanding);

        /// <summary>Number of status requests sent so far.</summary>
        public int PollCount => Volatile.Read(ref _polls);
        private int _polls;

        public void Add(SoraTask task)
        {
            if (task == null) throw new ArgumentNullException(nameof(task));
            Interlocked.Increment(ref _outstanding);
            if (task.IsTerminal)
            {
                Emit(new WaitEvent(WaitEventKind.Completed, task));
                return;
            }
            _ = Task.Run(() => PollAsync(task));
        }

        /// <summary>Takes the next event, waiting up to <paramref name="wait"/>. Final events lower <see cref="Outstanding"/>.</summary>
        public bool TryTake(TimeSpan wait, [MaybeNullWhen(false)] out WaitEvent e)
        {
            e = null;
            try
            {
                if (!_events.TryTake(out e, wait)) return false;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            if (e.Kind != WaitEventKind.Progress) Interlocked.Decrement(ref _outstanding);
            return true;
        }

        /// <summary>Polls one task until it ends, fails, or the wait's time limit or the caller stops it; each outcome is one final event.</summary>
        private async Task PollAsync(SoraTask task)
        {
            // The wait's time limit as a point in time (null: none).
            var until = _options.Deadline ?? (_options.Timeout.HasValue ? _started + _options.Timeout.Value : (DateTimeOffset?)null);
            SoraClient client;
            try
            {
                client = _clients(task.Profile);
            }
            catch (Exception e)
            {
                Emit(new WaitEvent(WaitEventKind.Error, task, e));
                return;
            }
            var gate = _gates.GetOrAdd(client.Profile.Name ?? "", _ => new AdaptiveLimiter(client.Profile.EffectiveConcurrency));
            // The time limit is hard: it cancels a poll in flight, a retry's back-off and the wait for a slot too.
            var trouble = new PollTrouble();
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(_cancel))
            {
                var left = TimeLimit.Left(until);
                if (left.HasValue) limit.CancelAfter(left.Value);
                var token = limit.Token;
                try
                {
                    Emit(await PollUntilFinalAsync(task, client, gate, until, trouble, token).ConfigureAwait(false));
                }
                catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
                {
                    // Stopped by the user: the caller stops taking events.
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    client.Log.Verbose($"Task {task.Id}: the wait's time limit passed while a request was under way; it was abandoned.");
                    Emit(new WaitEvent(WaitEventKind.TimedOut, task, trouble.LastError));
                }
                catch (Exception e)
                {
                    Emit(new WaitEvent(WaitEventKind.Error, task, e));
                }
            }
        }

        /// <summary>How a task's polls have gone lately: failures slow the schedule down; too many unreadable answers in a row end the wait.</summary>
        private sealed class PollTrouble
        {
            public int Failures;
            public int Garbled;
            /// <summary>Why the last poll's answer could not be used (null when it could): a time-out says it.</summary>
            public Exception? LastError;
        }

        /// <summary>Polls on the task's schedule, emitting Progress, until it is terminal (Completed) or the deadline comes (TimedOut).</summary>
        private async Task<WaitEvent> PollUntilFinalAsync(SoraTask task, SoraClient client, AdaptiveLimiter gate, DateTimeOffset? until, PollTrouble trouble, CancellationToken token)
        {
            var deadline = until ?? DateTimeOffset.MaxValue;
            var schedule = new PollSchedule(_options);
            while (true)
            {
                var delay = schedule.Next(task, DateTimeOffset.UtcNow, trouble.Failures);
                if (!await SleepBeforeDeadlineAsync(delay, deadline, token).ConfigureAwait(false))
                    return new WaitEvent(WaitEventKind.TimedOut, task, trouble.LastError);
                if (!await TryRefreshAsync(task, client, gate, trouble, until, token).ConfigureAwait(false)) continue;
                if (task.Status == SoraTaskStatus.Unknown)
                    client.Log.Verbose($"Task {task.Id} reports an unknown status '{task.ProviderStatus}'; treating it as not finished.");
                if (task.IsTerminal) return new WaitEvent(WaitEventKind.Completed, task);
                Emit(new WaitEvent(WaitEventKind.Progress, task));
            }
        }

        /// <summary>Waits <paramref name="delay"/>; when the deadline comes first, waits until it and returns false.</summary>
        private static async Task<bool> SleepBeforeDeadlineAsync(TimeSpan delay, DateTimeOffset deadline, CancellationToken token)
        {
            var now = DateTimeOffset.UtcNow;
            if (now + delay > deadline)
            {
                var left = deadline - now;
                if (left > TimeSpan.Zero) await Task.Delay(left, token).ConfigureAwait(false);
                return false;
            }
            await Task.Delay(delay, token).ConfigureAwait(false);
            return true;
        }

        /// <summary>
        /// One status request within the profile's poll limit. False when the answer could not be read but the wait
        /// goes on: a blip, push-back, or one of a few unreadable answers never abandons a paid task.
        /// </summary>
        private async Task<bool> TryRefreshAsync(SoraTask task, SoraClient client, AdaptiveLimiter gate, PollTrouble trouble, DateTimeOffset? deadline, CancellationToken token)
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                Interlocked.Increment(ref _polls);
                await client.RefreshAsync(task, deadline, token).ConfigureAwait(false);
                trouble.Failures = 0;
                trouble.Garbled = 0;
                trouble.LastError = null;
                return true;
            }
            catch (SoraNetworkException e) when (e.ErrorId == TimeLimit.ErrorId)
            {
                // The time limit ended the poll: the wait times out (the answer before it, if unusable, stays the reason).
                client.Log.Verbose($"Task {task.Id}: {e.Message}");
                return false;
            }
            catch (SoraNetworkException e)
            {
                // Keep polling, more slowly, until the time limit.
                trouble.LastError = e;
                trouble.Failures++;
                client.Log.Verbose($"Could not read task {task.Id} ({e.Message}); will try again.");
                return false;
            }
            catch (SoraApiException e) when (e.Kind == SoraErrorKind.RateLimit || e.Kind == SoraErrorKind.Upstream || e.Kind == SoraErrorKind.Timeout)
            {
                trouble.LastError = e;
                trouble.Failures++;
                client.Log.Verbose($"Could not read task {task.Id} ({e.Message}); will try again.");
                return false;
            }
            catch (SoraProtocolException e) when (++trouble.Garbled <= MaxGarbledAnswers)
            {
                // One unreadable answer from a flaky relay does not abandon a paid task; several in a row do.
                trouble.LastError = e;
                trouble.Failures++;
                client.Log.Verbose($"Task {task.Id}: {e.Message} Will ask again.");
                return false;
            }
            finally
            {
                gate.Release();
            }
        }

        private void Emit(WaitEvent e)
        {
            if (_sink == null)
            {
                _events.Add(e);
                return;
            }
            if (e.Kind != WaitEventKind.Progress) Interlocked.Decrement(ref _outstanding);
            _sink(e);
        }

        public void Dispose()
        {
            _events.Dispose();
        }
    }

    /// <summary>
    /// When to poll next. The server's poll hint is the interval (the wait's MinInterval when there is none).
    /// When the time the task still needs is known (from the observed progress rate, else the provider's
    /// estimate), the schedule polls at a part of it while completion is far (up to three quarters of a
    /// measured estimate, as its precision allows; half of the provider's), and once it is within one
    /// interval (up to four for a precise measured estimate) it aims one poll just after the expected finish; if that poll is early, it polls at the interval from
    /// then on, so a finished task is seen at most one interval (plus timer slack) late. When nothing is known,
    /// it polls at the hinted interval (ramping up to four of them while the task is queued), or ramps up
    /// from MinInterval.
    /// </summary>
    public sealed class PollSchedule
    {
        /// <summary>How far after the expected finish the aimed poll goes (so it does not arrive a moment early).</summary>
        public static readonly TimeSpan AimMargin = TimeSpan.FromMilliseconds(40);
        /// <summary>How far past one interval the expected finish may be for the aimed poll to replace the regular one.</summary>
        public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(150);

        private readonly WaitOptions _options;
        private int _polls;
        private DateTimeOffset? _firstSeen;
        private int _firstProgress;
        private bool _aimed;
        private int _queuedPolls;
        /// <summary>The progress (percent) behind the last measured estimate: its precision.</summary>
        private int _progressSeen;

        public PollSchedule(WaitOptions options)
        {
            _options = options ?? new WaitOptions();
        }

        public TimeSpan Next(SoraTask task, DateTimeOffset now, int failures = 0)
        {
            var min = _options.MinInterval;
            var max = _options.MaxInterval < min ? min : _options.MaxInterval;
            var hint = task.PollAfter.HasValue && task.PollAfter.Value > TimeSpan.Zero ? task.PollAfter : null;
            TimeSpan delay;
            var remaining = EstimateRemaining(task, now, out var measured);
            if (_options.FixedInterval.HasValue)
            {
                delay = _options.FixedInterval.Value;
                if (hint.HasValue && hint.Value > delay) delay = hint.Value;
            }
            else
            {
                var interval = hint ?? min;
                if (remaining == null)
                {
                    // Ramp: min, 1.5x, 2.25x ... up to max. A server that says how often to ask is asked that often,
                    // except while it says the task is still queued: then from the hint up to four of them.
                    if (hint.HasValue && task.Status == SoraTaskStatus.Queued)
                        delay = TimeSpan.FromMilliseconds(Math.Min(4 * hint.Value.TotalMilliseconds, hint.Value.TotalMilliseconds * Math.Pow(1.5, _queuedPolls++)));
                    else
                        delay = hint ?? TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(1.5, _polls)));
                }
                else if (_aimed)
                {
                    // The poll aimed at the expected finish came early: from now on, the interval.
                    delay = interval;
                }
                else if (remaining.Value <= interval + Slack ||
                         (measured && remaining.Value.Ticks <= 4 * interval.Ticks && remaining.Value.Ticks / (_progressSeen + 1) <= interval.Ticks / 2))
                {
                    // Close enough for the estimate to hold (a measured one: within four intervals, and its error from
                    // whole-percent progress within half an interval): one poll just after the expected finish.
                    _aimed = true;
                    delay = remaining.Value + AimMargin;
                }
                else
                {
                    // Far: a part of what is left. Half of the provider's estimate; of a measured one, the part that
                    // stays short of the finish even if the progress seen was one percent more (at most three quarters).
                    var part = measured ? (long)(remaining.Value.Ticks * Math.Min(0.75, 0.9 * _progressSeen / (_progressSeen + 1.0))) : remaining.Value.Ticks / 2;
                    delay = Clamp(TimeSpan.FromTicks(part), interval, max < interval ? interval : max);
                }
            }
            if (failures > 0)
            {
                delay = TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds * 4, Math.Max(delay.TotalMilliseconds, min.TotalMilliseconds) * Math.Pow(2, Math.Min(failures, 6))));
                if (hint.HasValue && hint.Value > delay) delay = hint.Value;
            }
            _polls++;
            return delay;
        }

        /// <param name="measured">True when the estimate comes from the progress observed, false when from the provider's estimate.</param>
        private TimeSpan? EstimateRemaining(SoraTask task, DateTimeOffset now, out bool measured)
        {
            measured = false;
            if (task.Status == SoraTaskStatus.Running && task.Progress > 0)
            {
                if (_firstSeen == null)
                {
                    _firstSeen = now;
                    _firstProgress = task.Progress;
                }
                else if (task.Progress > _firstProgress)
                {
                    var rate = (task.Progress - _firstProgress) / (now - _firstSeen.Value).TotalSeconds; // percent per second
                    if (rate > 0)
                    {
                        measured = true;
                        _progressSeen = task.Progress - _firstProgress;
                        return TimeSpan.FromSeconds(Math.Max(0, 100 - task.Progress) / rate);
                    }
                }
            }
            if (task.EstimatedTotal.HasValue)
            {
                var start = task.CreatedAt ?? now;
                var left = start + task.EstimatedTotal.Value - now;
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
            return null;
        }

        private static TimeSpan Clamp(TimeSpan v, TimeSpan min, TimeSpan max) => v < min ? min : v > max ? max : v;
    }
}
