using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Journal
{
    /// <summary>What the journal knows of one task: the merge of every line written about it.</summary>
    public sealed class JournalEntry
    {
        public const string UnconfirmedPrefix = "unconfirmed-";

        public string Id { get; set; }
        public string Profile { get; set; }
        public string Dialect { get; set; }
        public string Model { get; set; }
        public string Prompt { get; set; }
        public int? Duration { get; set; }
        public string AspectRatio { get; set; }
        public string Resolution { get; set; }
        [JsonConverter(typeof(JsonStringEnumConverter))]
        public SoraTaskStatus? Status { get; set; }
        public string ProviderStatus { get; set; }
        public int? Progress { get; set; }
        public string VideoUri { get; set; }
        public string GenerationId { get; set; }
        public DateTimeOffset? CreatedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }
        public DateTimeOffset? SubmittedAt { get; set; }
        public DateTimeOffset? UpdatedAt { get; set; }
        public string SavedTo { get; set; }
        public string ErrorKind { get; set; }
        public string ErrorCode { get; set; }
        public string ErrorMessage { get; set; }
        /// <summary>submitted, status, saved or unconfirmed.</summary>
        public string Event { get; set; }

        [JsonIgnore]
        public bool Unconfirmed => Id != null && Id.StartsWith(UnconfirmedPrefix, StringComparison.Ordinal);

        /// <summary>Still worth waiting for or saving: not finished, or finished but not saved and not expired.</summary>
        [JsonIgnore]
        public bool Pending
        {
            get
            {
                if (Unconfirmed) return false;
                var status = Status ?? SoraTaskStatus.Unknown;
                if (!SoraTask.IsTerminalStatus(status)) return true;
                return status == SoraTaskStatus.Succeeded && SavedTo == null && (ExpiresAt == null || ExpiresAt > DateTimeOffset.UtcNow);
            }
        }

        internal void Apply(JournalEntry line)
        {
            Dialect = line.Dialect ?? Dialect;
            Model = line.Model ?? Model;
            Prompt = line.Prompt ?? Prompt;
            Duration = line.Duration ?? Duration;
            AspectRatio = line.AspectRatio ?? AspectRatio;
            Resolution = line.Resolution ?? Resolution;
            Status = line.Status ?? Status;
            ProviderStatus = line.ProviderStatus ?? ProviderStatus;
            Progress = line.Progress ?? Progress;
            VideoUri = line.VideoUri ?? VideoUri;
            GenerationId = line.GenerationId ?? GenerationId;
            CreatedAt = line.CreatedAt ?? CreatedAt;
            CompletedAt = line.CompletedAt ?? CompletedAt;
            ExpiresAt = line.ExpiresAt ?? ExpiresAt;
            SubmittedAt = SubmittedAt ?? line.SubmittedAt ?? line.UpdatedAt;
            UpdatedAt = line.UpdatedAt ?? UpdatedAt;
            SavedTo = line.SavedTo ?? SavedTo;
            if (line.ErrorKind != null || line.ErrorMessage != null)
            {
                ErrorKind = line.ErrorKind;
                ErrorCode = line.ErrorCode;
                ErrorMessage = line.ErrorMessage;
            }
            Event = line.Event ?? Event;
        }

        /// <summary>A task object to pipe into Wait-SoraTask, Save-SoraVideo or Get-SoraTask.</summary>
        public SoraTask ToTask()
        {
            var t = new SoraTask(Id, Profile, Dialect)
            {
                Model = Model,
                Prompt = Prompt,
                Duration = Duration,
                AspectRatio = AspectRatio,
                Resolution = Resolution,
                Status = Status ?? SoraTaskStatus.Unknown,
                ProviderStatus = Unconfirmed ? "submission outcome unknown" : ProviderStatus,
                Progress = Progress ?? 0,
                VideoUri = Uri.TryCreate(VideoUri ?? "", UriKind.Absolute, out var u) ? u : null,
                GenerationId = GenerationId,
                CreatedAt = CreatedAt ?? SubmittedAt,
                CompletedAt = CompletedAt,
                ExpiresAt = ExpiresAt,
                SavedTo = SavedTo,
                RetrievedAt = UpdatedAt,
            };
            if (ErrorKind != null || ErrorMessage != null)
                t.Error = new SoraTaskError(Enum.TryParse<SoraErrorKind>(ErrorKind, out var k) ? k : SoraErrorKind.Unknown, ErrorCode, ErrorMessage);
            return t;
        }
    }

    public sealed class JournalFilter
    {
        public IReadOnlyCollection<SoraTaskStatus> Status { get; set; }
        public DateTimeOffset? Since { get; set; }
        public string Profile { get; set; }
        public bool PendingOnly { get; set; }
        public string Id { get; set; }
    }

    /// <summary>
    /// The local record of every task this machine submitted: append-only JSON lines, one file a month,
    /// in the config folder. A line is written before New-SoraVideo emits a task, when its status
    /// changes and when its video is saved; reading merges the lines per task. Appends take a
    /// cross-process lock, so several PowerShell processes can write at once; a half-written last line
    /// (a crash mid-write) is skipped when reading.
    /// </summary>
    public sealed class TaskJournal
    {
        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        public TaskJournal(string directory = null)
        {
            Directory = directory ?? Path.Combine(ConfigPaths.ConfigDirectory, "journal");
        }

        public string Directory { get; }
        public string LockPath => Path.Combine(Directory, "journal.lock");

        public string FileFor(DateTimeOffset when) =>
            Path.Combine(Directory, "tasks-" + when.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture) + ".jsonl");

        public void Record(SoraTask task, string evt)
        {
            var now = DateTimeOffset.UtcNow;
            Append(new JournalEntry
            {
                Id = task.Id,
                Profile = task.Profile,
                Dialect = task.Dialect,
                Model = task.Model,
                Prompt = evt == "submitted" ? task.Prompt : null,
                Duration = task.Duration,
                AspectRatio = task.AspectRatio,
                Resolution = task.Resolution,
                Status = task.Status,
                ProviderStatus = task.ProviderStatus,
                Progress = task.Progress,
                VideoUri = task.VideoUri?.AbsoluteUri,
                GenerationId = task.GenerationId,
                CreatedAt = task.CreatedAt,
                CompletedAt = task.CompletedAt,
                ExpiresAt = task.ExpiresAt,
                SubmittedAt = evt == "submitted" ? now : (DateTimeOffset?)null,
                UpdatedAt = now,
                SavedTo = task.SavedTo,
                ErrorKind = task.Error?.Kind.ToString(),
                ErrorCode = task.Error?.Code,
                ErrorMessage = task.Error?.Message,
                Event = evt,
            }, now);
        }

        /// <summary>
        /// A submission whose outcome is unknown (no answer after it was sent): kept with a local id so
        /// it is never forgotten, and listed by Get-SoraTask with status Unknown.
        /// </summary>
        public string RecordUnconfirmed(string profile, string dialect, ValidatedRequest request, string reason)
        {
            var now = DateTimeOffset.UtcNow;
            var id = JournalEntry.UnconfirmedPrefix + now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Append(new JournalEntry
            {
                Id = id,
                Profile = profile,
                Dialect = dialect,
                Model = request.Model,
                Prompt = request.Prompt,
                Duration = request.Duration,
                AspectRatio = request.AspectRatio,
                Resolution = request.Resolution,
                Status = SoraTaskStatus.Unknown,
                SubmittedAt = now,
                UpdatedAt = now,
                ErrorKind = SoraErrorKind.Timeout.ToString(),
                ErrorCode = "SubmissionOutcomeUnknown",
                ErrorMessage = reason,
                Event = "unconfirmed",
            }, now);
            return id;
        }

        private void Append(JournalEntry entry, DateTimeOffset now)
        {
            var line = Redactor.Redact(JsonSerializer.Serialize(entry, Json)) + "\n";
            var bytes = new UTF8Encoding(false).GetBytes(line);
            System.IO.Directory.CreateDirectory(Directory);
            var file = FileFor(now);
            using (AtomicFile.Lock(LockPath))
            {
                var created = !File.Exists(file);
                using (var fs = Compat.OpenPrivate(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
                {
                    // A crash mid-write leaves a line without its newline: end it, so this entry stands on its own.
                    if (fs.Length > 0)
                    {
                        fs.Seek(-1, SeekOrigin.End);
                        if (fs.ReadByte() != '\n') fs.WriteByte((byte)'\n');
                    }
                    fs.Seek(0, SeekOrigin.End);
                    fs.Write(bytes, 0, bytes.Length);
                    // Handed to the OS before the task is emitted: a killed or crashed process loses nothing.
                    // (No fsync per line: it would cost a disk round trip per task; only a power cut could lose the last lines.)
                    fs.Flush(false);
                }
                if (created) AtomicFile.RestrictToUser(file);
            }
        }

        public IReadOnlyList<JournalEntry> Read(JournalFilter filter = null)
        {
            filter = filter ?? new JournalFilter();
            if (!System.IO.Directory.Exists(Directory)) return Array.Empty<JournalEntry>();
            var files = System.IO.Directory.GetFiles(Directory, "tasks-*.jsonl").OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (filter.Since.HasValue)
            {
                var first = Path.GetFileName(FileFor(filter.Since.Value));
                files = files.Where(f => string.CompareOrdinal(Path.GetFileName(f), first) >= 0).ToList();
            }
            var merged = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var file in files)
            {
                foreach (var text in ReadLines(file))
                {
                    JournalEntry line;
                    try
                    {
                        line = JsonSerializer.Deserialize<JournalEntry>(text, Json);
                    }
                    catch (JsonException)
                    {
                        continue; // a line cut short by a crash
                    }
                    if (line?.Id == null) continue;
                    var key = (line.Profile ?? "") + "\u0001" + line.Id;
                    if (!merged.TryGetValue(key, out var entry))
                    {
                        entry = new JournalEntry { Id = line.Id, Profile = line.Profile };
                        merged[key] = entry;
                        order.Add(key);
                    }
                    entry.Apply(line);
                }
            }
            IEnumerable<JournalEntry> result = order.Select(k => merged[k]);
            if (filter.Since.HasValue) result = result.Where(e => (e.SubmittedAt ?? e.UpdatedAt) >= filter.Since.Value);
            if (!string.IsNullOrEmpty(filter.Profile)) result = result.Where(e => string.Equals(e.Profile, filter.Profile, StringComparison.OrdinalIgnoreCase));
            if (!string.IsNullOrEmpty(filter.Id)) result = result.Where(e => string.Equals(e.Id, filter.Id, StringComparison.Ordinal));
            if (filter.Status != null && filter.Status.Count > 0) result = result.Where(e => filter.Status.Contains(e.Status ?? SoraTaskStatus.Unknown));
            if (filter.PendingOnly) result = result.Where(e => e.Pending);
            return result.ToList();
        }

        private static IEnumerable<string> ReadLines(string file)
        {
            string content;
            using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(fs, Encoding.UTF8))
                content = reader.ReadToEnd();
            return content.Split('\n').Where(l => l.Length > 1);
        }
    }
}
