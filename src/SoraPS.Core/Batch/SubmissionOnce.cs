using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Batch
{
    /// <summary>
    /// A batch row's identity for one submission: its key (given, or derived from what would be sent) and the
    /// file its video is saved under. With <see cref="Check"/>, the journal looks the key up under its lock, in
    /// the same step that writes the submission's line: a key already journaled for a submission that has not
    /// failed is not sent again (<see cref="Existing"/>); one whose last submission failed, was cancelled,
    /// refused or expired before saving is sent again (<see cref="Previous"/>, <see cref="ResendReason"/>).
    /// </summary>
    public sealed class SubmissionOnce
    {
        public SubmissionOnce(string? key, string? outFile, bool check)
        {
            if (check && string.IsNullOrWhiteSpace(key)) throw new ArgumentException("A checked submission needs a key.", nameof(key));
            Key = string.IsNullOrWhiteSpace(key) ? null : key!.Trim();
            OutFile = string.IsNullOrWhiteSpace(outFile) ? null : outFile!.Trim();
            Check = check;
        }

        public string? Key { get; }
        public string? OutFile { get; }
        /// <summary>Look the key up before sending (New-SoraVideo -Once); else the key and file are only recorded.</summary>
        public bool Check { get; }

        /// <summary>Set under the journal lock: the journaled submission the key names, which has not failed. Nothing was sent.</summary>
        public JournalEntry? Existing { get; internal set; }
        /// <summary>Set under the journal lock: the key's last submission, which failed, was cancelled, refused or expired before saving; sent again.</summary>
        public JournalEntry? Previous { get; internal set; }
        /// <summary>Why <see cref="Previous"/> does not count: "failed (ContentModerationFailed)", "cancelled", "refused (…)", "expired before it was saved".</summary>
        public string? ResendReason { get; internal set; }

        /// <summary>Why a journaled submission would be sent again, or null when it stands (sent, running, finished or unknown).</summary>
        public static string? RetryReason(JournalEntry e)
        {
            if (e.Refused) return "was refused" + (e.ErrorCode == null ? "" : " (" + e.ErrorCode + ")");
            if (e.Unresolved) return null;
            switch (e.Status ?? SoraTaskStatus.Unknown)
            {
                case SoraTaskStatus.Failed: return "failed" + (e.ErrorCode == null ? "" : " (" + e.ErrorCode + ")");
                case SoraTaskStatus.Cancelled: return "was cancelled";
                case SoraTaskStatus.Expired: return e.SavedTo == null ? "expired before it was saved" : null;
                default: return null;
            }
        }
    }

    /// <summary>Thrown under the journal lock when the key is already journaled: the submission's line is not written.</summary>
    internal sealed class KeyAlreadyJournaledException : Exception
    {
        public KeyAlreadyJournaledException() : base("The batch row key is already journaled.") { }
    }

    /// <summary>
    /// The journal's keyed submissions, per profile and key, read once per journal object and then only the lines
    /// written since (by this process or another). Only lines about keyed tasks are parsed: those that carry a key,
    /// and later lines about the same ids. Used only while the journal's lock is held.
    /// </summary>
    internal sealed class KeyLedger
    {
        private static readonly byte[] KeyMarker = Encoding.UTF8.GetBytes("\"key\":\"");
        private readonly TaskJournal _journal;
        private readonly Dictionary<string, long> _positions = new Dictionary<string, long>(StringComparer.Ordinal);
        private readonly Dictionary<string, JournalEntry> _entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        private readonly HashSet<string> _ids = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, JournalEntry> _byKey = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);

        public KeyLedger(TaskJournal journal)
        {
            _journal = journal;
        }

        internal static string Slot(string? profile, string key) => (profile ?? "").ToLowerInvariant() + "\u0001" + key;

        /// <summary>The newest journaled submission of this key on this profile, after reading what was written since the last call.</summary>
        public JournalEntry? Find(string? profile, string key)
        {
            CatchUp();
            return _byKey.TryGetValue(Slot(profile, key), out var e) ? e : null;
        }

        private void CatchUp()
        {
            if (!Directory.Exists(_journal.Directory)) return;
            var files = Directory.GetFiles(_journal.Directory, "tasks-*.jsonl").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToList();
            foreach (var name in files)
            {
                var path = Path.Combine(_journal.Directory, name!);
                _positions.TryGetValue(name!, out var from);
                if (new FileInfo(path).Length < from) from = 0; // replaced: read again
                var end = from;
                foreach (var raw in JournalLines.Forward(path, from))
                {
                    if (!raw.Terminated) break;
                    end = raw.Offset + raw.Length + 1;
                    var span = raw.Span;
                    var keyed = span.IndexOf(KeyMarker) >= 0;
                    if (!keyed && (_ids.Count == 0 || !Mentions(span))) continue;
                    JournalEntry? line;
                    try { line = JsonSerializer.Deserialize<JournalEntry>(span, TaskJournal.Json); }
                    catch (JsonException) { continue; } // the journal's readers warn about it
                    if (line?.Id == null) continue;
                    Add(line);
                }
                _positions[name!] = end;
            }
        }

        private void Add(JournalEntry line)
        {
            _ids.Add(line.Id);
            if (line.SubmissionId != null) _ids.Add(line.SubmissionId);
            var id = TaskJournal.Key(line.Profile, line.Id);
            JournalEntry? entry;
            if (line.Links && _entries.TryGetValue(TaskJournal.Key(line.Profile, line.SubmissionId), out var local))
            {
                // The provider's id arrived: the local submission becomes that task.
                _entries.Remove(TaskJournal.Key(line.Profile, line.SubmissionId));
                local.Id = line.Id;
                _entries[id] = local;
                entry = local;
            }
            else if (!_entries.TryGetValue(id, out entry))
            {
                entry = new JournalEntry { Id = line.Id, Profile = line.Profile };
                _entries[id] = entry;
            }
            entry.Apply(line);
            // The line that starts a keyed submission: the key now names it (newest wins).
            if (line.Key != null && line.StartsHistory) _byKey[Slot(line.Profile, line.Key)] = entry;
        }

        /// <summary>Does the line's id (or submission id), read from its first properties, belong to a keyed task?</summary>
        private bool Mentions(ReadOnlySpan<byte> span)
        {
            var reader = new Utf8JsonReader(span);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
                for (var i = 0; i < 2 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName; i++)
                {
                    var isId = reader.ValueTextEquals("id") || reader.ValueTextEquals("submissionId");
                    if (!reader.Read()) return false;
                    if (isId && reader.TokenType == JsonTokenType.String && _ids.Contains(reader.GetString()!)) return true;
                    if (reader.TokenType == JsonTokenType.StartObject || reader.TokenType == JsonTokenType.StartArray) return false;
                }
            }
            catch (JsonException)
            {
                return false;
            }
            return false;
        }
    }
}
