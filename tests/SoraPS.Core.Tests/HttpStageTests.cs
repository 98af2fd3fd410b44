using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>A last stage that answers from a script instead of the network, and records what it was sent.</summary>
    internal sealed class StubTransport : HttpStage
    {
        private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _answer;

        public StubTransport(Func<HttpRequestMessage, int, HttpResponseMessage> answer)
        {
            _answer = answer;
        }

        public List<HttpRequestMessage> Requests { get; } = new List<HttpRequestMessage>();
        public List<string> Uris { get; } = new List<string>();
        public List<string> Keys { get; } = new List<string>();

        public override Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            var request = exchange.Request;
            Requests.Add(request);
            Uris.Add(request.RequestUri.AbsoluteUri);
            Keys.Add(request.Headers.TryGetValues("Authorization", out var a) ? string.Join(",", a)
                : request.Headers.TryGetValues("api-key", out var k) ? "api-key " + string.Join(",", k) : null);
            var response = _answer(request, Requests.Count);
            response.RequestMessage = request;
            exchange.Response = response;
            return Task.CompletedTask;
        }

        public static HttpResponseMessage Answer(int status, string body = "{}", params (string Name, string Value)[] headers)
        {
            var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in headers) r.Headers.TryAddWithoutValidation(name, value);
            return r;
        }
    }

    /// <summary>A raw HTTP server on 127.0.0.1: after reading a request's head it runs a script on the connection.</summary>
    internal sealed class RawServer : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Func<NetworkStream, CancellationToken, Task> _script;

        public RawServer(Func<NetworkStream, CancellationToken, Task> script)
        {
            _script = script;
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/");
            _ = AcceptAsync();
        }

        public Uri Uri { get; }
        public int Requests => Volatile.Read(ref _requests);
        private int _requests;

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        try
                        {
                            await ReadHeadAsync(stream, _stop.Token);
                            Interlocked.Increment(ref _requests);
                            await _script(stream, _stop.Token);
                        }
                        catch (Exception) { }
                    }
                });
            }
        }

        private static async Task ReadHeadAsync(NetworkStream stream, CancellationToken cancel)
        {
            var seen = new List<byte>();
            var one = new byte[1];
            while (await stream.ReadAsync(one.AsMemory(0, 1), cancel) == 1)
            {
                seen.Add(one[0]);
                var n = seen.Count;
                if (n >= 4 && seen[n - 4] == '\r' && seen[n - 3] == '\n' && seen[n - 2] == '\r' && seen[n - 1] == '\n') return;
            }
        }

        public static Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), 0, text.Length);

        /// <summary>A port nothing listens on.</summary>
        public static Uri ClosedPort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            var port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return new Uri($"http://127.0.0.1:{port}/v1/");
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }

    public sealed class HttpStageTests
    {
        private static readonly Uri Base = new Uri("https://api.example.com/v1/");
        private static readonly RetryPolicy Quick = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), MaxAttempts = 4 };

        private static HttpExchange Exchange(RequestKind kind = RequestKind.Read, string url = "https://api.example.com/v1/videos/t1", TimeSpan? timeout = null, CancellationToken cancel = default) =>
            new HttpExchange(() => new HttpRequestMessage(kind == RequestKind.Submit ? HttpMethod.Post : HttpMethod.Get, url), kind, timeout ?? TimeSpan.FromSeconds(10), cancel);

        private static async Task<HttpExchange> Run(HttpExchange exchange, params HttpStage[] stages)
        {
            var first = stages.OfType<RetryStage>().Any() || stages.OfType<FollowRedirectStage>().Any();
            if (!first) exchange.NewAttempt(1);
            await new HttpPipeline(stages).SendAsync(exchange);
            return exchange;
        }

        // ---- the pipeline

        [Fact]
        public async Task A_pipeline_without_a_sending_stage_is_an_error_not_a_silent_success()
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Run(Exchange(), new TraceStage(new CapturingLog())));
            Assert.Contains("sends the request", e.Message);
        }

        // ---- credentials

        [Theory]
        [InlineData(AuthScheme.Bearer, "Bearer stage-test-key-0001")]
        [InlineData(AuthScheme.ApiKeyHeader, "api-key stage-test-key-0001")]
        public async Task The_credential_stage_puts_the_key_only_on_the_own_origin(AuthScheme scheme, string expected)
        {
            var stage = new CredentialStage(Base, new ApiCredential("stage-test-key-0001", "test"), scheme);
            foreach (var (url, gets) in new[]
            {
                ("https://api.example.com/v1/videos", true),
                ("https://API.example.com/other/path", true),
                ("http://api.example.com/v1/videos", false),
                ("https://api.example.com:8443/v1/videos", false),
                ("https://cdn.example.com/v1/videos", false),
            })
            {
                var stub = new StubTransport((r, n) => StubTransport.Answer(200));
                await Run(Exchange(url: url), stage, stub);
                Assert.Equal(gets ? expected : null, stub.Keys.Single());
            }
        }

        [Fact]
        public async Task The_credential_stage_without_a_key_sends_none()
        {
            var stub = new StubTransport((r, n) => StubTransport.Answer(200));
            await Run(Exchange(), new CredentialStage(Base, null, AuthScheme.Bearer), stub);
            Assert.Null(stub.Keys.Single());
        }

        // ---- tracing

        [Fact]
        public async Task The_trace_stage_logs_each_answer_and_failure_with_secrets_removed()
        {
            var log = new CapturingLog();
            var stub = new StubTransport((r, n) => StubTransport.Answer(202));
            await Run(Exchange(url: "https://api.example.com/v1/videos?key=sk-tracedsecret123456"), new TraceStage(log), stub);
            var line = Assert.Single(log.Lines);
            Assert.Matches(@"^HTTP GET https://api\.example\.com/v1/videos\?key=\*\*\* -> 202 Accepted \(\d+ ms\)$", line);

            var failing = new StubTransport((r, n) => throw new SoraNetworkException("NetworkError", SoraErrorKind.Network, "GET x failed: connection reset"));
            var log2 = new CapturingLog();
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => Run(Exchange(), new TraceStage(log2), failing));
            Assert.Equal("NetworkError", e.ErrorId);
            Assert.Matches(@"^HTTP GET https://api\.example\.com/v1/videos/t1 -> failed after \d+ ms: GET x failed: connection reset$", Assert.Single(log2.Lines));
        }

        // ---- throttling

        [Fact]
        public async Task The_throttle_stage_reports_push_back_with_the_hint_but_not_an_exhausted_quota()
        {
            var reports = new List<(RequestKind, TimeSpan?)>();
            var stage = new ThrottleStage(1024) { Throttled = (k, h) => reports.Add((k, h)) };

            var x = await Run(Exchange(RequestKind.Submit), stage, new StubTransport((r, n) => StubTransport.Answer(429, "{\"error\":{\"code\":\"rate_limit\"}}", ("retry-after", "3"))));
            Assert.False(x.QuotaExhausted);
            Assert.Equal((RequestKind.Submit, (TimeSpan?)TimeSpan.FromSeconds(3)), Assert.Single(reports));

            reports.Clear();
            x = await Run(Exchange(), stage, new StubTransport((r, n) => StubTransport.Answer(503)));
            Assert.Equal((RequestKind.Read, (TimeSpan?)null), Assert.Single(reports));

            reports.Clear();
            x = await Run(Exchange(), stage, new StubTransport((r, n) => StubTransport.Answer(429, "{\"error\":{\"code\":\"insufficient_quota\",\"message\":\"check your plan and billing\"}}")));
            Assert.True(x.QuotaExhausted);
            Assert.Empty(reports);
            // The body read to find out is kept for the caller.
            Assert.Contains("insufficient_quota", await x.Response.Content.ReadAsStringAsync());

            x = await Run(Exchange(), stage, new StubTransport((r, n) => StubTransport.Answer(500)));
            Assert.Empty(reports);
        }

        // ---- retries

        [Fact]
        public async Task A_read_is_retried_after_transient_statuses_each_time_with_a_fresh_request()
        {
            var log = new CapturingLog();
            var stub = new StubTransport((r, n) => StubTransport.Answer(n < 3 ? 502 : 200));
            var x = await Run(Exchange(), new RetryStage(Quick, log), stub);
            Assert.Equal(200, (int)x.Response.StatusCode);
            Assert.Equal(3, stub.Requests.Count);
            Assert.Equal(3, stub.Requests.Distinct().Count());
            Assert.Equal(2, log.Lines.Count(l => l.StartsWith("Retrying GET https://api.example.com/v1/videos/t1 in ", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task A_read_gives_up_after_the_policys_attempts_and_returns_the_last_answer()
        {
            var stub = new StubTransport((r, n) => StubTransport.Answer(500));
            var x = await Run(Exchange(), new RetryStage(Quick), stub);
            Assert.Equal(500, (int)x.Response.StatusCode);
            Assert.Equal(Quick.MaxAttempts, stub.Requests.Count);
        }

        [Theory]
        [InlineData(500)] [InlineData(502)] [InlineData(503)] [InlineData(504)] [InlineData(400)]
        public async Task A_submission_is_not_resent_after_an_answer_that_may_mean_it_was_accepted(int status)
        {
            var stub = new StubTransport((r, n) => StubTransport.Answer(status));
            var x = await Run(Exchange(RequestKind.Submit), new RetryStage(Quick), stub);
            Assert.Equal(status, (int)x.Response.StatusCode);
            Assert.Single(stub.Requests);
        }

        [Fact]
        public async Task A_submission_is_resent_after_a_rate_limit_but_not_after_an_exhausted_quota()
        {
            var stub = new StubTransport((r, n) => StubTransport.Answer(n == 1 ? 429 : 200));
            var x = await Run(Exchange(RequestKind.Submit), new RetryStage(Quick), new ThrottleStage(1024), stub);
            Assert.Equal(200, (int)x.Response.StatusCode);
            Assert.Equal(2, stub.Requests.Count);

            var quota = new StubTransport((r, n) => StubTransport.Answer(429, "{\"error\":{\"code\":\"insufficient_quota\"}}"));
            x = await Run(Exchange(RequestKind.Submit), new RetryStage(Quick), new ThrottleStage(1024), quota);
            Assert.Equal(429, (int)x.Response.StatusCode);
            Assert.Single(quota.Requests);
        }

        [Fact]
        public async Task The_providers_should_retry_header_overrides_the_status()
        {
            var no = new StubTransport((r, n) => StubTransport.Answer(503, "{}", ("x-should-retry", "false")));
            await Run(Exchange(), new RetryStage(Quick), no);
            Assert.Single(no.Requests);

            var yes = new StubTransport((r, n) => StubTransport.Answer(n == 1 ? 409 : 200, "{}", ("x-should-retry", n == 1 ? "true" : "false")));
            var x = await Run(Exchange(), new RetryStage(Quick), yes);
            Assert.Equal(2, yes.Requests.Count);
            Assert.Equal(200, (int)x.Response.StatusCode);

            // A submission is never re-sent on the provider's word alone.
            var submit = new StubTransport((r, n) => StubTransport.Answer(500, "{}", ("x-should-retry", "true")));
            await Run(Exchange(RequestKind.Submit), new RetryStage(Quick), submit);
            Assert.Single(submit.Requests);
        }

        [Fact]
        public async Task A_retry_waits_as_the_provider_asks_and_not_at_all_when_it_asks_too_much()
        {
            var log = new CapturingLog();
            var stub = new StubTransport((r, n) => StubTransport.Answer(n == 1 ? 503 : 200, "{}", ("retry-after-ms", "150")));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Run(Exchange(), new RetryStage(Quick, log), stub);
            Assert.True(watch.ElapsedMilliseconds >= 140, $"{watch.ElapsedMilliseconds} ms");
            Assert.Contains(log.Lines, l => l.Contains("as the provider asked"));

            var policy = new RetryPolicy { MaxAttempts = 4, MaxHintedDelay = TimeSpan.FromSeconds(5) };
            var far = new StubTransport((r, n) => StubTransport.Answer(503, "{}", ("retry-after", "600")));
            var log2 = new CapturingLog();
            var x = await Run(Exchange(), new RetryStage(policy, log2), far);
            Assert.Single(far.Requests);
            Assert.Equal(503, (int)x.Response.StatusCode);
            Assert.Contains(log2.Lines, l => l.StartsWith("Not retrying GET", StringComparison.Ordinal) && l.Contains("600 s"));
        }

        [Fact]
        public async Task A_failure_before_the_answer_is_retried_for_a_read_and_never_when_the_outcome_is_unknown()
        {
            var broken = new StubTransport((r, n) => n < 3 ? throw new SoraNetworkException("NetworkError", SoraErrorKind.Network, "refused") : StubTransport.Answer(200));
            var x = await Run(Exchange(), new RetryStage(Quick), broken);
            Assert.Equal(3, broken.Requests.Count);
            Assert.Equal(200, (int)x.Response.StatusCode);

            var always = new StubTransport((r, n) => throw new SoraNetworkException("RequestTimeout", SoraErrorKind.Timeout, "no answer"));
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => Run(Exchange(), new RetryStage(Quick), always));
            Assert.Equal("RequestTimeout", e.ErrorId);
            Assert.Equal(Quick.MaxAttempts, always.Requests.Count);

            var unknown = new StubTransport((r, n) => throw SubmissionOutcome.BrokeAfterSending("POST x", new System.IO.IOException("reset")));
            e = await Assert.ThrowsAsync<SoraNetworkException>(() => Run(Exchange(RequestKind.Submit), new RetryStage(Quick), unknown));
            Assert.Equal(SubmissionOutcome.UnknownId, e.ErrorId);
            Assert.Single(unknown.Requests);
        }

        [Fact]
        public async Task Cancelling_during_the_back_off_ends_the_retries_at_once()
        {
            using (var cts = new CancellationTokenSource())
            {
                var slow = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30), MaxAttempts = 3 };
                var stub = new StubTransport((r, n) => { cts.CancelAfter(50); return StubTransport.Answer(500); });
                var watch = System.Diagnostics.Stopwatch.StartNew();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Exchange(cancel: cts.Token), new RetryStage(slow), stub));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
                Assert.Single(stub.Requests);
            }
        }

        [Fact]
        public void The_jitter_source_stays_sound_when_many_threads_draw_at_once()
        {
            // System.Random shared without a lock breaks under concurrent use and then returns 0 for ever.
            var source = new JitterSource(42);
            var zeros = 0;
            var outside = 0;
            Parallel.For(0, 8, _ =>
            {
                for (var i = 0; i < 200_000; i++)
                {
                    var d = source.NextDouble();
                    if (d == 0) Interlocked.Increment(ref zeros);
                    if (d < 0 || d >= 1) Interlocked.Increment(ref outside);
                }
            });
            Assert.Equal(0, outside);
            Assert.True(zeros < 10, $"{zeros} zeros");
            var tail = Enumerable.Range(0, 1000).Select(_ => source.NextDouble()).ToList();
            Assert.True(tail.Distinct().Count() > 990);
        }

        [Fact]
        public void Backoff_from_a_jitter_source_stays_within_the_equal_jitter_bounds()
        {
            var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) };
            var source = new JitterSource(3);
            var seen = new HashSet<double>();
            for (var attempt = 1; attempt <= 6; attempt++)
            {
                var full = Math.Min(Math.Pow(2, attempt - 1), 8);
                for (var i = 0; i < 50; i++)
                {
                    var d = policy.Backoff(attempt, source).TotalSeconds;
                    Assert.InRange(d, full / 2, full);
                    seen.Add(d);
                }
            }
            Assert.True(seen.Count > 250, "the jitter varies");
        }

        // ---- the answer size cap

        [Fact]
        public async Task The_answer_cap_reads_a_small_body_whole()
        {
            var x = await Run(Exchange(), new AnswerCapStage(100), new StubTransport((r, n) => StubTransport.Answer(200, "{\"id\":\"t1\"}")));
            Assert.Equal("{\"id\":\"t1\"}", Encoding.UTF8.GetString(x.Body));
        }

        [Fact]
        public async Task The_answer_cap_refuses_a_declared_or_streamed_body_over_the_cap()
        {
            var big = new string('x', 5000);
            var e = await Assert.ThrowsAsync<SoraProtocolException>(() => Run(Exchange(), new AnswerCapStage(1000), new StubTransport((r, n) => StubTransport.Answer(200, big))));
            Assert.Contains("5,000 bytes", e.Message);
            Assert.Null(e.RawBody);

            var streamed = new StubTransport((r, n) =>
            {
                var a = StubTransport.Answer(200);
                a.Content = new StreamContent(new System.IO.MemoryStream(Encoding.ASCII.GetBytes(big)));
                a.Content.Headers.ContentLength = null;
                return a;
            });
            e = await Assert.ThrowsAsync<SoraProtocolException>(() => Run(Exchange(), new AnswerCapStage(1000), streamed));
            Assert.Contains("longer than that", e.Message);
            Assert.Equal(1000, e.RawBody.Length);
        }

        [Fact]
        public async Task A_submissions_2xx_answer_over_the_cap_leaves_the_outcome_unknown()
        {
            var big = new string('x', 5000);
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => Run(Exchange(RequestKind.Submit), new AnswerCapStage(1000), new StubTransport((r, n) => StubTransport.Answer(200, big))));
            Assert.Equal(SubmissionOutcome.UnknownId, e.ErrorId);
            Assert.Equal(SoraErrorKind.UnexpectedResponse, e.Kind);
            Assert.Contains("it was NOT sent again", e.Message);
            // A refusal (4xx) over the cap was certainly not accepted: a plain UnexpectedResponse.
            await Assert.ThrowsAsync<SoraProtocolException>(() => Run(Exchange(RequestKind.Submit), new AnswerCapStage(1000), new StubTransport((r, n) => StubTransport.Answer(400, big))));
        }

        [Theory]
        [InlineData(RequestKind.Read, "RequestTimeout")]
        [InlineData(RequestKind.Submit, "SubmissionOutcomeUnknown")]
        public async Task An_answer_whose_body_stalls_ends_at_the_time_limit(RequestKind kind, string errorId)
        {
            using (var server = new RawServer(async (s, stop) =>
            {
                await RawServer.Write(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":");
                await Task.Delay(Timeout.Infinite, stop);
            }))
            using (var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
            {
                // Long enough for the headers on a busy machine; the body never comes.
                var x = Exchange(kind, server.Uri + "videos", TimeSpan.FromMilliseconds(1500));
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var e = await Assert.ThrowsAsync<SoraNetworkException>(() => Run(x, new AnswerCapStage(1000), new TransportStage(client)));
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(SoraErrorKind.Timeout, e.Kind);
                Assert.Contains("did not arrive whole within 1.5 s", e.Message);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), watch.Elapsed.ToString());
            }
        }

        // ---- redirects

        [Theory]
        [InlineData(RequestKind.Read, false)]
        [InlineData(RequestKind.Submit, true)]
        public async Task An_api_call_answered_with_a_redirect_is_an_error_naming_the_location(RequestKind kind, bool saysNotResent)
        {
            var stub = new StubTransport((r, n) =>
            {
                var a = StubTransport.Answer(307);
                a.Headers.Location = new Uri("/v2/videos", UriKind.Relative);
                return a;
            });
            var e = await Assert.ThrowsAsync<SoraException>(() => Run(Exchange(kind), new RefuseRedirectStage(), stub));
            Assert.Equal("UnexpectedRedirect", e.ErrorId);
            Assert.Equal("https://api.example.com/v2/videos", e.Target);
            Assert.Equal(saysNotResent, e.Message.Contains("did not send the submission again"));
            Assert.Single(stub.Requests);
        }

        [Fact]
        public async Task A_download_follows_redirects_and_the_key_stays_with_its_own_origin()
        {
            var log = new CapturingLog();
            var stub = new StubTransport((r, n) =>
            {
                if (n == 3) return StubTransport.Answer(200);
                var a = StubTransport.Answer(n == 1 ? 302 : 301);
                a.Headers.Location = n == 1 ? new Uri("https://cdn.example.com/a/video.mp4") : new Uri("../b/video.mp4", UriKind.Relative);
                return a;
            });
            var credentials = new CredentialStage(Base, new ApiCredential("stage-redirect-key-01", "test"), AuthScheme.Bearer);
            var x = await Run(Exchange(url: "https://api.example.com/v1/videos/t1/content"),
                new FollowRedirectStage(5, log, credentials.IsOwnHost), new RetryStage(Quick), credentials, stub);
            Assert.Equal(200, (int)x.Response.StatusCode);
            Assert.Equal(new[] { "https://api.example.com/v1/videos/t1/content", "https://cdn.example.com/a/video.mp4", "https://cdn.example.com/b/video.mp4" }, stub.Uris);
            Assert.Equal(new[] { "Bearer stage-redirect-key-01", null, null }, stub.Keys);
            Assert.Contains(log.Lines, l => l.Contains("(another origin: without the key)"));
        }

        [Fact]
        public async Task A_redirect_after_a_retried_hop_gets_its_own_attempts()
        {
            // Hop 1 fails twice then redirects; hop 2 fails three times then answers: 4 attempts each would be too few if they were shared.
            var stub = new StubTransport((r, n) =>
            {
                if (n <= 2) return StubTransport.Answer(503);
                if (n == 3)
                {
                    var a = StubTransport.Answer(302);
                    a.Headers.Location = new Uri("https://cdn.example.com/v.mp4");
                    return a;
                }
                return StubTransport.Answer(n <= 6 ? 503 : 200);
            });
            var x = await Run(Exchange(), new FollowRedirectStage(5, null, _ => false), new RetryStage(Quick), stub);
            Assert.Equal(200, (int)x.Response.StatusCode);
            Assert.Equal(7, stub.Requests.Count);
        }

        [Fact]
        public async Task Redirects_end_after_the_limit_or_at_an_address_that_is_not_http()
        {
            var endless = new StubTransport((r, n) =>
            {
                var a = StubTransport.Answer(302);
                a.Headers.Location = new Uri("https://cdn.example.com/hop" + n);
                return a;
            });
            var e = await Assert.ThrowsAsync<SoraException>(() => Run(Exchange(), new FollowRedirectStage(3, null, _ => false), new RetryStage(Quick), endless));
            Assert.Equal("TooManyRedirects", e.ErrorId);
            Assert.Equal(4, endless.Requests.Count);

            var ftp = new StubTransport((r, n) =>
            {
                var a = StubTransport.Answer(302);
                a.Headers.Location = new Uri("ftp://files.example.com/v.mp4");
                return a;
            });
            var p = await Assert.ThrowsAsync<SoraProtocolException>(() => Run(Exchange(), new FollowRedirectStage(3, null, _ => false), new RetryStage(Quick), ftp));
            Assert.Contains("not an http(s) address", p.Message);
        }

        // ---- redaction

        [Fact]
        public async Task The_redact_stage_decodes_the_body_in_its_charset_and_removes_every_key()
        {
            _ = new ApiCredential("stage-redact-key-77", "test");
            var stub = new StubTransport((r, n) =>
            {
                var a = StubTransport.Answer(400);
                a.Content = new ByteArrayContent(Encoding.GetEncoding("iso-8859-1").GetBytes("{\"error\":\"bad key stage-redact-key-77 für Bearer abcdef123\"}"));
                a.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "iso-8859-1" };
                return a;
            });
            var x = await Run(Exchange(), new RedactStage(), new AnswerCapStage(1000), stub);
            Assert.Equal("{\"error\":\"bad key *** für Bearer ***\"}", x.Text);
        }

        // ---- the transport, against 127.0.0.1

        [Theory]
        [InlineData(RequestKind.Read, "RequestTimeout")]
        [InlineData(RequestKind.Submit, "SubmissionOutcomeUnknown")]
        public async Task A_request_that_gets_no_answer_ends_at_its_time_limit(RequestKind kind, string errorId)
        {
            using (var server = new RawServer((s, stop) => Task.Delay(Timeout.Infinite, stop)))
            using (var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
            {
                var x = Exchange(kind, server.Uri + "videos", TimeSpan.FromMilliseconds(300));
                x.NewAttempt(1);
                var e = await Assert.ThrowsAsync<SoraNetworkException>(() => new TransportStage(client).SendAsync(x, () => throw new InvalidOperationException("the transport is last")));
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(SoraErrorKind.Timeout, e.Kind);
                Assert.Contains("got no answer within 0.3 s", e.Message);
                Assert.Equal(kind == RequestKind.Submit, e.Message.Contains(SubmissionOutcome.NotSentAgain));
                Assert.Equal(1, server.Requests);
            }
        }

        [Fact]
        public async Task A_refused_connection_is_a_network_error_even_for_a_submission_it_never_reached()
        {
            using (var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
            {
                var x = Exchange(RequestKind.Submit, RawServer.ClosedPort() + "videos");
                x.NewAttempt(1);
                var e = await Assert.ThrowsAsync<SoraNetworkException>(() => new TransportStage(client).SendAsync(x, () => Task.CompletedTask));
                Assert.Equal("NetworkError", e.ErrorId);
            }
        }

        [Theory]
        [InlineData(RequestKind.Read, "NetworkError")]
        [InlineData(RequestKind.Submit, "SubmissionOutcomeUnknown")]
        public async Task A_connection_closed_after_the_request_arrived_leaves_a_submission_unknown(RequestKind kind, string errorId)
        {
            using (var server = new RawServer((s, stop) => Task.CompletedTask))
            using (var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
            {
                var x = Exchange(kind, server.Uri + "videos");
                x.NewAttempt(1);
                var e = await Assert.ThrowsAsync<SoraNetworkException>(() => new TransportStage(client).SendAsync(x, () => Task.CompletedTask));
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(SoraErrorKind.Network, e.Kind);
            }
        }

        [Fact]
        public async Task The_transport_passes_the_callers_cancellation_through_unchanged()
        {
            using (var server = new RawServer((s, stop) => Task.Delay(Timeout.Infinite, stop)))
            using (var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
            using (var cts = new CancellationTokenSource(200))
            {
                var x = Exchange(RequestKind.Submit, server.Uri + "videos", TimeSpan.FromSeconds(30), cts.Token);
                x.NewAttempt(1);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TransportStage(client).SendAsync(x, () => Task.CompletedTask));
            }
        }

        // ---- the outcome-unknown wordings

        [Fact]
        public void Every_outcome_unknown_error_says_the_submission_was_not_sent_again()
        {
            var inner = new System.IO.IOException("reset by peer");
            var all = new[]
            {
                SubmissionOutcome.NoAnswer("POST https://x/videos", TimeSpan.FromSeconds(2), inner),
                SubmissionOutcome.BrokeAfterSending("POST https://x/videos", inner),
                SubmissionOutcome.AnswerTimedOut(new Uri("https://x/videos"), TimeSpan.FromSeconds(2), inner),
                SubmissionOutcome.AnswerBrokeOff("POST https://x/videos", inner),
                SubmissionOutcome.UnreadableSuccess(new SoraProtocolException("The answer is too big.", null)),
                SubmissionOutcome.Gateway(502, new Uri("https://gw.example.com/v1/videos"), new SoraApiException(SoraErrorKind.Upstream, 502, null, "bad gateway", null)),
            };
            foreach (var e in all)
            {
                Assert.Equal(SubmissionOutcome.UnknownId, e.ErrorId);
                Assert.Contains("NOT sent again", e.Message);
            }
            Assert.Contains("gw.example.com", all[5].Message);
        }
    }
}
