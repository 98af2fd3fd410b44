using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;

namespace SoraPS.Core
{
    /// <summary>A value to offer in tab completion, with a line of help.</summary>
    public sealed class CompletionItem
    {
        public CompletionItem(string value, string tooltip)
        {
            Value = value;
            Tooltip = string.IsNullOrEmpty(tooltip) ? value : tooltip;
        }

        public string Value { get; }
        public string Tooltip { get; }
    }

    /// <summary>
    /// What tab completion offers, from the profile store, the dialect/model tables and the journal.
    /// Never throws: a broken config just completes nothing.
    /// </summary>
    public sealed class Completion
    {
        private readonly ProfileStore _store;
        private readonly TaskJournal _journal;

        public Completion(ProfileStore? store = null, TaskJournal? journal = null)
        {
            _store = store ?? new ProfileStore();
            _journal = journal ?? new TaskJournal();
        }

        private static IEnumerable<CompletionItem> Match(IEnumerable<CompletionItem> items, string word) =>
            items.Where(i => string.IsNullOrEmpty(word) || i.Value.StartsWith(word.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase));

        private IReadOnlyList<SoraProfile> SafeProfiles()
        {
            try { return _store.Load(); }
            catch (SoraException) { return Array.Empty<SoraProfile>(); }
        }

        public IEnumerable<CompletionItem> Profiles(string word) =>
            Match(SafeProfiles().Select(p => new CompletionItem(p.Name ?? "", $"{p.Dialect} {p.BaseUri}{(p.IsDefault ? " (default)" : "")}")), word);

        public IEnumerable<CompletionItem> Dialects(string word) =>
            Match(DialectRegistry.Dialects.Select(d => new CompletionItem(d.Name, d.Description)), word);

        /// <summary>The dialect a command line points at: -Dialect, else -Profile's, else the default profile's.</summary>
        private SoraDialect? DialectFor(string? profile, string? dialect)
        {
            if (!string.IsNullOrEmpty(dialect))
                return DialectRegistry.Dialects.FirstOrDefault(d => d.Name.Equals(dialect, StringComparison.OrdinalIgnoreCase));
            var p = ProfileFor(profile);
            return p == null ? null : DialectRegistry.Dialects.FirstOrDefault(d => d.Name.Equals(p.Dialect, StringComparison.OrdinalIgnoreCase));
        }

        private SoraProfile? ProfileFor(string? profile)
        {
            try { return _store.Resolve(string.IsNullOrEmpty(profile) ? null : profile); }
            catch (SoraException) { return null; }
        }

        private IEnumerable<(SoraDialect Dialect, ModelSpec Spec)> Specs(string? profile, string? dialect, string? model)
        {
            var d = DialectFor(profile, dialect);
            var dialects = d == null ? DialectRegistry.Dialects : (IEnumerable<SoraDialect>)new[] { d };
            var p = d != null ? ProfileFor(profile) : null;
            var chosen = !string.IsNullOrEmpty(model) ? model : p?.Model;
            chosen = p?.CatalogModel(chosen) ?? chosen;
            foreach (var x in dialects)
                foreach (var spec in SafeCatalog(x))
                    if (string.IsNullOrEmpty(chosen) || spec.Accepts(chosen)) yield return (x, spec);
        }

        /// <summary>The dialect's catalog with the user's models; the built-in table when models.json is damaged.</summary>
        private static IReadOnlyList<ModelSpec> SafeCatalog(SoraDialect dialect)
        {
            try { return ModelCatalog.Current.Models(dialect); }
            catch (SoraException) { return dialect.Models; }
        }

        public IEnumerable<CompletionItem> Models(string word, string? profile, string? dialect)
        {
            var aliases = (string.IsNullOrEmpty(dialect) ? ProfileFor(profile)?.ModelAlias : null) ?? new Dictionary<string, string>();
            return Match(aliases.Select(a => new CompletionItem(a.Key, $"{a.Key}: follows {a.Value}"))
                .Concat(Specs(profile, dialect, null).Select(s => new CompletionItem(s.Spec.Name, $"{s.Dialect.Name}: {s.Spec}"))).GroupBy(i => i.Value).Select(g => g.First()), word);
        }

        /// <summary>The settings the dialect on the line (or the profile's) declares, with type, default and help.</summary>
        public IEnumerable<CompletionItem> Settings(string word, string? profile, string? dialect)
        {
            var d = DialectFor(profile, dialect);
            var declared = d != null ? d.Settings : DialectRegistry.Dialects.SelectMany(x => x.Settings).GroupBy(s => s.Name).Select(g => g.First());
            return Match(declared.Select(s => new CompletionItem(s.Name, s.ToString())), word.TrimStart('@', '{', ' '));
        }

        public IEnumerable<CompletionItem> Durations(string word, string? profile, string? dialect, string? model) =>
            Match(Specs(profile, dialect, model).SelectMany(s => s.Spec.Durations.Select(v => new CompletionItem(v.ToString(CultureInfo.InvariantCulture), $"{v} s ({s.Spec.Name})")))
                .GroupBy(i => i.Value).Select(g => g.First()).OrderBy(i => int.Parse(i.Value, CultureInfo.InvariantCulture)), word);

        public IEnumerable<CompletionItem> AspectRatios(string word, string? profile, string? dialect, string? model) =>
            Match(Specs(profile, dialect, model).SelectMany(s => s.Spec.AspectRatios.Select(v => new CompletionItem(v, $"{v} ({s.Spec.Name})"))).GroupBy(i => i.Value).Select(g => g.First()), word);

        public IEnumerable<CompletionItem> Resolutions(string word, string? profile, string? dialect, string? model) =>
            Match(Specs(profile, dialect, model).SelectMany(s => s.Spec.Resolutions.Select(v => new CompletionItem(v, $"{v} ({s.Spec.Name})"))).GroupBy(i => i.Value).Select(g => g.First()), word);

        /// <summary>Task ids from the journal, newest first (optionally one profile's).</summary>
        public IEnumerable<CompletionItem> TaskIds(string word, string? profile)
        {
            IReadOnlyList<JournalEntry> entries;
            try { entries = _journal.Read(new JournalFilter { Profile = string.IsNullOrEmpty(profile) ? null : profile, First = 400 }); }
            catch (Exception e) when (e is SoraException || e is System.IO.IOException) { return Array.Empty<CompletionItem>(); }
            return Match(entries.Where(e => !e.Unresolved).Take(200).Select(e =>
                new CompletionItem(e.Id, $"{e.Status} {e.Profile}: {(e.Prompt ?? "").Substring(0, Math.Min(60, (e.Prompt ?? "").Length))}")), word);
        }
    }
}
