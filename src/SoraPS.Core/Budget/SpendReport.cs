using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SoraPS.Core.Catalog;
using SoraPS.Core.Journal;

namespace SoraPS.Core.Budget
{
    /// <summary>How Get-SoraSpend groups the journal.</summary>
    public enum SpendGrouping
    {
        Day,
        Month,
        Model,
        Profile,
        Status,
    }

    /// <summary>One group of the spend ledger: how many tasks, seconds of video and their estimated cost.</summary>
    public sealed class SoraSpend
    {
        public SpendGrouping By { get; internal set; }
        /// <summary>The group: a local date (yyyy-MM-dd), a month (yyyy-MM), a model, a profile or a status.</summary>
        public string Name { get; internal set; } = "";
        /// <summary>Submitted tasks (refused submissions are not tasks and are not counted).</summary>
        public int Count { get; internal set; }
        public long Seconds { get; internal set; }
        /// <summary>The estimated cost of the tasks that have a price.</summary>
        public decimal EstimatedCost { get; internal set; }
        /// <summary>The unit of <see cref="EstimatedCost"/> (empty when no task of the group has a price).</summary>
        public string Currency { get; internal set; } = "";
        /// <summary>Tasks of the group whose model has no price (not in <see cref="EstimatedCost"/>).</summary>
        public int Unpriced { get; internal set; }
        /// <summary>What the provider reported the group's tasks cost, for those it reported (<see cref="Reported"/>); 0 when none.</summary>
        public decimal ActualCost { get; internal set; }
        /// <summary>Tasks of the group whose cost the provider reported (in <see cref="ActualCost"/>).</summary>
        public int Reported { get; internal set; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0}: {1} tasks, {2} s, {3} {4}", Name, Count, Seconds, Pricing.Format(EstimatedCost), Currency);
    }

    /// <summary>Get-SoraSpend: the journal's spend grouped by day, month, model, profile or status.</summary>
    public static class SpendReport
    {
        /// <param name="profiles">Profile names to keep (null or empty: all); compared without case.</param>
        /// <param name="since">Submitted at or after (inclusive).</param>
        /// <param name="until">Submitted before (exclusive).</param>
        public static IReadOnlyList<SoraSpend> Read(TaskJournal journal, SpendGrouping by, Func<string, bool>? profiles = null,
            DateTimeOffset? since = null, DateTimeOffset? until = null, BudgetClock? clock = null)
        {
            clock = clock ?? BudgetClock.System;
            var ledger = new SpendLedger(journal, since);
            ledger.Refresh();
            // Per group, one bucket per unit (amounts in different units are never added) and one for unpriced tasks.
            var groups = new Dictionary<string, Dictionary<string, SoraSpend>>(StringComparer.Ordinal);
            foreach (var r in ledger.Records)
            {
                if (r.Refused) continue;
                if (since.HasValue && r.SubmittedAt < since.Value) continue;
                if (until.HasValue && r.SubmittedAt >= until.Value) continue;
                if (profiles != null && !profiles(r.Profile ?? "")) continue;
                var name = NameOf(r, by, clock);
                var cost = r.Cost;
                var currency = cost.HasValue ? r.Currency ?? "" : r.ActualCost.HasValue ? Pricing.ListCurrency : "";
                if (!groups.TryGetValue(name, out var buckets)) groups[name] = buckets = new Dictionary<string, SoraSpend>(StringComparer.Ordinal);
                if (!buckets.TryGetValue(currency, out var g)) buckets[currency] = g = new SoraSpend { By = by, Name = name, Currency = currency };
                g.Count++;
                g.Seconds += r.Seconds;
                if (cost.HasValue) g.EstimatedCost += cost.Value;
                else g.Unpriced++;
                if (r.ActualCost.HasValue)
                {
                    g.ActualCost += r.ActualCost.Value;
                    g.Reported++;
                }
            }
            var result = new List<SoraSpend>();
            foreach (var buckets in groups.Values)
            {
                var priced = buckets.Where(b => b.Key.Length > 0).Select(b => b.Value).ToList();
                buckets.TryGetValue("", out var unpriced);
                if (priced.Count == 1 && unpriced != null)
                {
                    // One unit: the group's unpriced tasks are counted in the same row.
                    priced[0].Count += unpriced.Count;
                    priced[0].Seconds += unpriced.Seconds;
                    priced[0].Unpriced += unpriced.Unpriced;
                    priced[0].ActualCost += unpriced.ActualCost;
                    priced[0].Reported += unpriced.Reported;
                    unpriced = null;
                }
                result.AddRange(priced);
                if (unpriced != null) result.Add(unpriced);
            }
            return result.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Currency, StringComparer.Ordinal).ToList();
        }

        internal static string NameOf(SpendRecord r, SpendGrouping by, BudgetClock clock)
        {
            switch (by)
            {
                case SpendGrouping.Day: return clock.LocalDate(r.SubmittedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                case SpendGrouping.Month: return clock.LocalDate(r.SubmittedAt).ToString("yyyy-MM", CultureInfo.InvariantCulture);
                case SpendGrouping.Model: return r.Model ?? "";
                case SpendGrouping.Profile: return r.Profile ?? "";
                default: return r.Status.ToString();
            }
        }
    }
}
