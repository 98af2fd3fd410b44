using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Journal
{
    /// <summary>What the journal knows of one task: the merge of every line written about it.</summary>
    public sealed class JournalEntry
    {
        /// <summary>Ids of submissions journaled by older versions after their outcome turned out unknown.</summary>
        public const string LegacyUnconfirmedPrefix = "unconfirmed-";
        /// <summary>Local submission ids: written before the request leaves, replaced by the provider's id when it answers.</summary>
        public const string LocalIdPrefix = "sub-";

        /// <summary>Always present: the journal skips a line without one.</summary>
        public string Id { get; set; } = null!;
        /// <summary>The local submission id the task was journaled under before the provider answered.</summary>
        public string? SubmissionId { get; set; }
        public string? Profile { get; set; }
        public string? Dialect { get; set; }
        public string? Model { get; set; }
        public string? Prompt { get; set; }
        public int? Duration { get; set; }
        public string? AspectRatio { get; set; }
        public string? Resolution { get; set; }
        /// <summary>The input image (URL or local file) of the request.</summary>
        public string? Image { get; set; }
        public string? RemixOf { get; set; }
        public string? Operation { get; set; }
        /// <summary>The video a remix, edit or extension started from.</summary>
        public string? SourceId { get; set; }
        [JsonConverter(typeof(JsonStringEnumConverter))]
        public SoraTaskStatus? Status { get; set; }
        public string? ProviderStatus { get; set; }
        public int? Progress { get; set; }
        public string? VideoUri { get; set; }
        public string? GenerationId { get; set; }
        public DateTimeOffset? CreatedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }
        public DateTimeOffset? SubmittedAt { get; set; }
        public DateTimeOffset? UpdatedAt { get; set; }
        public string? SavedTo { get; set; }
        public string? ErrorKind { get; set; }
        public string? ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
        /// <summary>The estimated cost reserved for the submission (catalog price x seconds), written before it leaves.</summary>
        public decimal? EstimatedCost { get; set; }
        /// <summary>The unit of <see cref="EstimatedCost"/>.</summary>
        public string? Currency { get; set; }
        /// <summary>What the provider reported the task cost, once it did (see <see cref="SoraTask.ActualCost"/>).</summary>
        public decimal? ActualCost { get; set; }
        /// <summary>The batch row key of the submission (New-SoraVideo -Key / -Once).</summary>
        public string? Key { get; set; }
        /// <summary>The file name the video is saved under in Save-SoraVideo's folder.</summary>
        public string? OutFile { get; set; }
        /// <summary>The provider options sent with the submission (secret-looking ones left out).</summary>
        public Dictionary<string, JsonElement>? Options { get; set; }
        /// <summary>What the line records: one of <see cref="JournalEvents"/> (older versions also wrote unconfirmed).</summary>
        public string? Event { get; set; }
        /// <summary>Fields of the task's record that earlier versions did not write (see <see cref="TaskRecord"/>), kept in the same line.</summary>
        [JsonExtensionData]
        public Dictionary<string, JsonElement>? More { get; set; }

        /// <summary>
        /// A submission with no provider id yet: sent (or about to be) and never answered, or answered
        /// with something that does not prove the provider refused it. Listed with status Unknown.
        /// </summary>
        [JsonIgnore]
        public bool Unresolved => Id != null && !Refused &&
            ((SubmissionId != null && string.Equals(Id, SubmissionId, StringComparison.Ordinal)) || Id.StartsWith(LegacyUnconfirmedPrefix, StringComparison.Ordinal));

        /// <summary>The provider certainly did not accept the submission: nothing to pay for, nothing to list.</summary>
        [JsonIgnore]
        public bool Refused => Event == JournalEvents.Refused;

        /// <summary>Still worth waiting for or saving: not finished, or finished but not saved and not expired.</summary>
        [JsonIgnore]
        public bool Pending
        {
            get
            {
                if (Unresolved || Refused) return false;
                var status = Status ?? SoraTaskStatus.Unknown;
                if (!SoraTask.IsTerminalStatus(status)) return true;
                return status == SoraTaskStatus.Succeeded && SavedTo == null && (ExpiresAt == null || ExpiresAt > DateTimeOffset.UtcNow);
            }
        }

        /// <summary>Pending or unresolved: what the pending index keeps.</summary>
        [JsonIgnore]
        public bool Open => Unresolved || Pending;

        /// <summary>A line that starts a task's history (nothing about the task was written before it).</summary>
        [JsonIgnore]
        internal bool StartsHistory => SubmittedAt != null && !Links;

        /// <summary>A line that gives a local submission its provider id.</summary>
        [JsonIgnore]
        [MemberNotNullWhen(true, nameof(SubmissionId))]
        internal bool Links => SubmissionId != null && Id != null && !string.Equals(Id, SubmissionId, StringComparison.Ordinal);

        private bool _errorSettled;

        /// <summary>Merges a newer line into this entry.</summary>
        internal void Apply(JournalEntry line)
        {
            var submitted = SubmittedAt ?? line.SubmittedAt ?? line.UpdatedAt;
            TaskRecord.NewerWins(this, line);
            More = TaskRecord.MergeMore(More, line.More, newer: true);
            SubmittedAt = submitted;
            if (line.Links)
            {
                // The provider's id arrived: what was said of the unanswered submission no longer holds.
                ErrorKind = ErrorCode = ErrorMessage = null;
            }
            if (line.ErrorKind != null || line.ErrorMessage != null)
            {
                ErrorKind = line.ErrorKind;
                ErrorCode = line.ErrorCode;
                ErrorMessage = line.ErrorMessage;
            }
        }

        /// <summary>Merges an older line into this entry (reading newest first): the same result as <see cref="Apply"/> in order.</summary>
        internal void ApplyOlder(JournalEntry line)
        {
            var submitted = line.SubmittedAt ?? line.UpdatedAt ?? SubmittedAt;
            TaskRecord.KeepNewer(this, line);
            More = TaskRecord.MergeMore(More, line.More, newer: false);
            SubmittedAt = submitted;
            if (!_errorSettled && ErrorKind == null && ErrorMessage == null && (line.ErrorKind != null || line.ErrorMessage != null))
            {
                ErrorKind = line.ErrorKind;
                ErrorCode = line.ErrorCode;
                ErrorMessage = line.ErrorMessage;
                _errorSettled = true;
            }
            if (line.Links) _errorSettled = true;
        }

        /// <summary>A task object to pipe into Wait-SoraTask, Save-SoraVideo, Get-SoraTask or Resolve-SoraTask.</summary>
        public SoraTask ToTask()
        {
            var unresolved = Unresolved;
            var t = TaskRecord.Restore(this);
            t.Status = unresolved ? SoraTaskStatus.Unknown : Status ?? SoraTaskStatus.Unknown;
            t.ProviderStatus = unresolved ? "submission outcome unknown" : ProviderStatus;
            t.CreatedAt = CreatedAt ?? SubmittedAt;
            t.RetrievedAt = UpdatedAt;
            if (ErrorKind != null || ErrorMessage != null)
                t.Error = new SoraTaskError(Enum.TryParse<SoraErrorKind>(ErrorKind, out var k) ? k : SoraErrorKind.Unknown, ErrorCode, ErrorMessage);
            else if (unresolved)
                t.Error = new SoraTaskError(SoraErrorKind.Unknown, "SubmissionOutcomeUnknown",
                    "The submission was sent but its answer never arrived (the process ended or was stopped first). Check the provider (Resolve-SoraTask) before submitting it again.");
            return t;
        }
    }

    public sealed class JournalFilter
    {
        public IReadOnlyCollection<SoraTaskStatus>? Status { get; set; }
        public DateTimeOffset? Since { get; set; }
        public string? Profile { get; set; }
        public bool PendingOnly { get; set; }
        public string? Id { get; set; }
        /// <summary>At most this many tasks (the newest); reading stops as soon as they are known.</summary>
        public int? First { get; set; }
    }
}
