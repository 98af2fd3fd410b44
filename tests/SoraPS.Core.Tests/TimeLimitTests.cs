using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>A command's time limit bounds every wait under it: a retry's back-off and a single request's time limit.</summary>
    public sealed class TimeLimitTests
    {
        private static HttpExchange Exchange(RequestKind kind, string url, TimeSpan timeout, DateTimeOffset? deadline) =>
            new HttpExchange(() => new HttpRequestMessage(kind == RequestKind.Submit ? HttpMethod.Post : HttpMethod.Get, url), kind, timeout, CancellationToken.None) { Deadline = deadline };

        [Theory]
        [InlineData(RequestKind.Read)]
        [InlineData(RequestKind.Submit)]
        public async Task A_retry_after_past_the_time_limit_is_not_waited_for(RequestKind kind)
        {
            var transport = new StubTransport((r, n) => StubTransport.Answer(429, "{}", ("Retry-After", "20")));
            var x = Exchange(kind, "https://api.example.com/v1/videos", TimeSpan.FromSeconds(10), DateTimeOffset.UtcNow.AddSeconds(1));
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => new HttpPipeline(new RetryStage(RetryPolicy.Default), transport).SendAsync(x));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
            Assert.Equal(TimeLimit.ErrorId, e.ErrorId);
            Assert.Equal(SoraErrorKind.Timeout, e.Kind);
            Assert.Contains("429", e.Message);
            Assert.Single(transport.Requests);
        }

        [Fact]
        public async Task A_back_off_within_the_time_limit_is_still_waited_for()
        {
            var transport = new StubTransport((r, n) => n == 1 ? StubTransport.Answer(429, "{}", ("Retry-After-Ms", "50")) : StubTransport.Answer(200));
            var x = Exchange(RequestKind.Submit, "https://api.example.com/v1/videos", TimeSpan.FromSeconds(10), DateTimeOffset.UtcNow.AddSeconds(10));
            await new HttpPipeline(new RetryStage(RetryPolicy.Default), transport).SendAsync(x);
            Assert.Equal(200, (int)x.Response!.StatusCode);
            Assert.Equal(2, transport.Requests.Count);
        }

        [Theory]
        [InlineData(RequestKind.Read, "WaitTimeout")]
        [InlineData(RequestKind.Submit, "SubmissionOutcomeUnknown")]
        public async Task A_request_that_gets_no_answer_ends_at_the_time_limit_not_its_own(RequestKind kind, string errorId)
        {
            using (var server = new RawServer((s, stop) => Task.Delay(Timeout.Infinite, stop)))
            using (var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
            {
                var x = Exchange(kind, server.Uri + "videos", TimeSpan.FromSeconds(60), DateTimeOffset.UtcNow.AddMilliseconds(500));
                x.NewAttempt(1);
                var watch = Stopwatch.StartNew();
                var e = await Assert.ThrowsAsync<SoraNetworkException>(() => new TransportStage(client).SendAsync(x, () => throw new InvalidOperationException("the transport is last")));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
                Assert.Equal(errorId, e.ErrorId);
                Assert.Contains("before the time limit passed", e.Message);
                // A submission cut while out may have been accepted: it says so (and is journaled Unknown by the client).
                Assert.Equal(kind == RequestKind.Submit, e.Message.Contains(SubmissionOutcome.NotSentAgain));
            }
        }

        [Fact]
        public void The_time_left_bounds_a_request_only_when_it_is_shorter()
        {
            Assert.Equal(TimeSpan.FromSeconds(5), TimeLimit.Bound(TimeSpan.FromSeconds(5), null, out var by));
            Assert.False(by);
            Assert.Equal(TimeSpan.FromSeconds(5), TimeLimit.Bound(TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow.AddHours(1), out by));
            Assert.False(by);
            Assert.True(TimeLimit.Bound(TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow.AddSeconds(1), out by) <= TimeSpan.FromSeconds(1));
            Assert.True(by);
            Assert.Equal(TimeSpan.Zero, TimeLimit.Bound(TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow.AddSeconds(-1), out by));
            Assert.Null(TimeLimit.After(DateTimeOffset.UtcNow, 0));
        }
    }
}
