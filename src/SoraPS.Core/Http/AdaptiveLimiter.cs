using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// The one concurrency limiter of SoraPS: submissions (<see cref="SoraClient.SubmitLimiter"/>), status polls
    /// (one per profile in a <see cref="Waiting.TaskWaiter"/>), downloads (<see cref="SoraClient.DownloadLimiter"/>)
    /// and the cmdlets' background lanes all wait on one. Waiters are served in order; one cancelled while
    /// waiting gives up its place. The limit starts at the ceiling and stays there unless the user reports
    /// push-back: then it adapts (AIMD), halving on <see cref="OnThrottled"/> (a 429, 503 or retry-after hint), at
    /// most once per back-off period, and growing back by one after each round of <see cref="OnSuccess"/> (as many
    /// successes as the limit), never above the ceiling. A retry-after hint also holds new requests until it has
    /// passed. Only submissions report push-back and successes; the other limits are fixed.
    /// </summary>
    public sealed class AdaptiveLimiter
    {
        /// <summary>The ceiling when the profile sets no MaxConcurrency.</summary>
        public const int DefaultCeiling = 16;

        private readonly object _lock = new object();
        private readonly Queue<TaskCompletionSource<bool>> _waiting = new Queue<TaskCompletionSource<bool>>();
        private readonly Func<DateTimeOffset> _clock;
        private int _limit;
        private int _inFlight;
        private int _successes;
        private DateTimeOffset _lastDecrease = DateTimeOffset.MinValue;
        private DateTimeOffset _holdUntil = DateTimeOffset.MinValue;

        public AdaptiveLimiter(int ceiling, Func<DateTimeOffset>? clock = null)
        {
            Ceiling = Math.Max(1, ceiling);
            _limit = Ceiling;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>The highest the limit goes (the profile's MaxConcurrency, else <see cref="DefaultCeiling"/>).</summary>
        public int Ceiling { get; }

        /// <summary>How many requests may be in flight now.</summary>
        public int Limit { get { lock (_lock) return _limit; } }

        /// <summary>How many requests are in flight now.</summary>
        public int InFlight { get { lock (_lock) return _inFlight; } }

        /// <summary>The most requests that were in flight at once since the last call (for tests and benchmarks).</summary>
        public int TakePeak()
        {
            lock (_lock)
            {
                var p = _peak;
                _peak = _inFlight;
                return p;
            }
        }

        private int _peak;

        /// <summary>After a decrease, further push-back within this period does not lower the limit again (the same burst).</summary>
        public TimeSpan DecreasePeriod { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Waits for a slot; every successful wait must be paired with one <see cref="Release"/>.</summary>
        public async Task WaitAsync(CancellationToken cancel)
        {
            TaskCompletionSource<bool>? waiter;
            lock (_lock)
            {
                if (_inFlight < _limit && _waiting.Count == 0)
                {
                    Enter();
                    waiter = null;
                }
                else
                {
                    waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiting.Enqueue(waiter);
                }
            }
            if (waiter != null)
            {
                // A waiter cancelled before it was handed a slot is skipped by Pump; one handed a slot first keeps it.
                using (cancel.Register(() => waiter.TrySetCanceled()))
                    await waiter.Task.ConfigureAwait(false);
            }
            var hold = HoldLeft();
            if (hold > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(hold, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Release();
                    throw;
                }
            }
        }

        private TimeSpan HoldLeft()
        {
            lock (_lock) return _holdUntil - _clock();
        }

        public void Release()
        {
            lock (_lock)
            {
                _inFlight--;
                Pump();
            }
        }

        /// <summary>A request was answered normally: after a full round of these the limit grows by one.</summary>
        public void OnSuccess()
        {
            lock (_lock)
            {
                if (_limit >= Ceiling) { _successes = 0; return; }
                if (++_successes >= _limit)
                {
                    _successes = 0;
                    _limit++;
                    Pump();
                }
            }
        }

        /// <summary>The provider pushed back (429, 503, or a retry-after hint): halve the limit and honour the hint.</summary>
        public void OnThrottled(TimeSpan? retryAfter)
        {
            lock (_lock)
            {
                var now = _clock();
                if (retryAfter.HasValue && retryAfter.Value > TimeSpan.Zero && now + retryAfter.Value > _holdUntil)
                    _holdUntil = now + retryAfter.Value;
                _successes = 0;
                var period = retryAfter.HasValue && retryAfter.Value > DecreasePeriod ? retryAfter.Value : DecreasePeriod;
                if (now - _lastDecrease < period) return;
                _lastDecrease = now;
                _limit = Math.Max(1, _limit / 2);
            }
        }

        private void Enter()
        {
            _inFlight++;
            if (_inFlight > _peak) _peak = _inFlight;
        }

        private void Pump()
        {
            while (_inFlight < _limit && _waiting.Count > 0)
            {
                var next = _waiting.Dequeue();
                if (next.Task.IsCompleted) continue; // cancelled while waiting
                Enter();
                if (!next.TrySetResult(true)) _inFlight--;
            }
        }
    }
}
