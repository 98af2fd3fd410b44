using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;

namespace SoraPS.Commands
{
    /// <summary>
    /// Background operations in named lanes, at most a limit at once per lane (an <see cref="AdaptiveLimiter"/> whose limit is fixed). A finished operation hands its
    /// slot to the next one in the background, so the slots stay busy; results and errors are handled on the
    /// pipeline thread through the queue. Long operations with a description show a bar with the elapsed time.
    /// </summary>
    internal sealed class BackgroundLanes : IDisposable
    {
        private readonly Action<Action> _post;
        private readonly ProgressBars _bars;
        private readonly CancellationToken _stop;
        private readonly CancellationTokenSource _queueStop = new CancellationTokenSource();
        private readonly Dictionary<string, AdaptiveLimiter> _gates = new Dictionary<string, AdaptiveLimiter>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _inFlight = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<int, (string Text, DateTime Started)> _openRequests = new Dictionary<int, (string, DateTime)>();

        public BackgroundLanes(Action<Action> post, ProgressBars bars, CancellationToken stop)
        {
            _post = post;
            _bars = bars;
            _stop = stop;
        }

        /// <summary>Cancelled by <see cref="StopQueued"/>: work not yet started is dropped (its work may also watch this to drop what it has not sent).</summary>
        public CancellationToken QueueStop => _queueStop.Token;

        /// <summary>Drops every operation still waiting for its lane's slot; those under way go on.</summary>
        public void StopQueued()
        {
            if (!_queueStop.IsCancellationRequested) _queueStop.Cancel();
        }

        /// <summary>Operations started and not yet handled on the pipeline thread.</summary>
        public int Running { get; private set; }

        private int InFlight(string lane) => _inFlight.TryGetValue(lane, out var n) ? n : 0;

        /// <summary>
        /// Starts <paramref name="work"/>; when <paramref name="queueLimit"/> operations of the lane are already
        /// queued, this (the pipeline) thread first runs what they post until one has ended.
        /// </summary>
        public void Start<T>(string lane, int limit, int queueLimit, string description, Func<CancellationToken, Task<T>> work,
            Action<T> done, Action<Exception> failed, Action<Func<bool>> pumpUntil)
        {
            limit = Math.Max(1, limit);
            queueLimit = Math.Max(limit, queueLimit);
            while (InFlight(lane) >= queueLimit) pumpUntil(() => InFlight(lane) < queueLimit);
            if (!_gates.TryGetValue(lane, out var gate)) _gates[lane] = gate = new AdaptiveLimiter(limit);
            _inFlight[lane] = InFlight(lane) + 1;
            Running++;
            var activity = _bars.NextId();
            void Finish()
            {
                _inFlight[lane] = InFlight(lane) - 1;
                Running--;
                if (_openRequests.Remove(activity))
                    _bars.Write(() => new ProgressRecord(activity, "Sora request", "done") { RecordType = ProgressRecordType.Completed });
            }
            var queueStop = _queueStop.Token;
            Task.Run(async () =>
            {
                var entered = false;
                try
                {
                    using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stop, queueStop))
                        await gate.WaitAsync(waiting.Token).ConfigureAwait(false);
                    entered = true;
                    queueStop.ThrowIfCancellationRequested();
                    if (description != null) _post(() => _openRequests[activity] = (description, DateTime.UtcNow));
                    var result = await work(_stop).ConfigureAwait(false);
                    _post(() => { Finish(); done(result); });
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested || queueStop.IsCancellationRequested)
                {
                    _post(Finish);
                }
                catch (Exception e)
                {
                    _post(() => { Finish(); failed(e); });
                }
                finally
                {
                    if (entered) gate.Release();
                }
            });
        }

        private DateTime _lastTick;

        /// <summary>Starts counting a second from now (a pump begins).</summary>
        public void ResetTick() => _lastTick = DateTime.UtcNow;

        /// <summary>Shows the elapsed time of the described operations under way, once a second.</summary>
        public void Tick()
        {
            if (_openRequests.Count == 0 || DateTime.UtcNow - _lastTick < TimeSpan.FromSeconds(1)) return;
            _lastTick = DateTime.UtcNow;
            foreach (var kv in _openRequests)
                _bars.Write(() => new ProgressRecord(kv.Key, "Sora request", string.Format(CultureInfo.InvariantCulture, "{0}: {1:0} s elapsed", kv.Value.Text, (DateTime.UtcNow - kv.Value.Started).TotalSeconds)));
        }

        /// <summary>Forgets the lanes' gates (they hold nothing to dispose); operations still running keep theirs until they end.</summary>
        public void Dispose()
        {
            StopQueued();
            if (Running > 0) return;
            _gates.Clear();
            _queueStop.Dispose();
        }
    }
}
