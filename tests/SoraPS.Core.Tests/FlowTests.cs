using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Submit, wait and save against the emulator over real HTTP, for each dialect.</summary>
    public sealed class FlowTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public FlowTests(EmulatorFixture fx) { _fx = fx; }

        public const string ImageUrl = "https://images.example.com/first-frame.png";

        /// <summary>
        /// One generation per row of the dialect matrix (tools/SoraPS.Emulator/dialects.json), so a new dialect runs here
        /// as soon as it has its row, and a few more models of the same dialects.
        /// </summary>
        public static TheoryData<string, string, int, string> Generations()
        {
            var data = new TheoryData<string, string, int, string>();
            foreach (var row in DialectMatrix.Rows) data.Add(row.Dialect, row.Model, row.Seconds, row.Image);
            data.Add("OpenAI", "sora-2-pro", 12, null);
            data.Add("UnifiedTask", "sora-2-pro-preview", 4, ImageUrl);
            data.Add("V2Task", "sora-2-pro", 25, ImageUrl);
            data.Add("NewApi", "veo-3.1-generate-preview", 6, null);
            return data;
        }

        [Theory]
        [MemberData(nameof(Generations))]
        public async Task Submit_wait_and_save_produces_the_providers_mp4(string dialect, string model, int seconds, string image)
        {
            var client = Testing.Client(_fx.Emulator, dialect);
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a paper boat on a river", Model = model, Duration = seconds, Image = image }), Testing.Timeout());
            Assert.Equal(dialect, task.Dialect);
            Assert.Equal(model, task.Model);
            Assert.Equal(seconds, task.Duration);
            Assert.Equal("a paper boat on a river", task.Prompt);
            Assert.Equal(client.Dialect.Capabilities.Has(DialectOperation.Synchronous), task.IsTerminal);

            using (var waiter = new TaskWaiter(_ => client, Testing.Fast, Testing.Timeout()))
            {
                waiter.Add(task);
                var events = Testing.Drain(waiter);
                var done = events.Single(e => e.Kind == WaitEventKind.Completed);
                Assert.Same(task, done.Task);
                Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
                Assert.Equal(100, task.Progress);
                Assert.NotNull(task.VideoUri);
                // Every dialect says when its link ends, except OpenRouter, whose documents give no link lifetime.
                if (task.ExpiresAt.HasValue || client.Dialect.LinkLifetime.HasValue) Assert.True(task.ExpiresAt > DateTimeOffset.UtcNow.AddHours(23));
                else Assert.Equal("OpenRouter", dialect);
            }

            using (var dir = new TempDir())
            {
                var reports = new List<DownloadProgress>();
                var result = await client.DownloadAsync(task, dir.File("out.mp4"), new DownloadOptions(), new SyncProgress<DownloadProgress>(reports.Add), Testing.Timeout());
                var bytes = File.ReadAllBytes(result.Path);
                Assert.Equal(_fx.Emulator.State.Video, bytes);
                Assert.Equal(bytes.Length, result.Bytes);
                Assert.Equal(new[] { "out.mp4" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
                Assert.Equal(bytes.Length, reports.Last().BytesReceived);
            }
        }

        [Fact]
        public async Task Only_requests_to_the_profile_host_carry_the_key()
        {
            var client = Testing.Client(_fx.Emulator, "UnifiedTask");
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "key hygiene" }), Testing.Timeout());
            Assert.True(client.Http.IsOwnHost(new Uri(_fx.Emulator.BaseUri, "unified/files/x.mp4")));
            Assert.False(client.Http.IsOwnHost(new Uri("https://cdn.example.com/x.mp4")));
            Assert.False(client.Http.IsOwnHost(new Uri(_fx.Emulator.BaseUri.AbsoluteUri.Replace("http://", "https://"))));
            Assert.True(_fx.Emulator.State.Requests.Single(r => r.Method == "POST" && r.Body != null && r.Body.Contains("key hygiene")).Authorized);
            Assert.Equal("key hygiene", task.Prompt);
            Assert.True(_fx.Emulator.State.Tasks.ContainsKey(task.Id), "the task id is not one the emulator made");
        }

        [Theory]
        [InlineData("OpenAI")]
        [InlineData("UnifiedTask")]
        [InlineData("V2Task")]
        [InlineData("SoraWeb")]
        [InlineData("AzureJobs")]
        [InlineData("NewApi")]
        public async Task Moderation_failure_after_90_percent_is_a_failed_task_with_its_kind(string dialect)
        {
            var client = Testing.Client(_fx.Emulator, dialect);
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a street scene [fail:moderation]" }), Testing.Timeout());
            using (var waiter = new TaskWaiter(_ => client, Testing.Fast, Testing.Timeout()))
            {
                waiter.Add(task);
                var events = Testing.Drain(waiter);
                Assert.Equal(WaitEventKind.Completed, events.Last().Kind);
            }
            Assert.Equal(SoraTaskStatus.Failed, task.Status);
            if (dialect != "AzureJobs") Assert.Equal(90, task.Progress); // the jobs API reports no progress
            Assert.Equal(SoraErrorKind.ContentModeration, task.Error.Kind);
            var failure = new SoraTaskFailedException(task);
            Assert.Equal("ContentModerationFailed", failure.ErrorId);
            Assert.Same(task, failure.Target);
            await Assert.ThrowsAsync<SoraException>(() => client.DownloadAsync(task, Path.GetTempFileName(), new DownloadOptions(), null, Testing.Timeout()));
        }

        [Fact]
        public async Task A_synchronous_dialect_refused_by_moderation_is_ContentModerationFailed()
        {
            var client = Testing.Client(_fx.Emulator, "OneRouter");
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "crowd [fail:moderation]", Image = ImageUrl }), Testing.Timeout()));
            Assert.Equal("ContentModerationFailed", e.ErrorId);
            Assert.Equal(400, e.StatusCode);
        }

        [Theory]
        [InlineData("OpenAI", SoraErrorKind.Quota, 429)]
        [InlineData("UnifiedTask", SoraErrorKind.Quota, 402)]
        [InlineData("V2Task", SoraErrorKind.Quota, 403)]
        [InlineData("OneRouter", SoraErrorKind.Quota, 402)]
        [InlineData("SoraWeb", SoraErrorKind.Quota, 400)]
        [InlineData("AzureJobs", SoraErrorKind.Quota, 429)]
        [InlineData("NewApi", SoraErrorKind.Quota, 403)]
        public async Task Provider_error_bodies_become_typed_errors_and_quota_is_not_retried(string dialect, SoraErrorKind kind, int status)
        {
            var client = Testing.Client(_fx.Emulator, dialect);
            var before = _fx.Emulator.State.Requests.Count(r => r.Method == "POST");
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "out of credit [quota]", Image = dialect == "OneRouter" ? ImageUrl : null }), Testing.Timeout()));
            Assert.Equal(kind, e.Kind);
            Assert.Equal(status, e.StatusCode);
            Assert.Equal("QuotaExceeded", e.ErrorId);
            Assert.Equal(before + 1, _fx.Emulator.State.Requests.Count(r => r.Method == "POST"));
        }

        [Theory]
        [InlineData("OpenAI")]
        [InlineData("UnifiedTask")]
        [InlineData("V2Task")]
        [InlineData("OneRouter")]
        [InlineData("SoraWeb")]
        [InlineData("AzureJobs")]
        [InlineData("NewApi")]
        public async Task A_wrong_key_is_an_authentication_error_that_does_not_show_the_key(string dialect)
        {
            var log = new CapturingLog();
            var client = Testing.Client(_fx.Emulator, dialect, log, key: "sk-wrong-key-0123456789abcdef");
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "p", Image = dialect == "OneRouter" ? ImageUrl : null }), Testing.Timeout()));
            Assert.Equal(SoraErrorKind.Authentication, e.Kind);
            Assert.Equal("AuthenticationFailed", e.ErrorId);
            Assert.DoesNotContain("sk-wrong-key-0123456789abcdef", e.Message + e.RawBody + log.All);
            Assert.Contains("401", log.All);
        }

        [Fact]
        public async Task An_unknown_task_id_is_TaskNotFound()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.GetAsync("video_doesnotexist", Testing.Timeout()));
            Assert.Equal("TaskNotFound", e.ErrorId);
            Assert.Equal("video_doesnotexist", e.Target);
        }

        [Fact]
        public async Task Many_tasks_are_waited_for_at_once_and_each_is_reported_when_it_finishes()
        {
            // Tasks of 2.5 s, so progress is still to be seen when the wait starts even on a loaded machine.
            await using (var emulator = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(2.5) }))
            {
                var openai = Testing.Client(emulator, "OpenAI");
                var unified = Testing.Client(emulator, "UnifiedTask");
                var tasks = new List<SoraTask>();
                for (var i = 0; i < 6; i++)
                {
                    var c = i % 2 == 0 ? openai : unified;
                    tasks.Add(await c.SubmitAsync(c.Validate(new VideoRequest { Prompt = "batch " + i }), Testing.Timeout()));
                }
                var started = DateTime.UtcNow;
                using (var waiter = new TaskWaiter(p => p == "openai" ? openai : unified, Testing.Fast, Testing.Timeout()))
                {
                    foreach (var t in tasks) waiter.Add(t);
                    var events = Testing.Drain(waiter);
                    var completed = events.Where(e => e.Kind == WaitEventKind.Completed).Select(e => e.Task).ToList();
                    Assert.Equal(tasks.Count, completed.Count);
                    Assert.Equal(tasks.OrderBy(t => t.Id), completed.OrderBy(t => t.Id));
                    Assert.Contains(events, e => e.Kind == WaitEventKind.Progress);
                }
                // Concurrent: six 2.5 s tasks finish in far less than six times 2.5 s.
                Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(9), "waiting was not concurrent");
            }
        }

        [Fact]
        public async Task The_wait_time_limit_reports_unfinished_tasks_without_losing_them()
        {
            await using (var slow = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(30) }))
            {
                var client = Testing.Client(slow, "UnifiedTask");
                var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "slow" }), Testing.Timeout());
                var options = Testing.Fast;
                options.Timeout = TimeSpan.FromMilliseconds(700);
                using (var waiter = new TaskWaiter(_ => client, options, Testing.Timeout()))
                {
                    waiter.Add(task);
                    var events = Testing.Drain(waiter);
                    Assert.Equal(WaitEventKind.TimedOut, events.Last().Kind);
                    Assert.Same(task, events.Last().Task);
                    Assert.False(task.IsTerminal);
                }
            }
        }

        [Fact]
        public async Task Cancelling_a_wait_stops_polling_promptly()
        {
            await using (var slow = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(30) }))
            {
                var client = Testing.Client(slow, "OpenAI");
                var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "slow" }), Testing.Timeout());
                using (var cts = new CancellationTokenSource())
                using (var waiter = new TaskWaiter(_ => client, Testing.Fast, cts.Token))
                {
                    waiter.Add(task);
                    await Task.Delay(500);
                    cts.Cancel();
                    await Task.Delay(300);
                    var polls = slow.State.Count("GET", "/v1/videos/");
                    await Task.Delay(1200);
                    Assert.Equal(polls, slow.State.Count("GET", "/v1/videos/"));
                }
            }
        }

        [Fact]
        public async Task The_server_poll_hint_is_honoured()
        {
            await using (var hinted = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(2), OpenAIPollAfterMs = 900 }))
            {
                var client = Testing.Client(hinted, "OpenAI");
                var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "hinted" }), Testing.Timeout());
                Assert.Equal(TimeSpan.FromMilliseconds(900), task.PollAfter);
                using (var waiter = new TaskWaiter(_ => client, Testing.Fast, Testing.Timeout()))
                {
                    waiter.Add(task);
                    Testing.Drain(waiter);
                }
                var gets = hinted.State.Requests.Where(r => r.Method == "GET").Select(r => r.At).ToList();
                Assert.True(gets.Count >= 2);
                // The hint is the interval; only the one poll aimed at the expected finish may come sooner.
                var sooner = Enumerable.Range(1, gets.Count - 1).Count(i => gets[i] - gets[i - 1] < TimeSpan.FromMilliseconds(850));
                Assert.True(sooner <= 1, $"{sooner} polls came sooner than the 900 ms hint: {string.Join(", ", gets.Select(g => (g - gets[0]).TotalMilliseconds))}");
                // Without the hint the same wait would poll every 100-400 ms: at least 5 times in 2 s.
                Assert.InRange(gets.Count, 2, 4);
                // Seen within one interval (plus slack) of the finish.
                var finished = hinted.State.Tasks[task.Id].CompletedAt;
                Assert.True(gets.Last() - finished <= TimeSpan.FromMilliseconds(900 + 150 + 100), $"seen {(gets.Last() - finished).TotalMilliseconds} ms after it finished");
            }
        }

        [Fact]
        public async Task An_expired_link_is_VideoExpired_and_leaves_no_file()
        {
            await using (var emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(200), LinkLifetime = TimeSpan.FromMilliseconds(100) }))
            {
                foreach (var dialect in new[] { "OpenAI", "UnifiedTask" })
                {
                    var client = Testing.Client(emu, dialect);
                    var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "too late" }), Testing.Timeout());
                    await Task.Delay(500);
                    await client.RefreshAsync(task, Testing.Timeout());
                    Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
                    using (var dir = new TempDir())
                    {
                        var e = await Assert.ThrowsAsync<SoraException>(() => client.DownloadAsync(task, dir.File("late.mp4"), new DownloadOptions(), null, Testing.Timeout()));
                        Assert.Equal("VideoExpired", e.ErrorId);
                        Assert.Equal(SoraErrorKind.Expired, e.Kind);
                        Assert.Empty(Directory.GetFiles(dir.Path));
                    }
                }
            }
        }

        [Fact]
        public async Task An_existing_file_is_kept_unless_overwrite_is_asked()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "keep mine" }), Testing.Timeout());
            using (var waiter = new TaskWaiter(_ => client, Testing.Fast, Testing.Timeout()))
            {
                waiter.Add(task);
                Testing.Drain(waiter);
            }
            using (var dir = new TempDir())
            {
                var target = dir.File("mine.mp4");
                File.WriteAllText(target, "precious");
                var e = await Assert.ThrowsAsync<SoraException>(() => client.DownloadAsync(task, target, new DownloadOptions(), null, Testing.Timeout()));
                Assert.Equal("FileExists", e.ErrorId);
                Assert.Equal("precious", File.ReadAllText(target));
                await client.DownloadAsync(task, target, new DownloadOptions { Overwrite = true }, null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(target));
                Assert.Single(Directory.GetFiles(dir.Path));
            }
        }

        [Fact]
        public async Task Thumbnail_variant_is_fetched_from_the_content_endpoint()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "thumb" }), Testing.Timeout());
            using (var waiter = new TaskWaiter(_ => client, Testing.Fast, Testing.Timeout()))
            {
                waiter.Add(task);
                Testing.Drain(waiter);
            }
            using (var dir = new TempDir())
            {
                var r = await client.DownloadAsync(task, dir.File("t.webp"), new DownloadOptions { Variant = "thumbnail", VerifyMp4 = false }, null, Testing.Timeout());
                Assert.True(r.Bytes > 0);
                var e = await Assert.ThrowsAsync<SoraProtocolException>(() => client.DownloadAsync(task, dir.File("t2.mp4"), new DownloadOptions { Variant = "thumbnail" }, null, Testing.Timeout()));
                Assert.Contains("not an MP4", e.Message);
                Assert.False(File.Exists(dir.File("t2.mp4")));
                Assert.False(File.Exists(dir.File("t2.mp4") + VideoDownloader.PartialSuffix));
            }
        }
    }

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SyncProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;
        public SyncProgress(Action<T> report) { _report = report; }
        public void Report(T value) { lock (this) _report(value); }
    }
}
