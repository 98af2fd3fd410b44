using System;
using System.Collections.Generic;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using Xunit;

namespace SoraPS.Core.Tests
{
    public sealed class HttpCoreTests
    {
        [Fact]
        public void Redaction_removes_registered_keys_and_token_shapes()
        {
            _ = new ApiCredential("my-very-secret-relay-key", "test");
            var text = Redactor.Redact("key my-very-secret-relay-key, header Authorization: Bearer abc.def-123 and sk-proj_ABCDEFGH12345 and api-key: zzzz9999");
            Assert.DoesNotContain("my-very-secret-relay-key", text);
            Assert.DoesNotContain("abc.def-123", text);
            Assert.DoesNotContain("sk-proj_ABCDEFGH12345", text);
            Assert.DoesNotContain("zzzz9999", text);
            Assert.Contains("Bearer ***", text);
            Assert.Equal("plain text stays", Redactor.Redact("plain text stays"));
        }

        [Fact]
        public void A_credential_never_prints_its_key()
        {
            var c = new ApiCredential("another-secret-key-42", "environment variable X");
            Assert.DoesNotContain("another-secret-key-42", c.ToString());
            Assert.Contains("environment variable X", c.ToString());
        }

        private static Func<string, string> H(Dictionary<string, string> d) => n => d.TryGetValue(n, out var v) ? v : null;

        [Fact]
        public void Retry_hints_are_read_in_order_ms_then_seconds_then_date()
        {
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryPolicy.ParseRetryHint(H(new Dictionary<string, string> { ["retry-after-ms"] = "1500", ["retry-after"] = "9" }), now));
            Assert.Equal(TimeSpan.FromSeconds(9), RetryPolicy.ParseRetryHint(H(new Dictionary<string, string> { ["retry-after"] = "9" }), now));
            Assert.Equal(TimeSpan.FromSeconds(30), RetryPolicy.ParseRetryHint(H(new Dictionary<string, string> { ["retry-after"] = "Thu, 01 Jan 2026 00:00:30 GMT" }), now));
            Assert.Null(RetryPolicy.ParseRetryHint(H(new Dictionary<string, string> { ["retry-after"] = "soon" }), now));
            Assert.True(RetryPolicy.ParseShouldRetry(H(new Dictionary<string, string> { ["x-should-retry"] = "true" })));
            Assert.False(RetryPolicy.ParseShouldRetry(H(new Dictionary<string, string> { ["x-should-retry"] = "false" })));
        }

        [Fact]
        public void Backoff_grows_exponentially_with_jitter_and_a_cap()
        {
            var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) };
            var rng = new Random(7);
            for (var attempt = 1; attempt <= 6; attempt++)
            {
                var full = Math.Min(Math.Pow(2, attempt - 1), 8);
                for (var i = 0; i < 50; i++)
                {
                    var d = policy.Backoff(attempt, rng).TotalSeconds;
                    Assert.InRange(d, full / 2, full);
                }
            }
        }

        [Theory]
        [InlineData(408, true)] [InlineData(429, true)] [InlineData(500, true)] [InlineData(502, true)] [InlineData(503, true)] [InlineData(504, true)]
        [InlineData(400, false)] [InlineData(401, false)] [InlineData(404, false)]
        public void Reads_retry_the_transient_statuses(int status, bool retry) => Assert.Equal(retry, RetryPolicy.IsRetryableStatus(status));

        [Theory]
        [InlineData(429, true)] [InlineData(503, false)] [InlineData(500, false)] [InlineData(502, false)] [InlineData(504, false)]
        public void Submissions_are_resent_only_when_certainly_not_accepted(int status, bool resend) => Assert.Equal(resend, RetryPolicy.IsSafeToResubmit(status));

        private static SoraTask Running(int progress) => new SoraTask("t", "p", "OpenAI") { Status = SoraTaskStatus.Running, Progress = progress };

        [Fact]
        public void Poll_schedule_ramps_up_when_nothing_is_known()
        {
            var s = new PollSchedule(new WaitOptions { MinInterval = TimeSpan.FromSeconds(1), MaxInterval = TimeSpan.FromSeconds(10) });
            var t = new SoraTask("t", "p", "OpenAI") { Status = SoraTaskStatus.Queued };
            var now = DateTimeOffset.UtcNow;
            var d = new List<double>();
            for (var i = 0; i < 8; i++) d.Add(s.Next(t, now).TotalSeconds);
            Assert.Equal(1, d[0], 3);
            Assert.Equal(1.5, d[1], 3);
            Assert.Equal(10, d[7], 3);
            for (var i = 1; i < d.Count; i++) Assert.True(d[i] >= d[i - 1]);
        }

        [Fact]
        public void Poll_schedule_follows_progress_and_server_hints()
        {
            var s = new PollSchedule(new WaitOptions { MinInterval = TimeSpan.FromSeconds(1), MaxInterval = TimeSpan.FromSeconds(30) });
            var now = DateTimeOffset.UtcNow;
            s.Next(Running(10), now);
            // 10% -> 30% in 20 s: 1%/s, 70 s left -> half of that, capped at 30 s.
            Assert.Equal(30, s.Next(Running(30), now.AddSeconds(20)).TotalSeconds, 3);
            // 10% -> 90% in 80 s: 10 s left, measured precisely -> poll in three quarters of that.
            Assert.Equal(7.5, s.Next(Running(90), now.AddSeconds(80)).TotalSeconds, 3);
            // The hint is the interval: with the finish (4.76 s away at 85 % in 81 s) within one interval, the
            // next poll is aimed just after it, and the interval follows if that was early.
            var hinted = Running(95);
            hinted.PollAfter = TimeSpan.FromSeconds(12);
            Assert.Equal(5 / (85 / 81.0) + 0.04, s.Next(hinted, now.AddSeconds(81)).TotalSeconds, 3);
            Assert.Equal(12, s.Next(hinted, now.AddSeconds(86)).TotalSeconds, 3);
        }

        [Fact]
        public void Poll_schedule_uses_the_provider_estimate()
        {
            var s = new PollSchedule(new WaitOptions { MinInterval = TimeSpan.FromSeconds(1), MaxInterval = TimeSpan.FromSeconds(60) });
            var now = DateTimeOffset.UtcNow;
            var t = new SoraTask("t", "p", "UnifiedTask") { Status = SoraTaskStatus.Queued, CreatedAt = now, EstimatedTotal = TimeSpan.FromSeconds(100) };
            Assert.Equal(50, s.Next(t, now).TotalSeconds, 3);
            Assert.Equal(5, s.Next(t, now.AddSeconds(90)).TotalSeconds, 3);
            // Within one interval of the estimated finish: aimed just after it.
            Assert.Equal(0.54, s.Next(t, now.AddSeconds(99.5)).TotalSeconds, 3);
        }

        [Fact]
        public void Fixed_interval_is_fixed_but_a_longer_server_hint_wins()
        {
            var s = new PollSchedule(new WaitOptions { FixedInterval = TimeSpan.FromSeconds(2) });
            var t = Running(50);
            Assert.Equal(2, s.Next(t, DateTimeOffset.UtcNow).TotalSeconds, 3);
            t.PollAfter = TimeSpan.FromSeconds(5);
            Assert.Equal(5, s.Next(t, DateTimeOffset.UtcNow).TotalSeconds, 3);
        }
    }
}
