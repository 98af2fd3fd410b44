using System;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// A command's time limit (-TimeoutSec) as a deadline that flows down to every wait under it: the wait for a slot,
    /// a single request's time limit and a retry's back-off are each cut to the time left. When it passes, the error is
    /// WaitTimeout, the id a wait that ran out of time has always had.
    /// </summary>
    public static class TimeLimit
    {
        /// <summary>The ErrorId of everything that ended because the command's time limit passed.</summary>
        public const string ErrorId = "WaitTimeout";

        /// <summary>The deadline <paramref name="seconds"/> after <paramref name="start"/>; null for no limit (0 or less).</summary>
        public static DateTimeOffset? After(DateTimeOffset start, double seconds) =>
            seconds > 0 ? start + TimeSpan.FromSeconds(seconds) : (DateTimeOffset?)null;

        /// <summary>The time left until <paramref name="deadline"/> (never negative); null when there is none.</summary>
        public static TimeSpan? Left(DateTimeOffset? deadline)
        {
            if (!deadline.HasValue) return null;
            var left = deadline.Value - DateTimeOffset.UtcNow;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        /// <summary>Whether the deadline has come.</summary>
        public static bool HasPassed(DateTimeOffset? deadline) => deadline.HasValue && DateTimeOffset.UtcNow >= deadline.Value;

        /// <summary>
        /// <paramref name="limit"/> cut to the time left; <paramref name="byDeadline"/> says whether the deadline is
        /// what bounds it (so running out is the command's time limit, not the request's).
        /// </summary>
        public static TimeSpan Bound(TimeSpan limit, DateTimeOffset? deadline, out bool byDeadline)
        {
            var left = Left(deadline);
            byDeadline = left.HasValue && left.Value < limit;
            return byDeadline ? left!.Value : limit;
        }

        /// <summary>The error of something the time limit ended.</summary>
        public static SoraNetworkException Passed(string message, Exception? inner = null) =>
            new SoraNetworkException(ErrorId, SoraErrorKind.Timeout, message, inner);
    }
}
