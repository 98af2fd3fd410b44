using System;
using System.Globalization;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;

namespace SoraPS.Core.Tasks
{
    /// <summary>Normalised task state, the same for every dialect.</summary>
    public enum SoraTaskStatus
    {
        /// <summary>A status word SoraPS does not know; treated as not finished.</summary>
        Unknown = 0,
        Queued,
        Running,
        Succeeded,
        Failed,
        Cancelled,
        Expired,
    }

    /// <summary>One video generation task, whichever provider dialect produced it.</summary>
    public sealed class SoraTask
    {
        internal SoraTask(string id, string? profile, string? dialect)
        {
            if (string.IsNullOrEmpty(id)) throw new ArgumentException("A task needs an id.", nameof(id));
            Id = id;
            Profile = profile;
            Dialect = dialect;
        }

        public string Id { get; internal set; }
        public string? Profile { get; internal set; }
        public string? Dialect { get; internal set; }
        public string? Model { get; internal set; }
        public string? Prompt { get; internal set; }
        public SoraTaskStatus Status { get; internal set; }
        /// <summary>The provider's own status word, as sent.</summary>
        public string? ProviderStatus { get; internal set; }
        public int Progress { get; internal set; }
        public Uri? VideoUri { get; internal set; }
        public DateTimeOffset? ExpiresAt { get; internal set; }
        public DateTimeOffset? CreatedAt { get; internal set; }
        public DateTimeOffset? CompletedAt { get; internal set; }
        public int? Duration { get; internal set; }
        public string? AspectRatio { get; internal set; }
        public string? Resolution { get; internal set; }
        public SoraTaskError? Error { get; internal set; }
        /// <summary>The prompt as the provider rewrote it, where it says.</summary>
        public string? RevisedPrompt { get; internal set; }
        /// <summary>Provider-specific ids worth keeping (for example generation ids for remix and download).</summary>
        public string? GenerationId { get; internal set; }
        /// <summary>The provider's last JSON answer for this task, unchanged.</summary>
        public string? Raw { get; internal set; }
        /// <summary>Where Save-SoraVideo last saved this task's video.</summary>
        public string? SavedTo { get; internal set; }
        /// <summary>Every video the task made, in the provider's order (the first is <see cref="VideoUri"/>); null when it made one or did not say.</summary>
        public Uri[]? VideoUris { get; internal set; }
        /// <summary>What the provider says the task cost, once it reports it (OpenRouter's usage.cost in US dollars, an APIMart-style relay's cost); null until then.</summary>
        public decimal? ActualCost { get; internal set; }
        /// <summary>When SoraPS last read this task's state from the provider.</summary>
        public DateTimeOffset? RetrievedAt { get; internal set; }
        /// <summary>The batch row key the task was submitted under (New-SoraVideo -Key, or derived with -Once).</summary>
        public string? Key { get; internal set; }
        /// <summary>The file name Save-SoraVideo gives the video in its folder (a batch row's <c>out</c>).</summary>
        public string? OutFile { get; internal set; }

        public bool IsTerminal => IsTerminalStatus(Status);

        /// <summary>Server hint: wait at least this long before polling again.</summary>
        internal TimeSpan? PollAfter { get; set; }
        /// <summary>Server estimate of the total generation time.</summary>
        internal TimeSpan? EstimatedTotal { get; set; }

        public static bool IsTerminalStatus(SoraTaskStatus status) =>
            status == SoraTaskStatus.Succeeded || status == SoraTaskStatus.Failed ||
            status == SoraTaskStatus.Cancelled || status == SoraTaskStatus.Expired;

        /// <summary>Copies what the provider just said into this object, keeping what it did not repeat.</summary>
        internal void UpdateFrom(SoraTask fresh)
        {
            Status = fresh.Status;
            Progress = fresh.Status == SoraTaskStatus.Succeeded ? 100 : Math.Max(fresh.Progress, Status == SoraTaskStatus.Running ? Progress : 0);
            Error = fresh.Error;
            PollAfter = fresh.PollAfter;
            KeepUnlessRepeated(this, fresh);
        }

        /// <summary>The fields whose fresh value wins only when the provider gives one (every nullable field but the ones above and the identity).</summary>
        private static readonly Action<SoraTask, SoraTask> KeepUnlessRepeated = CompileKeep(
            nameof(Id), nameof(Profile), nameof(Dialect), nameof(Status), nameof(Progress), nameof(Error), nameof(PollAfter));

        private static Action<SoraTask, SoraTask> CompileKeep(params string[] own)
        {
            var a = Expression.Parameter(typeof(SoraTask), "task");
            var b = Expression.Parameter(typeof(SoraTask), "fresh");
            var body = typeof(SoraTask).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetSetMethod(true) != null && !own.Contains(p.Name) &&
                            (!p.PropertyType.IsValueType || Nullable.GetUnderlyingType(p.PropertyType) != null))
                .Select(p => (Expression)Expression.Assign(Expression.Property(a, p), Expression.Coalesce(Expression.Property(b, p), Expression.Property(a, p))))
                .ToList();
            body.Add(Expression.Empty());
            return Expression.Lambda<Action<SoraTask, SoraTask>>(Expression.Block(body), a, b).Compile();
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} ({1}{2})", DisplayText.Neutralise(Id), Status,
                Status == SoraTaskStatus.Running ? " " + Progress.ToString(CultureInfo.InvariantCulture) + "%" : "");
    }
}
