using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Budget;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Budgets hold under concurrency, count what the journal says, and the spend ledger matches the journal.</summary>
    public sealed class BudgetTests : IAsyncLifetime
    {
        // OpenAI sora-2 at 720p lists 0.10 USD a second; its default is 4 s: 0.40 USD a submission.
        private const decimal Price = 0.40m;
        private SoraEmulator _emu;
        private TempDir _dir;
        private TaskJournal _journal;

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(300) });
            _dir = new TempDir();
            _journal = new TaskJournal(Path.Combine(_dir.Path, "journal"));
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            _dir.Dispose();
        }

        private SoraClient Client(string dialect = "OpenAI", decimal? daily = null, decimal? monthly = null, string name = null, BudgetClock clock = null,
            bool allowUnpriced = false, int concurrency = 8)
        {
            var profile = Testing.Profile(_emu, dialect, name);
            profile.DailyBudget = daily;
            profile.MonthlyBudget = monthly;
            profile.AllowUnpricedModels = allowUnpriced;
            profile.MaxConcurrency = concurrency;
            var c = Testing.Client(_emu, dialect, profile: profile);
            c.Journal = _journal;
            c.BudgetClock = clock;
            return c;
        }

        private static async Task<(List<SoraTask> Accepted, List<SoraException> Refused)> SubmitMany(SoraClient client, int count, string prefix)
        {
            var runs = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
            {
                try { return ((SoraTask)await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = $"{prefix} {i}" }), Testing.Timeout(60)), (SoraException)null); }
                catch (SoraException e) { return (null, e); }
            })).ToList();
            var results = await Task.WhenAll(runs);
            return (results.Where(r => r.Item1 != null).Select(r => r.Item1).ToList(), results.Where(r => r.Item2 != null).Select(r => r.Item2).ToList());
        }

        private decimal Spent(string profile, DateTimeOffset? at = null, BudgetClock clock = null) =>
            new SpendLedgerProbe(_journal).Month(profile, at ?? DateTimeOffset.UtcNow, clock ?? BudgetClock.System);

        [Fact]
        public async Task Fifty_concurrent_prompts_never_pass_the_limit_and_refused_ones_send_nothing()
        {
            const int n = 7;
            var client = Client(daily: n * Price, concurrency: 50);
            var (accepted, refused) = await SubmitMany(client, 50, "concurrent budget");
            Assert.Equal(n, accepted.Count);
            Assert.Equal(50 - n, refused.Count);
            Assert.All(refused, e => Assert.Equal("BudgetExceeded", e.ErrorId));
            Assert.Equal(n, _emu.State.Count("POST", "/videos"));
            Assert.Equal(n * Price, Spent(client.Profile.Name));
            // The journal holds exactly the accepted tasks, each with its reserved estimate.
            var entries = _journal.Read();
            Assert.Equal(n, entries.Count);
            Assert.All(entries, e => Assert.Equal(Price, e.EstimatedCost));
            Assert.All(entries, e => Assert.Equal("USD", e.Currency));
            Assert.Equal(accepted.Select(t => t.Id).OrderBy(x => x), entries.Select(e => e.Id).OrderBy(x => x));
        }

        [Fact]
        public async Task Two_clients_sharing_the_journal_folder_never_pass_the_limit_together()
        {
            const int n = 9;
            // Two profiles' worth of state as two processes would have it: separate clients and journal objects, one folder.
            var a = Client(monthly: n * Price, name: "shared");
            var b = Client(monthly: n * Price, name: "shared");
            b.Journal = new TaskJournal(_journal.Directory);
            var runs = await Task.WhenAll(SubmitMany(a, 25, "from a"), SubmitMany(b, 25, "from b"));
            Assert.Equal(n, runs.Sum(r => r.Accepted.Count));
            Assert.Equal(50 - n, runs.Sum(r => r.Refused.Count));
            Assert.Equal(n, _emu.State.Count("POST", "/videos"));
            Assert.Equal(n * Price, Spent("shared"));
        }

        [Fact]
        public async Task The_error_names_the_limit_the_spend_and_the_estimate()
        {
            var client = Client(daily: 1.00m);
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "first" }), Testing.Timeout());
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "second" }), Testing.Timeout());
            var e = await Assert.ThrowsAsync<SoraException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "third" }), Testing.Timeout()));
            Assert.Equal("BudgetExceeded", e.ErrorId);
            Assert.Equal(SoraErrorKind.Quota, e.Kind);
            Assert.Contains("daily budget of 1.00 USD", e.Message);
            Assert.Contains("0.80 USD is already spent today", e.Message);
            Assert.Contains("0.40 USD (4 s x 0.10 USD/s)", e.Message);
            Assert.Equal(2, _emu.State.Count("POST", "/videos"));
            // A bigger submission is priced as such: 12 s of sora-2-pro at 1024p is 6.00 USD.
            var pro = Client(monthly: 5.99m, name: "pro");
            var big = await Assert.ThrowsAsync<SoraException>(() => pro.SubmitAsync(pro.Validate(new VideoRequest { Prompt = "big", Model = "sora-2-pro", Duration = 12, Resolution = "1024p" }), Testing.Timeout()));
            Assert.Contains("monthly budget of 5.99 USD", big.Message);
            Assert.Contains("6.00 USD (12 s x 0.50 USD/s)", big.Message);
            Assert.Equal(2, _emu.State.Count("POST", "/videos"));
        }

        [Fact]
        public async Task Days_and_months_are_the_local_calendar_of_the_clock()
        {
            // A zone five hours ahead of UTC: local midnight is 19:00 UTC the day before.
            var zone = TimeZoneInfo.CreateCustomTimeZone("test+5", TimeSpan.FromHours(5), "test+5", "test+5");
            var now = new DateTimeOffset(2026, 3, 31, 23, 50, 0, TimeSpan.FromHours(5));
            var clock = new BudgetClock { Now = () => now, Zone = zone };
            var client = Client(daily: 2 * Price, monthly: 3 * Price, clock: clock);
            async Task<bool> Submit(string prompt)
            {
                try { await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = prompt }), Testing.Timeout()); return true; }
                catch (SoraException e) when (e.ErrorId == "BudgetExceeded") { return false; }
            }
            now = new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.FromHours(5));
            Assert.True(await Submit("march 30"));
            now = new DateTimeOffset(2026, 3, 31, 0, 5, 0, TimeSpan.FromHours(5));   // 19:05 UTC on March 30: already the 31st here
            Assert.True(await Submit("march 31 a"));
            Assert.True(await Submit("march 31 b"));
            Assert.False(await Submit("march 31 c"));   // the day's limit (2 x price); also the month's (3 x price)
            now = new DateTimeOffset(2026, 3, 31, 23, 59, 0, TimeSpan.FromHours(5));
            Assert.False(await Submit("march 31 late"));
            now = new DateTimeOffset(2026, 4, 1, 0, 1, 0, TimeSpan.FromHours(5));    // 19:01 UTC on March 31: a new local day and month
            Assert.True(await Submit("april 1 a"));
            Assert.True(await Submit("april 1 b"));
            Assert.False(await Submit("april 1 c"));
            now = new DateTimeOffset(2026, 4, 2, 9, 0, 0, TimeSpan.FromHours(5));
            Assert.True(await Submit("april 2"));       // the month has one more
            Assert.False(await Submit("april 2 b"));    // the month is full
            Assert.Equal(6, _emu.State.Count("POST", "/videos"));
            var byDay = SpendReport.Read(_journal, SpendGrouping.Day, clock: clock);
            Assert.Equal(new[] { "2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02" }, byDay.Select(g => g.Name));
            Assert.Equal(new[] { 1, 2, 2, 1 }, byDay.Select(g => g.Count));
            var byMonth = SpendReport.Read(_journal, SpendGrouping.Month, clock: clock);
            Assert.Equal(new[] { 3 * Price, 3 * Price }, byMonth.Select(g => g.EstimatedCost));
        }

        [Fact]
        public async Task Unknown_and_failed_tasks_count_and_a_refused_submission_releases_its_reservation()
        {
            var client = Client(daily: 3 * Price);
            // Unknown: a gateway answered 504; the upstream may have accepted it.
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Status, Status = 504, Times = 1 });
            var unknown = await Assert.ThrowsAsync<SoraNetworkException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "unknown one" }), Testing.Timeout()));
            Assert.Equal("SubmissionOutcomeUnknown", unknown.ErrorId);
            // Refused by the provider (400 moderation at submission): not a task, nothing spent.
            var refused = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "[refuse] this" }), Testing.Timeout()));
            Assert.NotEqual("BudgetExceeded", refused.ErrorId);
            // Failed after acceptance: counted.
            var failing = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "[fail:moderation] fails" }), Testing.Timeout());
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (failing.Status != SoraTaskStatus.Failed)
            {
                Assert.True(DateTime.UtcNow < deadline, "the task never failed");
                await Task.Delay(100);
                await client.RefreshAsync(failing, Testing.Timeout());
            }
            Assert.Equal(2 * Price, Spent(client.Profile.Name));
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "the third fits" }), Testing.Timeout());
            var over = await Assert.ThrowsAsync<SoraException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "the fourth does not" }), Testing.Timeout()));
            Assert.Equal("BudgetExceeded", over.ErrorId);
            Assert.Contains("1.20 USD is already spent today", over.Message);
            var byStatus = SpendReport.Read(_journal, SpendGrouping.Status).ToDictionary(g => g.Name);
            Assert.Equal(Price, byStatus["Unknown"].EstimatedCost);
            Assert.Equal(Price, byStatus["Failed"].EstimatedCost);
            Assert.Equal(3, byStatus.Values.Sum(g => g.Count));
            Assert.Equal(4, _emu.State.Count("POST", "/videos"));
        }

        [Fact]
        public async Task An_unpriced_model_on_a_profile_with_a_budget_is_refused_unless_allowed()
        {
            var client = Client("UnifiedTask", daily: 100m);
            var e = await Assert.ThrowsAsync<SoraConfigurationException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "no price" }), Testing.Timeout()));
            Assert.Equal("UnpricedModel", e.ErrorId);
            Assert.Contains("Give the model a price in the catalog, or allow unpriced models on the profile", e.Message);
            Assert.Equal(0, _emu.State.Count("POST", "/"));
            Assert.Empty(_journal.Read());
            var allowed = Client("UnifiedTask", daily: 100m, allowUnpriced: true, name: "allowed");
            await allowed.SubmitAsync(allowed.Validate(new VideoRequest { Prompt = "no price, allowed" }), Testing.Timeout());
            // Without a budget nothing is refused for want of a price.
            var free = Client("UnifiedTask", name: "free");
            await free.SubmitAsync(free.Validate(new VideoRequest { Prompt = "no budget" }), Testing.Timeout());
            Assert.Equal(2, _emu.State.Count("POST", "/"));
            var spend = Assert.Single(SpendReport.Read(_journal, SpendGrouping.Model));
            Assert.Equal(2, spend.Count);
            Assert.Equal(2, spend.Unpriced);
            Assert.Equal(0m, spend.EstimatedCost);
        }

        [Fact]
        public void Budgets_are_stored_with_the_profile_and_null_removes_one()
        {
            var store = new ProfileStore(_dir.Path);
            store.Update(list => list.Add(new SoraProfile { Name = "p", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com"), DailyBudget = 5m, MonthlyBudget = 50.5m }));
            var p = store.Find("p");
            Assert.Equal(5m, p.DailyBudget);
            Assert.Equal(50.5m, p.MonthlyBudget);
            Assert.False(p.AllowUnpricedModels);
            store.Update(list => list[0].DailyBudget = null);
            p = store.Find("p");
            Assert.Null(p.DailyBudget);
            Assert.Equal(50.5m, p.MonthlyBudget);
            Assert.False(BudgetGuard.HasBudget(new SoraProfile { Name = "x" }));
            var e = Assert.Throws<SoraValidationException>(() => store.Update(list => list[0].MonthlyBudget = -1m));
            Assert.Equal("InvalidBudget", e.ErrorId);
        }

        [Fact]
        public async Task WhatIf_text_shows_the_estimate_and_the_budget_left()
        {
            var client = Client(daily: 2m, monthly: 10m);
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "one" }), Testing.Timeout());
            var text = BudgetGuard.Describe(_journal, client.Profile, client.Dialect, client.Validate(new VideoRequest { Prompt = "two" }));
            Assert.Equal("estimate: 0.40 USD (4 s x 0.10 USD/s); budget: 1.60 of 2.00 USD left today, 9.60 of 10.00 USD left this month", text);
            Assert.Null(BudgetGuard.Describe(_journal, Client(name: "nobudget").Profile, client.Dialect, client.Validate(new VideoRequest { Prompt = "x" })));
        }

        [Fact]
        public async Task Get_SoraSpend_totals_equal_a_hand_sum_over_the_journal_for_each_grouping()
        {
            var zone = TimeZoneInfo.CreateCustomTimeZone("test-3", TimeSpan.FromHours(-3), "test-3", "test-3");
            var now = new DateTimeOffset(2026, 1, 30, 22, 0, 0, TimeSpan.FromHours(-3));
            var clock = new BudgetClock { Now = () => now, Zone = zone };
            var a = Client(name: "alpha", clock: clock);
            var b = Client(name: "beta", clock: clock, daily: 100m);
            var u = Client("UnifiedTask", name: "gamma", clock: clock);
            var models = new[] { ("sora-2", 4, "720p"), ("sora-2-pro", 8, "720p"), ("sora-2-pro", 12, "1024p") };
            for (var i = 0; i < 18; i++)
            {
                now = now.AddHours(7);   // across days and into February
                var c = i % 3 == 0 ? a : i % 3 == 1 ? b : u;
                var (model, seconds, resolution) = models[i % models.Length];
                var request = c.Dialect.Name == "OpenAI"
                    ? new VideoRequest { Prompt = "mix " + i, Model = model, Duration = seconds, Resolution = resolution }
                    : new VideoRequest { Prompt = "mix " + i };
                if (i == 4) _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Status, Status = 502, Times = 1 });
                if (i == 7) request.Prompt = "[refuse] " + request.Prompt;
                try { await c.SubmitAsync(c.Validate(request), Testing.Timeout()); }
                catch (SoraException) { }
            }
            var entries = _journal.Read();   // the journal's own reader: refused submissions left out
            Assert.Equal(17, entries.Count);
            foreach (var by in Enum.GetValues<SpendGrouping>())
            {
                string KeyOf(JournalEntry e)
                {
                    var local = TimeZoneInfo.ConvertTime(e.SubmittedAt.Value, zone);
                    switch (by)
                    {
                        case SpendGrouping.Day: return local.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                        case SpendGrouping.Month: return local.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
                        case SpendGrouping.Model: return e.Model;
                        case SpendGrouping.Profile: return e.Profile;
                        default: return (e.Unresolved ? SoraTaskStatus.Unknown : e.Status ?? SoraTaskStatus.Unknown).ToString();
                    }
                }
                var hand = entries.GroupBy(KeyOf).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
                    .Select(g => (g.Key, g.Count(), (long)g.Sum(e => e.Duration ?? 0), g.Sum(e => e.EstimatedCost ?? 0m), g.Count(e => e.EstimatedCost == null))).ToList();
                var report = SpendReport.Read(_journal, by, clock: clock);
                Assert.Equal(hand, report.Select(g => (g.Name, g.Count, g.Seconds, g.EstimatedCost, g.Unpriced)).ToList());
                Assert.All(report.Where(g => g.EstimatedCost > 0), g => Assert.Equal("USD", g.Currency));
            }
            // Filters: profiles, and a window of submission times (since inclusive, until exclusive).
            var beta = SpendReport.Read(_journal, SpendGrouping.Profile, p => p == "beta", clock: clock);
            Assert.Equal("beta", Assert.Single(beta).Name);
            var since = entries.Min(e => e.SubmittedAt.Value).AddHours(7);
            var until = since.AddHours(21);
            var window = SpendReport.Read(_journal, SpendGrouping.Profile, since: since, until: until, clock: clock);
            Assert.Equal(entries.Count(e => e.SubmittedAt >= since && e.SubmittedAt < until), window.Sum(g => g.Count));
        }

        [Fact]
        public async Task Malformed_and_unfinished_lines_are_skipped_and_escaped_names_still_read()
        {
            var client = Client(daily: 3 * Price);
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "before the damage" }), Testing.Timeout());
            var file = Directory.GetFiles(_journal.Directory, "tasks-*.jsonl").Single();
            File.AppendAllText(file, "not json\n{\"id\":\"x\",\"status\":\"Nonsense\",\"submittedAt\":\"2026-01-01T00:00:00Z\"}\n[1,2]\n\n");
            // A line written by hand with escaped property names and values still counts.
            var at = DateTimeOffset.UtcNow.ToString("o");
            File.AppendAllText(file, "{\"\\u0069d\":\"sub-hand\",\"submissionId\":\"sub-hand\",\"profile\":\"openai\",\"dialect\":\"Open\\u0041I\",\"model\":\"sora-2\",\"duration\":4,\"status\":\"Unkn\\u006fwn\",\"submittedAt\":\"" + at + "\",\"estimatedCost\":0.40,\"currency\":\"USD\",\"event\":\"submitting\"}\n");
            Assert.Equal(2 * Price, Spent(client.Profile.Name));
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "the third fits" }), Testing.Timeout());
            // A line cut mid-write by a crash: not counted until it is ended, and the next line stands on its own.
            File.AppendAllText(file, "{\"id\":\"sub-cut\",\"profile\":\"openai\",\"estimatedCost\":9");
            Assert.Equal(3 * Price, Spent(client.Profile.Name));
            var e = await Assert.ThrowsAsync<SoraException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "over" }), Testing.Timeout()));
            Assert.Equal("BudgetExceeded", e.ErrorId);
            Assert.Equal(2, _emu.State.Count("POST", "/videos"));
        }

        /// <summary>Reads the month's spend the way the budget check does.</summary>
        private sealed class SpendLedgerProbe
        {
            private readonly TaskJournal _journal;
            public SpendLedgerProbe(TaskJournal journal) => _journal = journal;

            public decimal Month(string profile, DateTimeOffset at, BudgetClock clock)
            {
                var ledger = new SpendLedger(_journal, SpendLedger.MonthStart(at, clock));
                ledger.Refresh();
                return ledger.SpentBy(profile, at, clock).Month;
            }
        }
    }
}
