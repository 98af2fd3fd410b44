using System;
using System.Globalization;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// A server's timing hints (retry-after, retry-after-ms, openai-poll-after-ms) read defensively: a hint that is
    /// not a finite, non-negative number is ignored, and a readable one is bounded by a ceiling. A hint never throws and
    /// never changes what the rest of the answer says.
    /// </summary>
    public static class Hints
    {
        /// <summary>The longest poll interval a server may ask for; a longer hint is read as this.</summary>
        public static readonly TimeSpan MaxPollHint = TimeSpan.FromMinutes(1);

        /// <summary>
        /// The longest retry hint kept; a longer one is read as this. It is past every wait SoraPS makes for a hint
        /// (see <see cref="RetryPolicy.MaxHintedDelay"/>), so such an answer is returned as the error it is.
        /// </summary>
        public static readonly TimeSpan MaxRetryHint = TimeSpan.FromHours(1);

        /// <summary>A number of milliseconds as a bounded delay, or null when it is not a finite, non-negative number.</summary>
        public static TimeSpan? Milliseconds(string? text, TimeSpan ceiling) => Bounded(Number(text), 1, ceiling);

        /// <summary>A number of seconds as a bounded delay, or null when it is not a finite, non-negative number.</summary>
        public static TimeSpan? Seconds(string? text, TimeSpan ceiling) => Bounded(Number(text), 1000, ceiling);

        private static double? Number(string? text) =>
            !string.IsNullOrWhiteSpace(text) && double.TryParse(text!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : (double?)null;

        private static TimeSpan? Bounded(double? value, double toMilliseconds, TimeSpan ceiling)
        {
            if (value == null || double.IsNaN(value.Value) || double.IsInfinity(value.Value) || value.Value < 0) return null;
            var ms = value.Value * toMilliseconds;
            return ms >= ceiling.TotalMilliseconds ? ceiling : TimeSpan.FromMilliseconds(ms);
        }
    }
}
