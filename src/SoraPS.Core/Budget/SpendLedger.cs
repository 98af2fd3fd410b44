using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using SoraPS.Core.Catalog;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Budget
{
    /// <summary>The amount a submission reserves in the journal, and the check that must pass under the same lock.</summary>
    public sealed class SpendReservation
    {
        /// <summary>The estimate (null: the model has no price).</summary>
        public decimal? Cost { get; set; }
        public string? Currency { get; set; }
        /// <summary>The submission's time (null: now).</summary>
        public DateTimeOffset? At { get; set; }
        /// <summary>Runs under the journal's lock, with the submission's time, before its line is written; throws to refuse.</summary>
        public Action<DateTimeOffset>? Check { get; set; }
    }

    /// <summary>The clock budgets count days and months by: the local calendar unless told otherwise.</summary>
    public sealed class BudgetClock
    {
        public static readonly BudgetClock System = new BudgetClock();

        public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;
        public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Local;

        /// <summary>The local calendar date of an instant.</summary>
        public DateTime LocalDate(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).Date;
    }

    /// <summary>What the journal says one submission cost: the merge of its lines.</summary>
    public sealed class SpendRecord
    {
        public string Id { get; internal set; } = "";
        public string? Profile { get; internal set; }
        public string? Dialect { get; internal set; }
        public string? Model { get; internal set; }
        public int? Duration { get; internal set; }
        public string? Resolution { get; internal set; }
        public DateTimeOffset SubmittedAt { get; internal set; }
        internal SoraTaskStatus? RawStatus { get; set; }
        internal string? SubmissionId { get; set; }
        internal string? Event { get; set; }
        internal decimal? Reserved { get; set; }
        internal string? ReservedCurrency { get; set; }
        /// <summary>What the provider reported the task cost (US dollars), once it did (OpenRouter's usage.cost); null until then.</summary>
        public decimal? ActualCost { get; internal set; }

        /// <summary>What the task counts against a budget: the reported cost once known, else the estimate (<see cref="Cost"/>).</summary>
        public decimal? Spent => Refused ? 0m : ActualCost ?? Cost;

        /// <summary>The provider certainly did not accept it (an error answer): not a task, nothing spent.</summary>
        public bool Refused => Event == JournalEvents.Refused;

        /// <summary>The status Get-SoraTask shows: Unknown while no provider id arrived.</summary>
        public SoraTaskStatus Status =>
            SubmissionId != null && string.Equals(Id, SubmissionId, StringComparison.Ordinal) ? SoraTaskStatus.Unknown : RawStatus ?? SoraTaskStatus.Unknown;

        /// <summary>Seconds of video asked for (the model's default when the journal has none).</summary>
        public int Seconds => Duration ?? Price()?.Seconds ?? 0;

        /// <summary>
        /// The estimated cost: what was reserved at submission, or (for lines written before budgets) the
        /// catalog's price; 0 for a failed task of a dialect that does not bill failures; null when unpriced.
        /// </summary>
        public decimal? Cost
        {
            get
            {
                if (Refused) return 0m;
                var cost = Reserved ?? Price()?.Amount;
                if (cost.HasValue && Status == SoraTaskStatus.Failed && !Pricing.BillsFailedTasks(Dialect)) return 0m;
                return cost;
            }
        }

        public string? Currency => Reserved.HasValue ? ReservedCurrency ?? Pricing.ListCurrency : Price()?.Currency;

        private PriceQuote? _price;
        private bool _priced;

        private PriceQuote? Price()
        {
            if (!_priced) { _price = Pricing.For(Dialect, Model, Duration, Resolution); _priced = true; }
            return _price;
        }

        internal void Apply(in SpendLine line)
        {
            Dialect = line.Dialect ?? Dialect;
            Model = line.Model ?? Model;
            Duration = line.Duration ?? Duration;
            Resolution = line.Resolution ?? Resolution;
            RawStatus = line.Status ?? RawStatus;
            Event = line.Event ?? Event;
            ActualCost = line.ActualCost ?? ActualCost;
            if (line.EstimatedCost.HasValue && !Reserved.HasValue)
            {
                Reserved = line.EstimatedCost;
                ReservedCurrency = line.Currency;
            }
            _priced = false;
        }
    }

    /// <summary>The fields of a journal line the ledger keeps (copied from the entry <see cref="JournalLineReader"/> read), without an object per line.</summary>
    internal readonly struct SpendLine
    {
        public SpendLine(JournalEntry e)
        {
            Id = e.Id;
            SubmissionId = e.SubmissionId;
            Profile = e.Profile;
            Dialect = e.Dialect;
            Model = e.Model;
            Duration = e.Duration;
            Resolution = e.Resolution;
            Status = e.Status;
            SubmittedAt = e.SubmittedAt;
            Event = e.Event;
            EstimatedCost = e.EstimatedCost;
            Currency = e.Currency;
            ActualCost = e.ActualCost;
        }

        public readonly string Id;
        public readonly string? SubmissionId;
        public readonly string? Profile;
        public readonly string? Dialect;
        public readonly string? Model;
        public readonly int? Duration;
        public readonly string? Resolution;
        public readonly SoraTaskStatus? Status;
        public readonly DateTimeOffset? SubmittedAt;
        public readonly string? Event;
        public readonly decimal? EstimatedCost;
        public readonly string? Currency;
        public readonly decimal? ActualCost;

        /// <summary>The line gives a local submission its provider id (as <see cref="JournalEntry.Links"/>).</summary>
        public bool Links => SubmissionId != null && !string.Equals(Id, SubmissionId, StringComparison.Ordinal);
    }

    /// <summary>
    /// The spend the journal records: one <see cref="SpendRecord"/> per submission, read from the journal
    /// files forward. Reading can continue later from where it stopped (<see cref="Refresh"/>), so a check
    /// under the journal lock reads only the lines written since the last one.
    /// </summary>
    public sealed class SpendLedger
    {
        private readonly string _directory;
        private readonly string? _firstFile;
        private readonly Dictionary<(string, string), SpendRecord> _byKey = new Dictionary<(string, string), SpendRecord>();
        private readonly List<SpendRecord> _records = new List<SpendRecord>();
        private readonly Dictionary<string, long> _positions = new Dictionary<string, long>(StringComparer.Ordinal);

        /// <summary>A ledger of the journal files from the month of <paramref name="since"/> on (every file when null).</summary>
        public SpendLedger(TaskJournal journal, DateTimeOffset? since = null)
        {
            _directory = journal.Directory;
            _firstFile = since.HasValue ? Path.GetFileName(journal.FileFor(since.Value)) : null;
        }

        internal string? FirstFile => _firstFile;

        /// <summary>Every submission read so far, oldest first (refused ones included; see <see cref="SpendRecord.Refused"/>).</summary>
        public IReadOnlyList<SpendRecord> Records => _records;

        /// <summary>Reads what was written since the last call. False when a file shrank (replaced): start a new ledger.</summary>
        public bool Refresh()
        {
            if (!Directory.Exists(_directory)) return true;
            var files = Directory.GetFiles(_directory, "tasks-*.jsonl").Select(p => Path.GetFileName(p))
                .Where(f => _firstFile == null || string.CompareOrdinal(f, _firstFile) >= 0)
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            var work = new List<(string, long)>();
            foreach (var f in files)
            {
                _positions.TryGetValue(f, out var from);
                var path = Path.Combine(_directory, f);
                long length;
                try { length = new FileInfo(path).Length; }
                catch (FileNotFoundException) { continue; }
                if (length < from) return false;
                if (length > from) work.Add((f, from));
            }
            if (work.Count == 1) // the usual check: one file, a few new lines
            {
                var (lines, end) = ParseFile(Path.Combine(_directory, work[0].Item1), work[0].Item2);
                foreach (var line in lines) Add(in line);
                _positions[work[0].Item1] = end;
            }
            else if (work.Count > 1) ReplayAll(work);
            return true;
        }

        /// <summary>Reads the lines of several files: each file is parsed ahead on the thread pool (one per core), and merged in order.</summary>
        private void ReplayAll(List<(string Name, long From)> work)
        {
            var parsed = new System.Threading.Tasks.Task<(List<SpendLine> Lines, long End)>?[work.Count];
            var ahead = Math.Max(1, Environment.ProcessorCount);
            for (var i = 0; i < work.Count; i++)
            {
                for (var j = i; j < Math.Min(work.Count, i + ahead); j++)
                {
                    if (parsed[j] != null) continue;
                    var (name, from) = work[j];
                    parsed[j] = System.Threading.Tasks.Task.Run(() => ParseFile(Path.Combine(_directory, name), from));
                }
                var (lines, end) = parsed[i]!.GetAwaiter().GetResult(); // started by the loop above (j == i)
                parsed[i] = null;
                foreach (var line in lines) Add(line);
                _positions[work[i].Name] = end;
            }
        }

        /// <summary>The complete lines of a file from <paramref name="from"/> on, read by <see cref="JournalLineReader"/> (the ledger's fields only).</summary>
        private static (List<SpendLine> Lines, long End) ParseFile(string path, long from)
        {
            var names = new JournalNames();
            var scratch = new JournalEntry();
            long length;
            try { length = new FileInfo(path).Length; }
            catch (IOException) { length = 0; }
            // About 380 bytes a line: sized once, so a month of lines is not copied as the list grows.
            var lines = new List<SpendLine>((int)Math.Min(1 << 20, Math.Max(16, (length - from) / 300)));
            var end = from;
            foreach (var raw in JournalLines.Forward(path, from))
            {
                if (!raw.Terminated) break; // being written, or cut by a crash
                end = raw.Offset + raw.Length + 1;
                if (raw.IsBlank) continue;
                JournalEntry? line;
                try { line = JournalLineReader.Read(raw.Span, scratch, spendOnly: true, names, out _); }
                catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is FormatException || e is OverflowException || e is ArgumentException)
                {
                    continue; // the journal's own readers name malformed lines
                }
                if (line != null) lines.Add(new SpendLine(line));
            }
            return (lines, end);
        }

        private static (string, string) Key(string? profile, string id) => (profile ?? "", id);

        private void Add(in SpendLine line)
        {
            SpendRecord? record;
            if (line.SubmissionId != null && _byKey.TryGetValue(Key(line.Profile, line.SubmissionId), out record))
            {
                if (line.Links)
                {
                    record.Id = line.Id;
                    _byKey[Key(line.Profile, line.Id)] = record;
                }
            }
            else if (!_byKey.TryGetValue(Key(line.Profile, line.Id), out record))
            {
                // Only a line that starts a task's history creates it: the rest of an older task's lines
                // (before the ledger's first file) are not this ledger's to count.
                if (!line.SubmittedAt.HasValue || line.Links) return;
                record = new SpendRecord { Id = line.Id, Profile = line.Profile, SubmittedAt = line.SubmittedAt.Value, SubmissionId = line.SubmissionId };
                _byKey[Key(line.Profile, line.Id)] = record;
                _records.Add(record);
            }
            record.Apply(line);
        }

        // ------------------------------------------------------------------ the cache budgets check against

        private static readonly Dictionary<string, SpendLedger> Cache = new Dictionary<string, SpendLedger>(StringComparer.Ordinal);

        /// <summary>
        /// Runs <paramref name="use"/> on this process's ledger of <paramref name="journal"/> from <paramref name="since"/>'s
        /// month, brought up to date first (only the lines written since its last use are read).
        /// </summary>
        internal static T WithCurrent<T>(TaskJournal journal, DateTimeOffset since, Func<SpendLedger, T> use)
        {
            var first = Path.GetFileName(journal.FileFor(since));
            var key = Path.GetFullPath(journal.Directory);
            SpendLedger? ledger;
            lock (Cache)
            {
                if (!Cache.TryGetValue(key, out ledger) || ledger._firstFile != first)
                    Cache[key] = ledger = new SpendLedger(journal, since);
            }
            lock (ledger)
            {
                if (!ledger.Refresh())
                {
                    var fresh = new SpendLedger(journal, since);
                    fresh.Refresh();
                    lock (Cache) Cache[key] = fresh;
                    return use(fresh);
                }
                return use(ledger);
            }
        }

        /// <summary>What <paramref name="profile"/> spent (reported where the provider said, else estimated) on the local day and in the local month of <paramref name="at"/>.</summary>
        internal (decimal Day, decimal Month) SpentBy(string? profile, DateTimeOffset at, BudgetClock clock)
        {
            var today = clock.LocalDate(at);
            decimal day = 0, month = 0;
            foreach (var r in _records)
            {
                if (!string.Equals(r.Profile, profile, StringComparison.OrdinalIgnoreCase) || r.Refused) continue;
                var cost = r.Spent;
                if (!cost.HasValue || cost.Value == 0) continue;
                var date = clock.LocalDate(r.SubmittedAt);
                if (date.Year != today.Year || date.Month != today.Month) continue;
                month += cost.Value;
                if (date == today) day += cost.Value;
            }
            return (day, month);
        }

        /// <summary>An instant early enough that its journal file holds the start of the local month of <paramref name="at"/>.</summary>
        internal static DateTimeOffset MonthStart(DateTimeOffset at, BudgetClock clock)
        {
            var local = TimeZoneInfo.ConvertTime(at, clock.Zone);
            var start = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
            try
            {
                return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(start, clock.Zone), TimeSpan.Zero);
            }
            catch (ArgumentException)
            {
                // Midnight skipped by a change of offset: three hours earlier is safely before the month.
                return new DateTimeOffset(start, local.Offset).AddHours(-3);
            }
        }

        internal static string Format(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);
    }
}
