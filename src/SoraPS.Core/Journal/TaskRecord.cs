using System;
using System.Collections.Generic;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Journal
{
    /// <summary>
    /// A task's record in the journal, mapped one way from and to <see cref="SoraTask"/>: every settable public
    /// property of the task is kept, by name, except the few that are not part of the record (<see cref="NotRecorded"/>).
    /// A property <see cref="JournalEntry"/> declares (the fields earlier versions wrote) is stored there;
    /// any other is stored beside them in the same line (<see cref="JournalEntry.More"/>), so adding a field to
    /// <see cref="SoraTask"/> is one edit. Lines merge field by field: the newer value wins where it is given.
    /// </summary>
    internal static class TaskRecord
    {
        /// <summary>What a line does not keep: the provider's raw body, the read time (the line's own time) and the error (three fields).</summary>
        private static readonly HashSet<string> NotRecorded = new HashSet<string>(StringComparer.Ordinal)
        {
            nameof(SoraTask.Raw), nameof(SoraTask.RetrievedAt), nameof(SoraTask.Error),
        };

        /// <summary>The entry's fields that merge with "the newer value wins where given" (the rest have their own rules).</summary>
        private static readonly HashSet<string> OwnRules = new HashSet<string>(StringComparer.Ordinal)
        {
            nameof(JournalEntry.Id), nameof(JournalEntry.Profile), nameof(JournalEntry.SubmittedAt),
            nameof(JournalEntry.ErrorKind), nameof(JournalEntry.ErrorCode), nameof(JournalEntry.ErrorMessage), nameof(JournalEntry.More),
        };

        private static readonly JsonSerializerOptions Json = TaskJournal.Json;

        private sealed class Field
        {
            public Field(PropertyInfo task, PropertyInfo? entry, string jsonName)
            {
                Task = task;
                Entry = entry;
                JsonName = jsonName;
            }

            public readonly PropertyInfo Task;
            public readonly PropertyInfo? Entry;
            public readonly string JsonName;
        }

        private static readonly Field[] Fields = typeof(SoraTask).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetSetMethod(true) != null && !NotRecorded.Contains(p.Name))
            .Select(p => new Field(
                p,
                typeof(JournalEntry).GetProperty(p.Name, BindingFlags.Public | BindingFlags.Instance),
                Json.PropertyNamingPolicy!.ConvertName(p.Name))) // TaskJournal.Json always names fields in camelCase
            .ToArray();

        private static readonly PropertyInfo[] Merged = typeof(JournalEntry).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetSetMethod() != null && !OwnRules.Contains(p.Name)).ToArray();

        /// <summary>a.X = b.X ?? a.X for every plain field: the newer line <c>b</c> wins where it says something.</summary>
        internal static readonly Action<JournalEntry, JournalEntry> NewerWins = Compile(newer: true);
        /// <summary>a.X = a.X ?? b.X for every plain field: the entry <c>a</c>, built from newer lines, keeps what it has.</summary>
        internal static readonly Action<JournalEntry, JournalEntry> KeepNewer = Compile(newer: false);

        private static Action<JournalEntry, JournalEntry> Compile(bool newer)
        {
            var a = Expression.Parameter(typeof(JournalEntry), "a");
            var b = Expression.Parameter(typeof(JournalEntry), "b");
            var body = Merged.Select(p =>
            {
                var pa = Expression.Property(a, p);
                var pb = Expression.Property(b, p);
                return (Expression)Expression.Assign(pa, newer ? Expression.Coalesce(pb, pa) : Expression.Coalesce(pa, pb));
            }).ToList();
            body.Add(Expression.Empty());
            return Expression.Lambda<Action<JournalEntry, JournalEntry>>(Expression.Block(body), a, b).Compile();
        }

        /// <summary>Merges the extra fields of two lines, by name.</summary>
        internal static Dictionary<string, JsonElement>? MergeMore(Dictionary<string, JsonElement>? into, Dictionary<string, JsonElement>? line, bool newer)
        {
            if (line == null || line.Count == 0) return into;
            if (into == null) return new Dictionary<string, JsonElement>(line, StringComparer.Ordinal);
            foreach (var kv in line)
                if (newer || !into.ContainsKey(kv.Key)) into[kv.Key] = kv.Value;
            return into;
        }

        /// <summary>The task's record as a journal line (envelope fields left for the caller).</summary>
        internal static JournalEntry Snapshot(SoraTask task)
        {
            var entry = new JournalEntry();
            foreach (var f in Fields)
            {
                var value = f.Task.GetValue(task);
                if (value == null) continue;
                if (f.Entry != null) f.Entry.SetValue(entry, value is Uri uri ? uri.AbsoluteUri : value);
                else (entry.More ?? (entry.More = new Dictionary<string, JsonElement>(StringComparer.Ordinal)))[f.JsonName] = JsonSerializer.SerializeToElement(value, f.Task.PropertyType, Json);
            }
            if (task.Error != null)
            {
                entry.ErrorKind = task.Error.Kind.ToString();
                entry.ErrorCode = task.Error.Code;
                entry.ErrorMessage = task.Error.Message;
            }
            return entry;
        }

        /// <summary>The task a merged entry describes (the entry's own rules for status and error are the caller's).</summary>
        internal static SoraTask Restore(JournalEntry entry)
        {
            var task = new SoraTask(entry.Id, entry.Profile, entry.Dialect);
            foreach (var f in Fields)
            {
                object? value = null;
                if (f.Entry != null) value = f.Entry.GetValue(entry);
                else if (entry.More != null && entry.More.TryGetValue(f.JsonName, out var element))
                {
                    try { value = element.Deserialize(f.Task.PropertyType, Json); }
                    catch (Exception e) when (e is JsonException || e is NotSupportedException || e is InvalidOperationException) { continue; }
                }
                if (value == null) continue;
                if (f.Task.PropertyType == typeof(Uri) && value is string text)
                    value = Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : null;
                if (value != null) f.Task.SetValue(task, value);
            }
            return task;
        }
    }
}
