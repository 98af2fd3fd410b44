using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    public class AdaptiveLimiterTests
    {
        [Fact]
        public void Halves_on_push_back_once_per_period_and_grows_back_by_one_per_round()
        {
            var now = DateTimeOffset.UtcNow;
            var l = new AdaptiveLimiter(16, () => now);
            Assert.Equal(16, l.Limit);
            l.OnThrottled(null);
            Assert.Equal(8, l.Limit);
            // The rest of the same burst does not halve it again.
            l.OnThrottled(null);
            l.OnThrottled(null);
            Assert.Equal(8, l.Limit);
            now += TimeSpan.FromSeconds(1.5);
            l.OnThrottled(null);
            Assert.Equal(4, l.Limit);
            // Additive increase: a full round of successes (as many as the limit) adds one.
            for (var i = 0; i < 3; i++) l.OnSuccess();
            Assert.Equal(4, l.Limit);
            l.OnSuccess();
            Assert.Equal(5, l.Limit);
            for (var i = 0; i < 200; i++) l.OnSuccess();
            Assert.Equal(16, l.Limit);
        }

        [Fact]
        public async Task Never_goes_below_one_and_a_retry_hint_holds_new_requests()
        {
            var l = new AdaptiveLimiter(2);
            for (var i = 0; i < 5; i++) { l.OnThrottled(null); l.DecreasePeriod = TimeSpan.Zero; }
            Assert.Equal(1, l.Limit);
            l.OnThrottled(TimeSpan.FromMilliseconds(300));
            var w = System.Diagnostics.Stopwatch.StartNew();
            await l.WaitAsync(CancellationToken.None);
            Assert.True(w.ElapsedMilliseconds >= 250, $"waited {w.ElapsedMilliseconds} ms");
            l.Release();
        }

        [Fact]
        public async Task Holds_the_limit_on_requests_in_flight_and_a_cancelled_waiter_takes_no_slot()
        {
            var l = new AdaptiveLimiter(2);
            await l.WaitAsync(CancellationToken.None);
            await l.WaitAsync(CancellationToken.None);
            var third = l.WaitAsync(CancellationToken.None);
            using (var cts = new CancellationTokenSource())
            {
                var cancelled = l.WaitAsync(cts.Token);
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            }
            Assert.False(third.IsCompleted);
            l.Release();
            await third;
            Assert.Equal(2, l.InFlight);
            l.Release();
            l.Release();
            Assert.Equal(0, l.InFlight);
        }
    }

    public class AdaptiveSubmissionTests : IAsyncLifetime
    {
        private SoraEmulator _emu;

        public async Task InitializeAsync() =>
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(30), SubmitLatency = TimeSpan.FromMilliseconds(30) });

        public async Task DisposeAsync() => await _emu.DisposeAsync();

        private SoraClient Client() =>
            new SoraClient(new SoraProfile { Name = "adaptive", Dialect = "OpenAI", BaseUri = _emu.DialectBase("OpenAI") }, null,
                new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100), MaxAttempts = 8 },
                _ => new ApiCredential("emulator-key", "test"));

        private static Task Submit(SoraClient c, int n, string tag) =>
            Task.WhenAll(Enumerable.Range(0, n).Select(i => c.SubmitAsync(c.Validate(new VideoRequest { Prompt = tag + " " + i }), CancellationToken.None)));

        [Fact]
        public async Task A_burst_of_429s_lowers_the_requests_in_flight_and_the_limit_recovers()
        {
            var c = Client();
            Assert.Equal(AdaptiveLimiter.DefaultCeiling, c.SubmitLimiter.Ceiling);
            await Submit(c, 32, "warm");
            Assert.Equal(AdaptiveLimiter.DefaultCeiling, c.SubmitLimiter.TakePeak());

            var fault = _emu.State.AddFault(new Fault { Method = "POST", Path = "/v1/videos", Kind = FaultKind.Status, Status = 429, Times = 12, Headers = { ["retry-after-ms"] = "50" } });
            await Submit(c, 32, "burst");
            Assert.Equal(12, fault.Hits);
            var lowered = c.SubmitLimiter.Limit;
            // Halved at the burst (to 8), then growing back by one per round of successes during the rest of the batch.
            Assert.True(lowered <= AdaptiveLimiter.DefaultCeiling - 4, $"limit after the burst: {lowered}");
            c.SubmitLimiter.TakePeak();
            await Submit(c, 32, "after");
            var peak = c.SubmitLimiter.TakePeak();
            Assert.True(peak < AdaptiveLimiter.DefaultCeiling, $"{peak} in flight after the burst");

            // Successes grow it back to the ceiling, one per round.
            for (var round = 0; round < 12 && c.SubmitLimiter.Limit < AdaptiveLimiter.DefaultCeiling; round++) await Submit(c, 32, "recover " + round);
            Assert.Equal(AdaptiveLimiter.DefaultCeiling, c.SubmitLimiter.Limit);
            Assert.Equal(0, c.SubmitLimiter.InFlight);
        }

        [Fact]
        public void MaxConcurrency_is_the_ceiling()
        {
            var c = new SoraClient(new SoraProfile { Name = "x", Dialect = "OpenAI", BaseUri = _emu.DialectBase("OpenAI"), MaxConcurrency = 3 }, null, null, _ => new ApiCredential("emulator-key", "test"));
            Assert.Equal(3, c.SubmitLimiter.Ceiling);
            Assert.Equal(3, c.SubmitLimiter.Limit);
        }
    }

    public class PollPlanTests
    {
        /// <summary>A task of <paramref name="seconds"/> whose progress grows linearly, polled as the schedule says.</summary>
        private static (int Polls, double Delay) Simulate(double seconds, TimeSpan? hint, WaitOptions options = null)
        {
            var s = new PollSchedule(options ?? new WaitOptions());
            var start = DateTimeOffset.UtcNow;
            var t = new SoraTask("t", "p", "OpenAI") { Status = SoraTaskStatus.Queued, CreatedAt = start, PollAfter = hint };
            var now = start;
            var polls = 0;
            while (true)
            {
                now += s.Next(t, now);
                polls++;
                var f = (now - start).TotalSeconds / seconds;
                if (f >= 1) return (polls, (now - start).TotalSeconds - seconds);
                t.Status = f < 0.15 ? SoraTaskStatus.Queued : SoraTaskStatus.Running;
                t.Progress = f < 0.15 ? 0 : (int)(f * 100);
            }
        }

        [Theory]
        [InlineData(2.0)] [InlineData(10.0)] [InlineData(17.3)] [InlineData(40.0)]
        public void The_hint_is_the_interval_and_the_finish_is_seen_within_it(double seconds)
        {
            var (polls, delay) = Simulate(seconds, TimeSpan.FromMilliseconds(500));
            Assert.True(delay <= 0.5 + 0.15, $"seen {delay:0.000} s late");
            // Far fewer polls than one per hint: those of the queued phase (at the hint), then a few.
            Assert.True(polls <= 0.15 * seconds / 0.5 + 6, $"{polls} polls");
        }

        [Theory]
        [InlineData(10.0)] [InlineData(25.0)]
        public void Without_a_hint_the_finish_is_seen_within_the_minimum_interval(double seconds)
        {
            var (polls, delay) = Simulate(seconds, null);
            Assert.True(delay <= 1.0, $"seen {delay:0.000} s late");
            Assert.True(polls <= 12, $"{polls} polls");
        }

        [Fact]
        public void A_hinted_task_with_nothing_known_is_polled_at_the_hint_and_ramps_only_while_queued()
        {
            var s = new PollSchedule(new WaitOptions());
            var t = new SoraTask("t", "p", "OpenAI") { Status = SoraTaskStatus.Running, PollAfter = TimeSpan.FromMilliseconds(500) };
            for (var i = 0; i < 3; i++) Assert.Equal(0.5, s.Next(t, DateTimeOffset.UtcNow).TotalSeconds, 3);
            var q = new PollSchedule(new WaitOptions());
            t.Status = SoraTaskStatus.Queued;
            var d = Enumerable.Range(0, 8).Select(_ => q.Next(t, DateTimeOffset.UtcNow).TotalSeconds).ToList();
            Assert.Equal(0.5, d[0], 3);
            Assert.Equal(0.75, d[1], 3);
            Assert.Equal(2.0, d[7], 3);
        }

        [Fact]
        public void A_coarse_rate_is_trusted_less()
        {
            // 1 % in 0.5 s (a 50 s task): the estimate may be twice too long, so the next poll comes well before it.
            var s = new PollSchedule(new WaitOptions { MaxInterval = TimeSpan.FromSeconds(60) });
            var now = DateTimeOffset.UtcNow;
            var t = new SoraTask("t", "p", "OpenAI") { Status = SoraTaskStatus.Running, Progress = 20, PollAfter = TimeSpan.FromMilliseconds(500) };
            s.Next(t, now);
            t.Progress = 21;
            Assert.InRange(s.Next(t, now.AddSeconds(0.5)).TotalSeconds, 39.5 * 0.45 - 0.01, 39.5 * 0.45 + 0.01);
        }

        [Fact]
        public void After_an_early_aimed_poll_the_interval_follows()
        {
            var s = new PollSchedule(new WaitOptions());
            var now = DateTimeOffset.UtcNow;
            var t = new SoraTask("t", "p", "OpenAI") { Status = SoraTaskStatus.Running, Progress = 10, PollAfter = TimeSpan.FromMilliseconds(500) };
            s.Next(t, now);
            t.Progress = 95;
            var aimed = s.Next(t, now.AddSeconds(8.5)); // 85 % in 8.5 s: 0.5 s left
            Assert.Equal(0.54, aimed.TotalSeconds, 2);
            t.Progress = 99;
            Assert.Equal(0.5, s.Next(t, now.AddSeconds(9.05)).TotalSeconds, 3);
        }
    }
}
