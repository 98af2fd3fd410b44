using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Budget
{
    /// <summary>
    /// A profile's daily and monthly budgets. A submission is estimated from the catalog; the check of the
    /// day's and month's spend (from the journal) and the journal line that reserves the estimate are one
    /// step under the journal's cross-process lock, so submissions running at once, in this process or
    /// another sharing the config folder, never pass a limit together.
    /// </summary>
    public static class BudgetGuard
    {
        public static bool HasBudget([NotNullWhen(true)] SoraProfile? profile) => profile != null && (profile.DailyBudget.HasValue || profile.MonthlyBudget.HasValue);

        /// <summary>Refuses a negative budget.</summary>
        public static void ValidateProfile(SoraProfile profile)
        {
            if (profile.DailyBudget < 0)
                throw new SoraValidationException("InvalidBudget", "DailyBudget", $"DailyBudget {profile.DailyBudget} is negative; give 0 or more, or $null for no daily limit.");
            if (profile.MonthlyBudget < 0)
                throw new SoraValidationException("InvalidBudget", "MonthlyBudget", $"MonthlyBudget {profile.MonthlyBudget} is negative; give 0 or more, or $null for no monthly limit.");
        }

        /// <summary>
        /// Journals a submission before its request leaves, with its estimate. On a profile with a budget, the
        /// check and the line are one step under the journal lock; a submission that would pass a limit is
        /// refused (BudgetExceeded) and nothing is written or sent. Returns the local submission id.
        /// </summary>
        public static string? BeginSubmission(TaskJournal? journal, SoraProfile profile, SoraDialect dialect, ValidatedRequest request, BudgetClock? clock = null) =>
            BeginSubmission(journal, profile, dialect, request, clock, null);

        /// <summary>
        /// As above, with a batch row's key and file: a checked key is looked up in the same step under the journal lock
        /// (already journaled: nothing is written, <see cref="Batch.SubmissionOnce.Existing"/> is set and null returned).
        /// A checked key needs a journal it can read and write (OnceUnverifiable otherwise).
        /// </summary>
        public static string? BeginSubmission(TaskJournal? journal, SoraProfile profile, SoraDialect dialect, ValidatedRequest request, BudgetClock? clock, Batch.SubmissionOnce? once)
        {
            clock = clock ?? BudgetClock.System;
            var quote = Pricing.For(dialect, request);
            var reservation = new SpendReservation { Cost = quote?.Amount, Currency = quote?.Currency, At = clock.Now() };
            if (once != null && once.Check && !HasBudget(profile))
            {
                if (journal == null)
                    throw new SoraConfigurationException("OnceUnverifiable", $"-Once needs the task journal to look row keys up in, and profile '{profile.Name}' has none; nothing was sent.") { Target = request.Prompt };
                try
                {
                    return journal.BeginSubmission(profile.Name, dialect.Name, request, reservation, once);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new SoraConfigurationException("OnceUnverifiable",
                        $"-Once looks row keys up in the task journal in '{journal.Directory}', which could not be read or written ({e.Message}); nothing was sent.", e) { Target = request.Prompt };
                }
            }
            if (!HasBudget(profile))
            {
                try
                {
                    return journal?.BeginSubmission(profile.Name, dialect.Name, request, reservation, once);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // A paid call is never sent without a durable record: its task id would be lost with the process.
                    throw new SoraConfigurationException("JournalUnwritable",
                        $"The task journal in '{journal!.Directory}' could not be written ({e.Message}), so the submission could not be recorded before it left; nothing was sent. " +
                        "Make the config folder writable (or point SORAPS_CONFIG_HOME at one that is) and try again.", e) { Target = journal.Directory };
                }
            }
            if (quote == null && request.LengthFromSource && !request.Duration.HasValue) throw CostUnknown(profile, request);
            if (quote == null && !profile.AllowUnpricedModels) throw Unpriced(profile, dialect, request);
            if (journal == null)
                throw new SoraConfigurationException("BudgetUnverifiable", $"Profile '{profile.Name}' has a budget, but no task journal to count its spend in; nothing was sent.") { Target = profile.Name };
            reservation.Check = at => Check(journal, profile, request, quote, at, clock);
            try
            {
                return journal.BeginSubmission(profile.Name, dialect.Name, request, reservation, once);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new SoraConfigurationException("BudgetUnverifiable",
                    $"Profile '{profile.Name}' has a budget, and the task journal in '{journal.Directory}' could not be read or written ({e.Message}), so its spend cannot be counted; nothing was sent.", e) { Target = profile.Name };
            }
        }

        private static void Check(TaskJournal journal, SoraProfile profile, ValidatedRequest request, PriceQuote? quote, DateTimeOffset at, BudgetClock clock)
        {
            var estimate = quote?.Amount ?? 0m;
            var (day, month) = SpentBy(journal, profile, at, clock);
            var currency = quote?.Currency ?? Pricing.ListCurrency;
            string Over(string which, decimal limit, decimal spent, string period) =>
                $"Profile '{profile.Name}' would pass its {which} budget of {Pricing.Format(limit)} {currency}: {Pricing.Format(spent)} {currency} is already spent {period} " +
                $"(estimated from the task journal), and this submission ({request.Describe()}) is estimated at {(quote == null ? "0 (unpriced)" : quote.ToString())}. Nothing was sent. " +
                $"Raise or remove the limit with Set-SoraProfile -{(which == "daily" ? "DailyBudget" : "MonthlyBudget")}, or wait for the next {(which == "daily" ? "day" : "month")} (local calendar).";
            if (profile.DailyBudget.HasValue && day + estimate > profile.DailyBudget.Value)
                throw new SoraException("BudgetExceeded", SoraErrorKind.Quota, Over("daily", profile.DailyBudget.Value, day, "today")) { Target = request.Prompt };
            if (profile.MonthlyBudget.HasValue && month + estimate > profile.MonthlyBudget.Value)
                throw new SoraException("BudgetExceeded", SoraErrorKind.Quota, Over("monthly", profile.MonthlyBudget.Value, month, "this month")) { Target = request.Prompt };
        }

        /// <summary>What the profile spent (estimated) today and this month, as of <paramref name="at"/>.</summary>
        public static (decimal Day, decimal Month) SpentBy(TaskJournal journal, SoraProfile profile, DateTimeOffset at, BudgetClock? clock = null)
        {
            clock = clock ?? BudgetClock.System;
            return SpendLedger.WithCurrent(journal, SpendLedger.MonthStart(at, clock), l => l.SpentBy(profile.Name, at, clock));
        }

        /// <summary>For -WhatIf: the estimate and the budget left today and this month; null on a profile without a budget.</summary>
        public static string? Describe(TaskJournal? journal, SoraProfile? profile, SoraDialect dialect, ValidatedRequest request, BudgetClock? clock = null)
        {
            if (!HasBudget(profile) || journal == null) return null;
            clock = clock ?? BudgetClock.System;
            var quote = Pricing.For(dialect, request);
            var (day, month) = SpentBy(journal, profile, clock.Now(), clock);
            var currency = quote?.Currency ?? Pricing.ListCurrency;
            var parts = new List<string>();
            if (profile.DailyBudget.HasValue)
                parts.Add($"{Pricing.Format(profile.DailyBudget.Value - day)} of {Pricing.Format(profile.DailyBudget.Value)} {currency} left today");
            if (profile.MonthlyBudget.HasValue)
                parts.Add($"{Pricing.Format(profile.MonthlyBudget.Value - month)} of {Pricing.Format(profile.MonthlyBudget.Value)} {currency} left this month");
            var estimate = quote == null
                ? (profile.AllowUnpricedModels ? "estimate: none (unpriced model, allowed on this profile)" : "estimate: none, so it would be refused (UnpricedModel)")
                : "estimate: " + quote;
            return estimate + "; budget: " + string.Join(", ", parts);
        }

        /// <summary>Made at its source's length, which could not be learned: its cost cannot be counted, so a budget refuses it.</summary>
        private static SoraException CostUnknown(SoraProfile profile, ValidatedRequest request) =>
            new SoraConfigurationException("CostUnknown",
                $"Profile '{profile.Name}' has a budget, and this {(request.Operation ?? "request")} is made at the length of the source video {request.SourceId}, " +
                $"which is not known ({request.SourceLengthProblem ?? "it was not looked up"}), so its cost cannot be counted; nothing was sent. " +
                "Pass the source as a task object (Get-SoraTask -Id ... ) so its length is known, or check that the provider still has it.")
            { Target = request.Prompt };

        private static SoraException Unpriced(SoraProfile profile, SoraDialect dialect, ValidatedRequest request) =>
            new SoraConfigurationException("UnpricedModel",
                $"Profile '{profile.Name}' has a budget, and the catalog has no price for {dialect.Name} model '{request.Model}'" +
                $"{(string.IsNullOrEmpty(request.Resolution) ? "" : " at " + request.Resolution)}, so this submission cannot be counted against it; nothing was sent. " +
                $"Give the model a price in the catalog, or allow unpriced models on the profile (Set-SoraProfile -Name {profile.Name} -AllowUnpricedModels), which counts them as 0.")
            { Target = request.Prompt };
    }
}
