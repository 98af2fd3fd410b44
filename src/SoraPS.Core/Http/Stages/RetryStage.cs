using System;
using System.Globalization;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// Runs the attempts, each with a freshly built request. A read is tried again after a transient status or a
    /// network failure; a submission only when the provider certainly did not accept it (a 429 that is not an
    /// exhausted quota, a refused connection). The provider's x-should-retry and retry-after hints are honoured;
    /// otherwise the back-off grows exponentially with jitter from a thread-safe source.
    /// </summary>
    public sealed class RetryStage : HttpStage
    {
        private readonly ISoraLog _log;
        private readonly JitterSource _jitter;

        public RetryStage(RetryPolicy policy, ISoraLog? log = null, JitterSource? jitter = null)
        {
            Policy = policy ?? throw new ArgumentNullException(nameof(policy));
            _log = log ?? NullLog.Instance;
            _jitter = jitter ?? JitterSource.Shared;
        }

        public RetryPolicy Policy { get; }

        public override async Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    exchange.Cancel.ThrowIfCancellationRequested();
                    exchange.NewAttempt(attempt);
                    var what = exchange.What;
                    if (TimeLimit.HasPassed(exchange.Deadline))
                        throw TimeLimit.Passed($"The time limit passed before {what} was sent; it was not sent.");
                    TimeSpan? hint = null;
                    SoraNetworkException? failure = null;
                    try
                    {
                        await next().ConfigureAwait(false);
                    }
                    catch (SoraNetworkException e) when (e.ErrorId != SubmissionOutcome.UnknownId && e.ErrorId != TimeLimit.ErrorId && attempt < Policy.MaxAttempts)
                    {
                        // A failure before the provider could act on the request: safe to try again.
                        failure = e;
                    }
                    var response = exchange.Response;
                    var status = response == null ? 0 : (int)response.StatusCode;
                    if (response != null)
                    {
                        if (!ShouldRetry(exchange, response) || attempt >= Policy.MaxAttempts) return;
                        hint = RetryPolicy.ParseRetryHint(n => ThrottleStage.HeaderOf(response, n), DateTimeOffset.UtcNow);
                        if (hint.HasValue && hint.Value > Policy.MaxHintedDelay)
                        {
                            _log.Verbose($"Not retrying {what}: the provider asked to wait {hint.Value.TotalSeconds:0} s, longer than {Policy.MaxHintedDelay.TotalSeconds:0} s.");
                            return;
                        }
                        response.Dispose();
                        exchange.Response = null;
                    }
                    var delay = hint ?? Policy.Backoff(attempt, _jitter);
                    var left = TimeLimit.Left(exchange.Deadline);
                    if (left.HasValue && delay >= left.Value)
                    {
                        // No back-off outlasts the command's time limit: the attempt that would follow it is never made.
                        var why = failure != null ? $"failed ({failure.Message})" : $"was answered {status}";
                        throw TimeLimit.Passed(string.Format(CultureInfo.InvariantCulture,
                            "{0} {1}; the next attempt was due in {2:0.#} s{3}, after the time limit, so it was not sent again.",
                            what, why, delay.TotalSeconds, hint.HasValue ? " (the provider's retry-after)" : ""), failure);
                    }
                    _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Retrying {0} in {1:0.0} s (attempt {2} of {3}{4}).",
                        what, delay.TotalSeconds, attempt + 1, Policy.MaxAttempts, hint.HasValue ? ", as the provider asked" : ""));
                    await Task.Delay(delay, exchange.Cancel).ConfigureAwait(false);
                }
            }
            finally
            {
                exchange.EndAttempts();
            }
        }

        /// <summary>Whether the answer may be bettered by asking again (the number of attempts aside).</summary>
        internal static bool ShouldRetry(HttpExchange exchange, System.Net.Http.HttpResponseMessage response)
        {
            var status = (int)response.StatusCode;
            var should = RetryPolicy.ParseShouldRetry(n => ThrottleStage.HeaderOf(response, n));
            var retryable = exchange.Kind == RequestKind.Submit ? RetryPolicy.IsSafeToResubmit(status) : RetryPolicy.IsRetryableStatus(status);
            if (exchange.QuotaExhausted) retryable = false; // an exhausted quota does not come back by waiting
            if (should.HasValue && exchange.Kind == RequestKind.Read) retryable = should.Value;
            if (should == false) retryable = false;
            return retryable;
        }
    }
}
