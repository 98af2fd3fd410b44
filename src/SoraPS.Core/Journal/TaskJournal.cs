using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoraPS.Core.Budget;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Journal
{
    /// <summary>
    /// The local record of every task this machine submitted: append-only JSON lines, one file a month,
    /// in the config folder. A submission is written before its request leaves (under a local submission
    /// id), again when the provider's id arrives, when its status changes and when its video is saved;
    /// reading merges the lines per task, newest task first. Appends take a cross-process lock, so several
    /// PowerShell processes can write at once. A malformed line (a crash mid-write, a hand edit) is
    /// skipped with a warning naming the file and line.
    /// <para>
    /// What pending work needs is kept in a small index (open-tasks.json): the open tasks and, per month
    /// file, how many bytes of it they reflect. It is replaced atomically and only ever summarises lines
    /// already in the files, so a crash at any point leaves either the old or the new index, both true;
    /// readers replay the lines written since. An unreadable index is rebuilt from the files.
    /// </para>
    /// </summary>
    public sealed class TaskJournal
    {
        internal static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        /// <summary>Lines replayed past the index before a reader brings the index up to date.</summary>
        internal const int CheckpointLines = 2000;

        public TaskJournal(string? directory = null)
        {
            // A rehearsal (SORAPS_REHEARSAL) keeps its own journal, so its tasks and spend stay apart from the real ones.
            Directory = directory ?? (Batch.Rehearsal.Active ? Batch.Rehearsal.JournalDirectory : Path.Combine(ConfigPaths.ConfigDirectory, "journal"));
        }

        public string Directory { get; }
        public string LockPath => Path.Combine(Directory, "journal.lock");
        public string IndexPath => Path.Combine(Directory, "open-tasks.json");

        /// <summary>Where warnings about malformed lines go.</summary>
        public ISoraLog Log { get; set; } = NullLog.Instance;

        public string FileFor(DateTimeOffset when) =>
            Path.Combine(Directory, "tasks-" + when.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture) + ".jsonl");

        // ------------------------------------------------------------------ writing

        public void Record(SoraTask task, string evt)
        {
            var now = DateTimeOffset.UtcNow;
            var entry = TaskRecord.Snapshot(task);
            // The prompt is written once, with the submission.
            if (evt != JournalEvents.Submitted) entry.Prompt = null;
            entry.SubmittedAt = evt == JournalEvents.Submitted ? now : (DateTimeOffset?)null;
            entry.UpdatedAt = now;
            entry.Event = evt;
            Append(entry, now);
        }

        /// <summary>
        /// Written before a submission's request leaves the machine: the profile, dialect, normalised request
        /// and time under a new local submission id, with status Unknown until the provider answers.
        /// With a checked <paramref name="once"/>, the key is looked up under the same lock first: when it is
        /// already journaled for a submission that stands, nothing is written, <see cref="Batch.SubmissionOnce.Existing"/>
        /// is set and null is returned.
        /// </summary>
        public string? BeginSubmission(string? profile, string dialect, ValidatedRequest request, SpendReservation? reservation, Batch.SubmissionOnce? once)
        {
            if (once == null) return Begin(profile, dialect, request, reservation, null);
            var check = reservation?.Check;
            Action<DateTimeOffset> underLock = at =>
            {
                if (once.Check && once.Key != null)
                {
                    var known = (_keys ?? (_keys = new Batch.KeyLedger(this))).Find(profile, once.Key);
                    if (known != null)
                    {
                        var reason = Batch.SubmissionOnce.RetryReason(known);
                        if (reason == null)
                        {
                            once.Existing = known;
                            throw new Batch.KeyAlreadyJournaledException();
                        }
                        once.Previous = known;
                        once.ResendReason = reason;
                    }
                }
                check?.Invoke(at);
            };
            try
            {
                return Begin(profile, dialect, request, new SpendReservation { Cost = reservation?.Cost, Currency = reservation?.Currency, At = reservation?.At ?? DateTimeOffset.UtcNow, Check = underLock }, once);
            }
            catch (Batch.KeyAlreadyJournaledException)
            {
                return null;
            }
        }

        /// <summary>
        /// Written before a submission's request leaves the machine: the profile, dialect, normalised request
        /// and time under a new local submission id, with status Unknown until the provider answers.
        /// </summary>
        public string BeginSubmission(string? profile, string dialect, ValidatedRequest request, SpendReservation? reservation = null) =>
            Begin(profile, dialect, request, reservation, null);

        /// <summary>The batch keys journaled so far (read under the lock, kept between calls).</summary>
        private Batch.KeyLedger? _keys;

        private string Begin(string? profile, string dialect, ValidatedRequest request, SpendReservation? reservation, Batch.SubmissionOnce? once)
        {
            var now = reservation?.At ?? DateTimeOffset.UtcNow;
            var id = JournalEntry.LocalIdPrefix + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            Append(new JournalEntry
            {
                Id = id,
                SubmissionId = id,
                Profile = profile,
                Dialect = dialect,
                Model = request.Model,
                Prompt = request.Prompt,
                Duration = request.Duration,
                AspectRatio = request.AspectRatio,
                Resolution = request.Resolution,
                Image = request.ImageUri?.AbsoluteUri ?? request.ImagePath,
                RemixOf = request.Source.RemixOf,
                Operation = request.Operation,
                SourceId = request.SourceId,
                Status = SoraTaskStatus.Unknown,
                ProviderStatus = JournalEvents.Submitting,
                SubmittedAt = now,
                UpdatedAt = now,
                EstimatedCost = reservation?.Cost,
                Currency = reservation?.Cost == null ? null : reservation.Currency,
                Key = once?.Key,
                OutFile = once?.OutFile,
                Options = once == null ? null : Batch.BatchKey.RecordedOptions(request.Source.ProviderOptions),
                Event = JournalEvents.Submitting,
            }, now, reservation?.Check);
            return id;
        }

        /// <summary>The provider answered with its task: the local submission becomes that task.</summary>
        public void CompleteSubmission(string submissionId, SoraTask task, string evt = JournalEvents.Submitted)
        {
            var now = DateTimeOffset.UtcNow;
            var entry = TaskRecord.Snapshot(task);
            // The submission line holds the prompt.
            entry.Prompt = null;
            entry.SubmissionId = submissionId;
            entry.UpdatedAt = now;
            entry.Event = evt;
            Append(entry, now);
        }

        /// <summary>The submission ended without a readable answer: it stays Unknown, with the reason.</summary>
        public void MarkUnknown(string submissionId, string? profile, string dialect, string errorKind, string errorId, string reason) =>
            Close(submissionId, profile, dialect, JournalEvents.Unknown, "submission outcome unknown", errorKind, errorId, reason);

        /// <summary>The provider certainly did not accept the submission (an error answer, a refused connection).</summary>
        public void MarkRefused(string submissionId, string? profile, string dialect, string errorKind, string errorId, string reason) =>
            Close(submissionId, profile, dialect, JournalEvents.Refused, "refused", errorKind, errorId, reason);

        private void Close(string submissionId, string? profile, string dialect, string evt, string providerStatus, string errorKind, string errorId, string reason)
        {
            var now = DateTimeOffset.UtcNow;
            Append(new JournalEntry
            {
                Id = submissionId,
                SubmissionId = submissionId,
                Profile = profile,
                Dialect = dialect,
                Status = SoraTaskStatus.Unknown,
                ProviderStatus = providerStatus,
                UpdatedAt = now,
                ErrorKind = errorKind,
                ErrorCode = errorId,
                ErrorMessage = reason,
                Event = evt,
            }, now);
        }

        /// <param name="underLock">Runs while the lock is held, before the line is written; what it throws stops the write.</param>
        private void Append(JournalEntry entry, DateTimeOffset now, Action<DateTimeOffset>? underLock = null)
        {
            var line = Redactor.Redact(JsonSerializer.Serialize(entry, Json)) + "\n";
            var bytes = new UTF8Encoding(false).GetBytes(line);
            System.IO.Directory.CreateDirectory(Directory);
            var file = FileFor(now);
            bool created;
            using (AtomicFile.Lock(LockPath))
            {
                underLock?.Invoke(now);
                // A journal file is never written through a link (to whatever file it points at): refused, nothing written.
                AtomicFile.RefuseLink(file, NotJournaled);
                created = !File.Exists(file);
                using (var fs = Compat.OpenPrivate(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
                {
                    AtomicFile.RefuseLink(file, NotJournaled); // made a link between the check and the open
                    // A crash mid-write leaves a line without its newline: end it, so this entry stands on its own.
                    if (fs.Length > 0)
                    {
                        fs.Seek(-1, SeekOrigin.End);
                        if (fs.ReadByte() != '\n') fs.WriteByte((byte)'\n');
                    }
                    fs.Seek(0, SeekOrigin.End);
                    fs.Write(bytes, 0, bytes.Length);
                    // Handed to the OS before the request is sent or the task emitted: a killed or crashed
                    // process loses nothing. (No fsync per line: it would cost a disk round trip per task;
                    // only a power cut could lose the last lines.)
                    fs.Flush(false);
                }
                if (created) AtomicFile.RestrictToUser(file);
            }
            if (created && System.IO.Directory.GetFiles(Directory, "tasks-*.jsonl").Length > 1)
            {
                // A new month: bring the pending index up to the end of the last one, off this thread,
                // so that the month's readers replay only its own lines.
                System.Threading.Tasks.Task.Run(() =>
                {
                    try { ReadOpen(); }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
                });
            }
        }

        private const string NotJournaled = "The task journal line was not written; replace the link with the journal file itself.";

        // ------------------------------------------------------------------ reading

        /// <summary>The tasks that match, newest first.</summary>
        public IReadOnlyList<JournalEntry> Read(JournalFilter? filter = null)
        {
            filter = filter ?? new JournalFilter();
            if (!System.IO.Directory.Exists(Directory)) return Array.Empty<JournalEntry>();
            IEnumerable<JournalEntry> source;
            if (filter.PendingOnly || (filter.Status != null && filter.Status.Count > 0 && filter.Status.All(s => !SoraTask.IsTerminalStatus(s))))
                source = ReadOpen(); // every pending or unresolved task is in the index
            else if (filter.First.HasValue)
                return ReadNewest(filter);
            else
                source = ReadAll(filter.Since);
            var result = Match(source, filter);
            if (filter.First.HasValue) result = result.Take(filter.First.Value);
            return result.ToList();
        }

        private static IEnumerable<JournalEntry> Match(IEnumerable<JournalEntry> source, JournalFilter filter)
        {
            var result = source.Where(e => !e.Refused);
            if (filter.Since.HasValue) result = result.Where(e => (e.SubmittedAt ?? e.UpdatedAt) >= filter.Since.Value);
            if (!string.IsNullOrEmpty(filter.Profile)) result = result.Where(e => string.Equals(e.Profile, filter.Profile, StringComparison.OrdinalIgnoreCase));
            if (!string.IsNullOrEmpty(filter.Id)) result = result.Where(e => string.Equals(e.Id, filter.Id, StringComparison.Ordinal));
            if (filter.Status != null && filter.Status.Count > 0) result = result.Where(e => filter.Status.Contains(e.Unresolved ? SoraTaskStatus.Unknown : e.Status ?? SoraTaskStatus.Unknown));
            if (filter.PendingOnly) result = result.Where(e => e.Pending);
            return result;
        }

        private List<string> Files() =>
            System.IO.Directory.GetFiles(Directory, "tasks-*.jsonl").Select(p => Path.GetFileName(p)).OrderBy(f => f, StringComparer.Ordinal).ToList();

        /// <summary>Every task, newest first: all the files from the month of <paramref name="since"/> on, in one pass.</summary>
        private IEnumerable<JournalEntry> ReadAll(DateTimeOffset? since)
        {
            var files = Files();
            if (since.HasValue)
            {
                var first = Path.GetFileName(FileFor(since.Value));
                files = files.Where(f => string.CompareOrdinal(f, first) >= 0).ToList();
            }
            var merger = new JournalMerger();
            foreach (var f in files) Replay(merger, f, 0, out _);
            var all = merger.Entries.ToList();
            all.Reverse();
            return all;
        }

        /// <summary>The newest tasks that match, reading the files backwards and stopping as soon as they are known.</summary>
        private IReadOnlyList<JournalEntry> ReadNewest(JournalFilter filter)
        {
            var max = filter.First ?? throw new ArgumentException("ReadNewest needs First.", nameof(filter));
            var results = new List<JournalEntry>();
            if (max <= 0) return results;
            var byKey = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
            var aliases = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
            var files = Files();
            files.Reverse();
            string? firstFile = filter.Since.HasValue ? Path.GetFileName(FileFor(filter.Since.Value)) : null;
            foreach (var name in files)
            {
                if (firstFile != null && string.CompareOrdinal(name, firstFile) < 0) break;
                var path = Path.Combine(Directory, name);
                var names = new JournalNames();
                foreach (var raw in JournalLines.Backward(path))
                {
                    var line = Parse(raw, path, names);
                    if (line == null) continue;
                    var key = Key(line.Profile, line.Id);
                    if (!aliases.TryGetValue(key, out var entry) && !byKey.TryGetValue(key, out entry))
                        byKey[key] = entry = new JournalEntry { Id = line.Id, Profile = line.Profile };
                    entry.ApplyOlder(line);
                    if (line.Links) aliases[Key(line.Profile, line.SubmissionId)] = entry;
                    if (!line.StartsHistory) continue;
                    // Its first line: everything about this task has been read.
                    byKey.Remove(Key(entry.Profile, entry.Id));
                    aliases.Remove(key);
                    if (Match(new[] { entry }, filter).Any())
                    {
                        results.Add(entry);
                        if (results.Count >= max) return results;
                    }
                }
            }
            // The start of the journal: tasks whose first line predates this version (or was lost) are complete too.
            results.AddRange(Match(byKey.Values.OrderByDescending(e => e.SubmittedAt ?? e.UpdatedAt), filter));
            return results.Take(max).ToList();
        }

        /// <summary>The open (pending or unresolved) tasks, newest first, from the index and the lines written since.</summary>
        internal IEnumerable<JournalEntry> ReadOpen()
        {
            var files = Files();
            var index = LoadIndex();
            JournalMerger? merger = null;
            var positions = new Dictionary<string, long>(StringComparer.Ordinal);
            long replayed = 0;
            var rebuild = index == null;
            if (index != null)
            {
                merger = new JournalMerger(index.Entries, strict: true);
                foreach (var f in files)
                {
                    long from = 0;
                    if (index.Files != null && index.Files.TryGetValue(f, out var known)) from = known;
                    var length = new FileInfo(Path.Combine(Directory, f)).Length;
                    if (length < from) { rebuild = true; break; } // the file was replaced: start again
                    var end = Replay(merger, f, from, out var lines);
                    if (merger.NeedsRebuild) { rebuild = true; break; }
                    positions[f] = end;
                    replayed += lines;
                }
            }
            List<JournalEntry> open;
            if (rebuild || merger == null)
            {
                positions.Clear();
                open = BuildOpen(files, positions);
            }
            else
            {
                open = merger.Entries.Where(e => e.Open).ToList();
            }
            if (rebuild || replayed >= CheckpointLines) SaveIndex(open, positions);
            open.Reverse();
            return open;
        }

        /// <summary>
        /// The open tasks from every line of the files, streamed: a finished task is cut down as soon as it closes, so
        /// the build holds the open tasks and a small slot per finished one, not the whole journal. A finished task that
        /// opens again later needs its whole story: then (rarely) every task is merged in full, as before.
        /// </summary>
        private List<JournalEntry> BuildOpen(List<string> files, Dictionary<string, long> positions)
        {
            var builder = new OpenTasksBuilder();
            foreach (var f in files)
            {
                positions[f] = Replay(builder, f, 0, out _);
                if (builder.NeedsFullMerge) break;
            }
            if (!builder.NeedsFullMerge) return builder.Open();
            Log.Verbose("A finished task in the journal was reopened by a later line: building the open-tasks index from a full merge.");
            var merger = new JournalMerger();
            positions.Clear();
            foreach (var f in files) positions[f] = Replay(merger, f, 0, out _);
            return merger.Entries.Where(e => e.Open).ToList();
        }

        private sealed class JournalIndex
        {
            public int Version { get; set; }
            public Dictionary<string, long>? Files { get; set; }
            public List<JournalEntry>? Entries { get; set; }
        }

        private JournalIndex? LoadIndex()
        {
            if (!File.Exists(IndexPath)) return null;
            try
            {
                var index = JsonSerializer.Deserialize<JournalIndex>(AtomicFile.ReadAllText(IndexPath), Json);
                if (index?.Version == 1 && index.Files != null && index.Entries != null && index.Entries.All(e => e?.Id != null)) return index;
                Log.Warning($"The journal index '{IndexPath}' is not one this version reads; rebuilding it from the journal files.");
            }
            catch (Exception e) when (IsBadData(e))
            {
                Log.Warning($"The journal index '{IndexPath}' is unreadable ({e.Message}); rebuilding it from the journal files.");
            }
            return null;
        }

        private void SaveIndex(List<JournalEntry> open, Dictionary<string, long> positions)
        {
            try
            {
                var text = Redactor.Redact(JsonSerializer.Serialize(new JournalIndex { Version = 1, Files = positions, Entries = open }, Json));
                AtomicFile.WriteAllText(IndexPath, text);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Only a shortcut: the next reader replays from the old index (or the files).
            }
        }

        /// <summary>Feeds the complete lines of a file from <paramref name="from"/> on; returns where the last complete line ends.</summary>
        private long Replay(IJournalSink merger, string name, long from, out long lines)
        {
            var path = Path.Combine(Directory, name);
            var end = from;
            lines = 0;
            var names = new JournalNames();
            foreach (var raw in JournalLines.Forward(path, from))
            {
                if (!raw.Terminated) break; // being written now, or cut by a crash: read once it is ended
                end = raw.Offset + raw.Length + 1;
                lines++;
                var line = Parse(raw, path, names);
                if (line == null) continue;
                merger.Add(line);
                if (merger.Stop) break;
            }
            return end;
        }

        internal static string Key(string? profile, string id) => (profile ?? "") + "\u0001" + id;

        private static bool IsBadData(Exception e) =>
            e is JsonException || e is NotSupportedException || e is InvalidOperationException || e is ArgumentException ||
            e is FormatException || e is OverflowException || e is DecoderFallbackException;

        /// <summary>One line (read by <see cref="JournalLineReader"/>), or null (with one warning naming the file and line) when it is not a journal line.</summary>
        private JournalEntry? Parse(JournalLine raw, string path, JournalNames names)
        {
            if (raw.IsBlank) return null;
            string? problem;
            try
            {
                var line = JournalLineReader.Read(raw.Span, spendOnly: false, names, out problem);
                if (line != null) return line;
            }
            catch (Exception e) when (IsBadData(e))
            {
                problem = e.Message;
            }
            if (raw.Terminated)
                Log.Warning($"Skipped a malformed line in the task journal: '{path}', line {JournalLines.LineNumber(path, raw.Offset)} ({problem}).");
            return null;
        }

    }

    /// <summary>One line of a journal file, as bytes (without its newline).</summary>
    internal struct JournalLine
    {
        public byte[] Buffer;
        public int Start;
        public int Length;
        /// <summary>Where the line starts in the file.</summary>
        public long Offset;
        /// <summary>False for the last bytes of a file that has no newline after them (yet).</summary>
        public bool Terminated;

        public ReadOnlySpan<byte> Span
        {
            get
            {
                var len = Length;
                while (len > 0 && (Buffer[Start + len - 1] == '\r' || Buffer[Start + len - 1] == ' ')) len--;
                return new ReadOnlySpan<byte>(Buffer, Start, len);
            }
        }

        public bool IsBlank
        {
            get
            {
                for (var i = Start; i < Start + Length; i++)
                    if (Buffer[i] != ' ' && Buffer[i] != '\r' && Buffer[i] != '\t') return false;
                return true;
            }
        }
    }

    /// <summary>Reads journal files line by line as bytes, forwards from an offset or backwards from the end.</summary>
    internal static class JournalLines
    {
        private const int Chunk = 1 << 20;

        private static FileStream Open(string path) =>
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);

        public static IEnumerable<JournalLine> Forward(string path, long from)
        {
            using (var fs = Open(path))
            {
                if (from > 0) fs.Seek(from, SeekOrigin.Begin);
                var buffer = new byte[Chunk];
                var filled = 0;
                var bufferOffset = from; // file offset of buffer[0]
                while (true)
                {
                    if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer
                    var n = fs.Read(buffer, filled, buffer.Length - filled);
                    if (n <= 0) break;
                    filled += n;
                    var start = 0;
                    int nl;
                    while ((nl = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
                    {
                        yield return new JournalLine { Buffer = buffer, Start = start, Length = nl - start, Offset = bufferOffset + start, Terminated = true };
                        start = nl + 1;
                    }
                    if (start > 0)
                    {
                        System.Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                        filled -= start;
                        bufferOffset += start;
                    }
                }
                if (filled > 0)
                    yield return new JournalLine { Buffer = buffer, Start = 0, Length = filled, Offset = bufferOffset, Terminated = false };
            }
        }

        public static IEnumerable<JournalLine> Backward(string path)
        {
            using (var fs = Open(path))
            {
                var position = fs.Length;
                var terminated = false;
                if (position > 0)
                {
                    fs.Seek(position - 1, SeekOrigin.Begin);
                    if (fs.ReadByte() == '\n') { position--; terminated = true; }
                }
                var buffer = new byte[Chunk];
                var tail = Array.Empty<byte>(); // the end of a line whose start is further back
                while (position > 0)
                {
                    var want = (int)Math.Min(position, buffer.Length);
                    var chunkStart = position - want;
                    fs.Seek(chunkStart, SeekOrigin.Begin);
                    var read = 0;
                    while (read < want)
                    {
                        var n = fs.Read(buffer, read, want - read);
                        if (n <= 0) throw new IOException($"The journal file '{path}' changed while it was read.");
                        read += n;
                    }
                    position = chunkStart;
                    var end = want; // exclusive end of the current line in buffer
                    for (var i = want - 1; i >= 0; i--)
                    {
                        if (buffer[i] != '\n') continue;
                        yield return Make(buffer, i + 1, end - i - 1, tail, chunkStart + i + 1, terminated);
                        tail = Array.Empty<byte>();
                        terminated = true;
                        end = i;
                    }
                    var joined = new byte[end + tail.Length];
                    System.Buffer.BlockCopy(buffer, 0, joined, 0, end);
                    System.Buffer.BlockCopy(tail, 0, joined, end, tail.Length);
                    tail = joined;
                }
                if (tail.Length > 0 || terminated)
                    yield return new JournalLine { Buffer = tail, Start = 0, Length = tail.Length, Offset = 0, Terminated = terminated };
            }
        }

        private static JournalLine Make(byte[] buffer, int start, int length, byte[] tail, long offset, bool terminated)
        {
            if (tail.Length == 0) return new JournalLine { Buffer = buffer, Start = start, Length = length, Offset = offset, Terminated = terminated };
            var joined = new byte[length + tail.Length];
            System.Buffer.BlockCopy(buffer, start, joined, 0, length);
            System.Buffer.BlockCopy(tail, 0, joined, length, tail.Length);
            return new JournalLine { Buffer = joined, Start = 0, Length = joined.Length, Offset = offset, Terminated = terminated };
        }

        /// <summary>The 1-based line number of the line starting at <paramref name="offset"/> (counted only for warnings).</summary>
        public static long LineNumber(string path, long offset)
        {
            long count = 1;
            using (var fs = Open(path))
            {
                var buffer = new byte[1 << 16];
                long done = 0;
                while (done < offset)
                {
                    var n = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, offset - done));
                    if (n <= 0) break;
                    for (var i = 0; i < n; i++) if (buffer[i] == '\n') count++;
                    done += n;
                }
            }
            return count;
        }
    }
}
