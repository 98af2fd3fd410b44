using System;
using System.Collections.Generic;
using System.Linq;

namespace SoraPS.Core.Journal
{
    /// <summary>Merges lines in the order they were written; a line with a provider id takes over its local submission.</summary>
    internal sealed class JournalMerger : IJournalSink
    {
        private readonly Dictionary<string, JournalEntry> _byKey = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        private readonly List<JournalEntry> _order = new List<JournalEntry>();
        private readonly HashSet<JournalEntry> _gone = new HashSet<JournalEntry>();
        private readonly bool _strict;

        public JournalMerger(IEnumerable<JournalEntry>? start = null, bool strict = false)
        {
            _strict = strict;
            if (start == null) return;
            foreach (var e in start)
            {
                var key = TaskJournal.Key(e.Profile, e.Id);
                if (_byKey.ContainsKey(key)) continue;
                _byKey[key] = e;
                _order.Add(e);
            }
        }

        /// <summary>Strict (index) mode met a line about a task the index had closed that would reopen it: only the files know its whole story.</summary>
        public bool NeedsRebuild { get; private set; }

        bool IJournalSink.Stop => NeedsRebuild;

        public IEnumerable<JournalEntry> Entries => _order.Where(e => !_gone.Contains(e));

        public void Add(JournalEntry line)
        {
            var key = TaskJournal.Key(line.Profile, line.Id);
            if (line.Links)
            {
                var localKey = TaskJournal.Key(line.Profile, line.SubmissionId);
                if (_byKey.TryGetValue(localKey, out var local))
                {
                    _byKey.Remove(localKey);
                    if (_byKey.TryGetValue(key, out var known)) _gone.Add(local);
                    else
                    {
                        local.Id = line.Id;
                        _byKey[key] = local;
                        known = local;
                    }
                    known.Apply(line);
                    return;
                }
            }
            if (!_byKey.TryGetValue(key, out var entry))
            {
                entry = new JournalEntry { Id = line.Id, Profile = line.Profile };
                if (_strict && !line.StartsHistory)
                {
                    entry.Apply(line);
                    if (entry.Open) NeedsRebuild = true;
                    return;
                }
                _byKey[key] = entry;
                _order.Add(entry);
            }
            entry.Apply(line);
        }
    }
}
