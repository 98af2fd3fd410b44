using System;
using System.Collections.Generic;
using System.Linq;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Journal
{
    /// <summary>
    /// Builds the open tasks from the journal's lines in one forward pass, holding only what an open task needs: the
    /// same merge as <see cref="JournalMerger"/> (lines in the order written, a provider id taking over its local
    /// submission), but a task that closes (finished, saved, refused) is cut down at once to the few fields that say
    /// whether a later line opens it again. A year of journal is read in the memory of its open tasks plus a small
    /// slot per finished one. A line that reopens a task cut down this way (rare: a finished task running again) means
    /// only a full merge knows that task's whole story: <see cref="NeedsFullMerge"/> is set and the caller merges
    /// everything instead.
    /// </summary>
    internal sealed class OpenTasksBuilder : IJournalSink
    {
        /// <summary>One task: its whole merged entry while it is open, else only what decides whether it is open.</summary>
        private sealed class Slot
        {
            public long Order;
            public JournalEntry? Entry;
            public string Id = null!;
            public bool IdIsSubmission;
            public SoraTaskStatus? Status;
            public bool Saved;
            public DateTimeOffset? ExpiresAt;
            public string? Event;

            public void Close(JournalEntry entry)
            {
                Id = entry.Id;
                IdIsSubmission = entry.SubmissionId != null && string.Equals(entry.SubmissionId, entry.Id, StringComparison.Ordinal);
                Status = entry.Status;
                Saved = entry.SavedTo != null;
                ExpiresAt = entry.ExpiresAt;
                Event = entry.Event;
                Entry = null;
            }

            /// <summary>A stand-in for the closed task with the fields <see cref="JournalEntry.Open"/> reads.</summary>
            public JournalEntry Probe() => new JournalEntry
            {
                Id = Id,
                SubmissionId = IdIsSubmission ? Id : null,
                Status = Status,
                SavedTo = Saved ? "" : null,
                ExpiresAt = ExpiresAt,
                Event = Event,
            };
        }

        private readonly Dictionary<string, Slot> _byKey = new Dictionary<string, Slot>(StringComparer.Ordinal);
        private long _next;

        /// <summary>A task cut down when it closed is open again: only a full merge gives its whole record.</summary>
        public bool NeedsFullMerge { get; private set; }

        bool IJournalSink.Stop => NeedsFullMerge;

        public void Add(JournalEntry line)
        {
            var key = TaskJournal.Key(line.Profile, line.Id);
            if (line.Links)
            {
                var localKey = TaskJournal.Key(line.Profile, line.SubmissionId);
                if (_byKey.TryGetValue(localKey, out var local))
                {
                    _byKey.Remove(localKey);
                    if (!_byKey.TryGetValue(key, out var known))
                    {
                        // The local submission becomes the provider's task (a known one takes the line; the local one is gone).
                        if (local.Entry != null) local.Entry.Id = line.Id;
                        local.Id = line.Id;
                        _byKey[key] = local;
                        known = local;
                    }
                    Apply(known, line);
                    return;
                }
            }
            if (!_byKey.TryGetValue(key, out var slot))
            {
                slot = new Slot { Order = _next++, Id = line.Id, Entry = new JournalEntry { Id = line.Id, Profile = line.Profile } };
                _byKey[key] = slot;
            }
            Apply(slot, line);
        }

        private void Apply(Slot slot, JournalEntry line)
        {
            if (slot.Entry != null)
            {
                slot.Entry.Apply(line);
                if (!slot.Entry.Open) slot.Close(slot.Entry);
                return;
            }
            var probe = slot.Probe();
            probe.Apply(line);
            if (probe.Open) NeedsFullMerge = true;
            else slot.Close(probe);
        }

        /// <summary>The open tasks in the order their first lines were written (as <see cref="JournalMerger.Entries"/> lists them).</summary>
        public List<JournalEntry> Open() =>
            _byKey.Values.Where(s => s.Entry != null && s.Entry.Open).OrderBy(s => s.Order).Select(s => s.Entry!).ToList();
    }

    /// <summary>Where <see cref="TaskJournal"/> feeds the lines it replays.</summary>
    internal interface IJournalSink
    {
        void Add(JournalEntry line);

        /// <summary>True once the rest of the lines would not change the outcome (the caller starts over another way).</summary>
        bool Stop { get; }
    }
}
