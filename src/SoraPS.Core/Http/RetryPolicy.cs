using System;
using System.Globalization;

namespace SoraPS.Core.Http
{
    /// <summary>What kind of call: decides what may be retried.</summary>
    public enum RequestKind
    {
        /// <summary>A paid submission: retried only when the provider certainly did not accept it.</summary>
        Submit,
        /// <summary>A read (query, list, download): safe to retry.</summary>
        Read,
    }

    /// <summary>Exponential backoff with jitter that honours the provider's own retry hints.</summary>
    public sealed class RetryPolicy
    {
        public int MaxAttempts { get; set; } = 5;
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>A server hint longer than this is not waited for; the error is returned instead.</summary>
        public TimeSpan MaxHintedDelay { get; set; } = TimeSpan.FromMinutes(2);

        public static readonly RetryPolicy Default = new RetryPolicy();

        public static bool IsRetryableStatus(int status) =>
            status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;

        /// <summary>
        /// Statuses after which a submission certainly was not accepted: only 429 (rate limited). A 502, 503
        /// or 504 may come from a gateway whose upstream accepted the task, so it is never re-sent.
        /// </summary>
        public static bool IsSafeToResubmit(int status) => status == 429;

        /// <summary>Answers from a gateway in front of the provider: the submission may have been accepted upstream.</summary>
        public static bool IsGatewayStatus(int status) => status == 502 || status == 503 || status == 504;

        /// <summary>The delay before attempt number <paramref name="attempt"/> (1-based retry count).</summary>
        public TimeSpan Backoff(int attempt, Random random) => Backoff(attempt, (random ?? throw new ArgumentNullException(nameof(random))).NextDouble());

        /// <summary>The delay before attempt number <paramref name="attempt"/>, its jitter drawn from <paramref name="jitter"/> (safe from many threads).</summary>
        public TimeSpan Backoff(int attempt, JitterSource jitter) => Backoff(attempt, (jitter ?? JitterSource.Shared).NextDouble());

        private TimeSpan Backoff(int attempt, double unit)
        {
            var exp = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
            var capped = Math.Min(exp, MaxDelay.TotalMilliseconds);
            // "Equal jitter": half fixed, half random, so retries from many clients spread out.
            var jittered = capped / 2 + unit * capped / 2;
            return TimeSpan.FromMilliseconds(jittered);
        }

        /// <summary>
        /// Reads retry-after-ms, then retry-after (seconds or an HTTP date), through <see cref="Hints"/>: an unreadable
        /// hint is ignored and an absurd one is bounded by <see cref="Hints.MaxRetryHint"/>.
        /// </summary>
        public static TimeSpan? ParseRetryHint(Func<string, string?> header, DateTimeOffset now)
        {
            var ms = Hints.Milliseconds(header("retry-after-ms"), Hints.MaxRetryHint);
            if (ms.HasValue) return ms;
            var ra = header("retry-after");
            if (string.IsNullOrWhiteSpace(ra)) return null;
            if (double.TryParse(ra, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return Hints.Seconds(ra, Hints.MaxRetryHint);
            if (DateTimeOffset.TryParse(ra, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var d = date - now;
                return d < TimeSpan.Zero ? TimeSpan.Zero : d > Hints.MaxRetryHint ? Hints.MaxRetryHint : d;
            }
            return null;
        }

        /// <summary>x-should-retry: true/false overrides the status-based decision.</summary>
        public static bool? ParseShouldRetry(Func<string, string?> header)
        {
            var v = header("x-should-retry");
            if (string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(v, "false", StringComparison.OrdinalIgnoreCase)) return false;
            return null;
        }
    }
}
