using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Journal
{
    /// <summary>The events a journal line records (its <c>event</c> field).</summary>
    public static class JournalEvents
    {
        /// <summary>Written before a submission's request leaves, under its local submission id.</summary>
        public const string Submitting = "submitting";
        /// <summary>The provider accepted a submission and gave its task id.</summary>
        public const string Submitted = "submitted";
        /// <summary>A submission ended without a readable answer: its outcome is unknown.</summary>
        public const string Unknown = "unknown";
        /// <summary>The provider certainly did not accept a submission.</summary>
        public const string Refused = "refused";
        /// <summary>An unknown submission was found at the provider (Resolve-SoraTask).</summary>
        public const string Resolved = "resolved";
        /// <summary>A task's status changed.</summary>
        public const string Status = "status";
        /// <summary>A task's video was saved.</summary>
        public const string Saved = "saved";
        /// <summary>A task was deleted at the provider.</summary>
        public const string Deleted = "deleted";
    }

    /// <summary>Reads one field's value into an entry.</summary>
    internal delegate void JournalFieldReader(ref Utf8JsonReader reader, JournalEntry entry, JournalNames names);

    /// <summary>
    /// One string object per distinct profile, dialect, model, event...: a year of lines repeats a handful of them,
    /// so they are matched as bytes and not decoded again. One per file being read (not shared between threads).
    /// </summary>
    internal sealed class JournalNames
    {
        private readonly List<(byte[] Bytes, string Text)> _names = new List<(byte[] Bytes, string Text)>();

        public string? Read(ref Utf8JsonReader r)
        {
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) return r.GetString();
            var v = r.ValueSpan;
            foreach (var (bytes, text) in _names)
                if (v.SequenceEqual(bytes)) return text;
            var value = r.GetString()!; // a String token (checked above) never reads as null
            if (_names.Count < 64) _names.Add((v.ToArray(), value));
            return value;
        }
    }

    /// <summary>
    /// The one reader of journal lines: the task journal (every field, see <see cref="TaskRecord"/>) and the spend
    /// ledger (only the fields it needs, the rest skipped unread) both read a line here into a <see cref="JournalEntry"/>.
    /// Each field of <see cref="JournalEntry"/> is named once below, by its property (camelCase, as the journal writes it);
    /// a field the reader does not know is kept in <see cref="JournalEntry.More"/> (or skipped by the spend ledger).
    /// A line is read as System.Text.Json reads a <see cref="JournalEntry"/>: strictly (no comments, nothing after the object).
    /// </summary>
    internal static class JournalLineReader
    {
        private sealed class Field
        {
            public Field(string property, bool spend, JournalFieldReader read, Action<JournalEntry> clear)
            {
                Property = property;
                Name = TaskJournal.Json.PropertyNamingPolicy!.ConvertName(property); // the journal names fields in camelCase
                Bytes = Encoding.UTF8.GetBytes(Name);
                Spend = spend;
                Read = read;
                Clear = clear;
            }

            public readonly string Property;
            public readonly string Name;
            public readonly byte[] Bytes;
            /// <summary>Read by the spend ledger too.</summary>
            public readonly bool Spend;
            public readonly JournalFieldReader Read;
            public readonly Action<JournalEntry> Clear;
        }

        private static Field F(string property, bool spend, JournalFieldReader read, Action<JournalEntry> clear) => new Field(property, spend, read, clear);

        private static readonly Field[] Fields =
        {
            F(nameof(JournalEntry.Id), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Id = r.GetString()!, e => e.Id = null!),
            F(nameof(JournalEntry.SubmissionId), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.SubmissionId = r.GetString(), e => e.SubmissionId = null),
            F(nameof(JournalEntry.Profile), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Profile = n.Read(ref r), e => e.Profile = null),
            F(nameof(JournalEntry.Dialect), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Dialect = n.Read(ref r), e => e.Dialect = null),
            F(nameof(JournalEntry.Model), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Model = n.Read(ref r), e => e.Model = null),
            F(nameof(JournalEntry.Prompt), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Prompt = r.GetString(), e => e.Prompt = null),
            F(nameof(JournalEntry.Duration), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Duration = r.GetInt32(), e => e.Duration = null),
            F(nameof(JournalEntry.AspectRatio), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.AspectRatio = n.Read(ref r), e => e.AspectRatio = null),
            F(nameof(JournalEntry.Resolution), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Resolution = n.Read(ref r), e => e.Resolution = null),
            F(nameof(JournalEntry.Image), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Image = r.GetString(), e => e.Image = null),
            F(nameof(JournalEntry.RemixOf), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.RemixOf = r.GetString(), e => e.RemixOf = null),
            F(nameof(JournalEntry.Operation), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Operation = n.Read(ref r), e => e.Operation = null),
            F(nameof(JournalEntry.SourceId), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.SourceId = r.GetString(), e => e.SourceId = null),
            F(nameof(JournalEntry.Status), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Status = ReadStatus(ref r), e => e.Status = null),
            F(nameof(JournalEntry.ProviderStatus), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.ProviderStatus = n.Read(ref r), e => e.ProviderStatus = null),
            F(nameof(JournalEntry.Progress), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Progress = r.GetInt32(), e => e.Progress = null),
            F(nameof(JournalEntry.VideoUri), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.VideoUri = r.GetString(), e => e.VideoUri = null),
            F(nameof(JournalEntry.GenerationId), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.GenerationId = r.GetString(), e => e.GenerationId = null),
            F(nameof(JournalEntry.CreatedAt), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.CreatedAt = r.GetDateTimeOffset(), e => e.CreatedAt = null),
            F(nameof(JournalEntry.CompletedAt), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.CompletedAt = r.GetDateTimeOffset(), e => e.CompletedAt = null),
            F(nameof(JournalEntry.ExpiresAt), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.ExpiresAt = r.GetDateTimeOffset(), e => e.ExpiresAt = null),
            F(nameof(JournalEntry.SubmittedAt), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.SubmittedAt = r.GetDateTimeOffset(), e => e.SubmittedAt = null),
            F(nameof(JournalEntry.UpdatedAt), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.UpdatedAt = r.GetDateTimeOffset(), e => e.UpdatedAt = null),
            F(nameof(JournalEntry.SavedTo), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.SavedTo = r.GetString(), e => e.SavedTo = null),
            F(nameof(JournalEntry.ErrorKind), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.ErrorKind = n.Read(ref r), e => e.ErrorKind = null),
            F(nameof(JournalEntry.ErrorCode), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.ErrorCode = r.GetString(), e => e.ErrorCode = null),
            F(nameof(JournalEntry.ErrorMessage), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.ErrorMessage = r.GetString(), e => e.ErrorMessage = null),
            F(nameof(JournalEntry.EstimatedCost), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.EstimatedCost = r.GetDecimal(), e => e.EstimatedCost = null),
            F(nameof(JournalEntry.Currency), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Currency = n.Read(ref r), e => e.Currency = null),
            F(nameof(JournalEntry.ActualCost), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.ActualCost = r.GetDecimal(), e => e.ActualCost = null),
            F(nameof(JournalEntry.Key), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Key = r.GetString(), e => e.Key = null),
            F(nameof(JournalEntry.OutFile), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.OutFile = r.GetString(), e => e.OutFile = null),
            F(nameof(JournalEntry.Options), false, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Options = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(ref r), e => e.Options = null),
            F(nameof(JournalEntry.Event), true, (ref Utf8JsonReader r, JournalEntry e, JournalNames n) => e.Event = n.Read(ref r), e => e.Event = null),
        };

        /// <summary>The properties of <see cref="JournalEntry"/> the reader names (a test checks that every stored one is among them).</summary>
        internal static IEnumerable<string> Properties => Fields.Select(f => f.Property);

        /// <summary>The fields by the length of their name, for a lookup that compares few bytes.</summary>
        private static readonly Field[][] ByLength = Enumerable.Range(0, Fields.Max(f => f.Bytes.Length) + 1)
            .Select(n => Fields.Where(f => f.Bytes.Length == n).ToArray()).ToArray();

        private static readonly Field[] SpendFields = Fields.Where(f => f.Spend).ToArray();

        private static readonly Dictionary<string, Field> ByName = Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);

        private static Field? Lookup(ref Utf8JsonReader r)
        {
            if (r.ValueIsEscaped || r.HasValueSequence) return ByName.TryGetValue(r.GetString()!, out var named) ? named : null;
            var name = r.ValueSpan;
            if (name.Length >= ByLength.Length) return null;
            foreach (var f in ByLength[name.Length])
                if (name.SequenceEqual(f.Bytes)) return f;
            return null;
        }

        /// <summary>
        /// One line as an entry; null with the <paramref name="problem"/> when it is not a journal line (no object, no
        /// task id, an unknown status). Malformed JSON throws as System.Text.Json does (JsonException, InvalidOperationException,
        /// FormatException...). <paramref name="spendOnly"/>: only the spend ledger's fields, the rest skipped unread.
        /// </summary>
        public static JournalEntry? Read(ReadOnlySpan<byte> json, bool spendOnly, JournalNames names, out string? problem) =>
            Read(json, new JournalEntry(), spendOnly, names, out problem);

        /// <summary>
        /// As <see cref="Read(ReadOnlySpan{byte}, bool, JournalNames, out string)"/>, into an entry used again for each line: the
        /// fields this mode reads are cleared first (the spend ledger reads a year of lines without an object per line).
        /// </summary>
        public static JournalEntry? Read(ReadOnlySpan<byte> json, JournalEntry entry, bool spendOnly, JournalNames names, out string? problem)
        {
            foreach (var f in spendOnly ? SpendFields : Fields) f.Clear(entry);
            if (!spendOnly) entry.More = null;
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            problem = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not an object";
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Lookup(ref reader);
                if (field == null && !spendOnly)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    (entry.More ?? (entry.More = new Dictionary<string, JsonElement>(StringComparer.Ordinal)))[name] = JsonElement.ParseValue(ref reader);
                    continue;
                }
                reader.Read();
                if (field == null || (spendOnly && !field.Spend) || reader.TokenType == JsonTokenType.Null)
                {
                    reader.Skip();
                    continue;
                }
                field.Read(ref reader, entry, names);
            }
            // Anything but the end of the object, or anything after it, is malformed (the reader throws).
            if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("The line is not one JSON object.");
            while (reader.Read()) { }
            if (string.IsNullOrWhiteSpace(entry.Id)) problem = "no task id";
            else if (entry.Status.HasValue && !IsDefined(entry.Status.Value)) problem = "an unknown status";
            return problem == null ? entry : null;
        }

        private static readonly (byte[] Name, SoraTaskStatus Value)[] StatusNames =
            ((SoraTaskStatus[])Enum.GetValues(typeof(SoraTaskStatus))).Select(v => (Encoding.UTF8.GetBytes(v.ToString()), v)).ToArray();

        private static bool IsDefined(SoraTaskStatus status)
        {
            foreach (var (_, value) in StatusNames)
                if (value == status) return true;
            return false;
        }

        private static readonly JsonSerializerOptions StatusOptions = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };

        /// <summary>A status as the journal writes it (its enum name); anything else as the journal's JSON converter reads it.</summary>
        private static SoraTaskStatus ReadStatus(ref Utf8JsonReader r)
        {
            if (r.TokenType == JsonTokenType.String && !r.ValueIsEscaped && !r.HasValueSequence)
            {
                var v = r.ValueSpan;
                foreach (var (name, value) in StatusNames)
                    if (v.SequenceEqual(name)) return value;
            }
            return JsonSerializer.Deserialize<SoraTaskStatus>(ref r, StatusOptions);
        }
    }
}
