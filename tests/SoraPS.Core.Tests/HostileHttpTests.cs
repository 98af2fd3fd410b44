using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;
using Xunit.Abstractions;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// A hostile world over real HTTP: stale and foreign .partial files, answers that never come,
    /// redirects to other origins, huge bodies, odd result URLs and relays that echo the key back.
    /// A second emulator on another port stands for "another origin" and records what reached it.
    /// </summary>
    public sealed class HostileHttpTests : IAsyncLifetime
    {
        // Not shaped like an sk- key: only SoraPS's knowledge of the key it loaded can hide it.
        private const string Key = "hostile7f3a9c1e5b2d4f6a8c0e1d2c3b4a";
        private readonly ITestOutputHelper _out;
        private SoraEmulator _emu, _other;
        private TempDir _dir;
        private CapturingLog _log;
        private TaskJournal _journal;

        public HostileHttpTests(ITestOutputHelper output) { _out = output; }

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { ApiKey = Key, TaskDuration = TimeSpan.FromMilliseconds(300), VideoSize = 1024 * 1024, DistinctVideos = true });
            _other = await SoraEmulator.StartAsync(new EmulatorOptions { ApiKey = Key });
            _dir = new TempDir();
            _log = new CapturingLog();
            _journal = new TaskJournal(Path.Combine(_dir.Path, "journal"));
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            await _other.DisposeAsync();
            _dir.Dispose();
        }

        private SoraClient Client(string dialect = "UnifiedTask", Dictionary<string, string> settings = null)
        {
            var profile = Testing.Profile(_emu, dialect);
            profile.Settings = settings;
            var c = Testing.Client(_emu, dialect, _log, key: Key, profile: profile);
            c.Journal = _journal;
            return c;
        }

        private async Task<SoraTask> Finished(SoraClient client, string prompt = "hostile")
        {
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = prompt }), Testing.Timeout());
            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            return task;
        }

        private string Target(string name = "same.mp4") => Path.Combine(_dir.Path, "videos", name);

        private static DownloadOptions Fast => new DownloadOptions { ResumeDelay = TimeSpan.FromMilliseconds(10) };

        /// <summary>What a killed download leaves behind: part of some bytes, and (when given) its record.</summary>
        private static void PlantPartial(string target, byte[] bytes, int length, string record)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target));
            File.WriteAllBytes(target + VideoDownloader.PartialSuffix, bytes.Take(length).ToArray());
            if (record != null) File.WriteAllText(target + VideoDownloader.PartialSuffix + ".json", record);
        }

        private static string Record(string taskId, Uri url, string etag, long length) =>
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["TaskId"] = taskId, ["Url"] = url.AbsoluteUri, ["ETag"] = etag, ["Length"] = length });

        private void AssertNoLeftovers(string target)
        {
            Assert.False(File.Exists(target + VideoDownloader.PartialSuffix), "a .partial file was left behind");
            Assert.False(File.Exists(target + VideoDownloader.PartialSuffix + ".json"), "a .partial record was left behind");
        }

        private void Trace() => _out.WriteLine(string.Join("\n", _emu.State.Requests.Select(r => $"{r.Method} {r.Path} {r.Status} range={r.Range} if-range={r.IfRange}")) + "\n" + _log.All);

        // ----- 2. A file is written only from its own task's bytes -----

        [Fact]
        public async Task A_partial_left_by_another_task_is_never_spliced_into_this_tasks_file()
        {
            var client = Client();
            var a = await Finished(client, "task a");
            var b = await Finished(client, "task b");
            var target = Target();
            var aBytes = _emu.State.VideoFor(a.Id);
            PlantPartial(target, aBytes, aBytes.Length / 2, Record(a.Id, a.VideoUri, "\"video-v1-" + a.Id + "\"", aBytes.Length));
            var result = await client.DownloadAsync(b, target, Fast, null, Testing.Timeout());
            Trace();
            Assert.Equal(_emu.State.VideoFor(b.Id), File.ReadAllBytes(result.Path));
            AssertNoLeftovers(target);
        }

        [Fact]
        public async Task A_partial_with_no_record_of_its_task_starts_from_zero()
        {
            var client = Client();
            var a = await Finished(client, "task a");
            var b = await Finished(client, "task b");
            var target = Target();
            var aBytes = _emu.State.VideoFor(a.Id);
            PlantPartial(target, aBytes, aBytes.Length / 2, null);
            var result = await client.DownloadAsync(b, target, Fast, null, Testing.Timeout());
            Trace();
            Assert.Equal(_emu.State.VideoFor(b.Id), File.ReadAllBytes(result.Path));
            Assert.DoesNotContain(_emu.State.Requests, r => r.Path.Contains("/files/") && r.Range.Length > 0);
            AssertNoLeftovers(target);
        }

        [Fact]
        public async Task A_partial_of_a_version_the_server_no_longer_serves_is_not_resumed()
        {
            var client = Client();
            var a = await Finished(client, "task a");
            var b = await Finished(client, "task b");
            var target = Target();
            // The record says: task b, this URL, version 1 - but the bytes are not what version 2 holds.
            var stale = _emu.State.VideoFor(a.Id);
            PlantPartial(target, stale, stale.Length / 2, Record(b.Id, b.VideoUri, "\"video-v1-" + b.Id + "\"", stale.Length));
            _emu.State.VideoVersion = 2;
            var result = await client.DownloadAsync(b, target, Fast, null, Testing.Timeout());
            Trace();
            Assert.Equal(_emu.State.VideoFor(b.Id), File.ReadAllBytes(result.Path));
            var get = Assert.Single(_emu.State.Requests, r => r.Path.Contains("/files/"));
            Assert.Equal("\"video-v1-" + b.Id + "\"", get.IfRange);
            Assert.Equal(200, get.Status);
            AssertNoLeftovers(target);
        }

        [Fact]
        public async Task A_partial_of_the_same_task_and_version_resumes_with_if_range()
        {
            var client = Client();
            var b = await Finished(client, "task b");
            var target = Target();
            var bytes = _emu.State.VideoFor(b.Id);
            PlantPartial(target, bytes, bytes.Length / 3, Record(b.Id, b.VideoUri, "\"video-v1-" + b.Id + "\"", bytes.Length));
            var result = await client.DownloadAsync(b, target, Fast, null, Testing.Timeout());
            Trace();
            Assert.Equal(bytes, File.ReadAllBytes(result.Path));
            var get = Assert.Single(_emu.State.Requests, r => r.Path.Contains("/files/"));
            Assert.Equal("bytes=" + (bytes.Length / 3) + "-", get.Range);
            Assert.Equal("\"video-v1-" + b.Id + "\"", get.IfRange);
            Assert.Equal(206, get.Status);
            AssertNoLeftovers(target);
        }

        [Fact]
        public async Task A_download_broken_midway_resumes_only_against_the_same_validator()
        {
            var client = Client();
            var b = await Finished(client, "task b");
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.ResetMidBody, Fraction = 0.4 });
            var result = await client.DownloadAsync(b, Target(), Fast, null, Testing.Timeout());
            Trace();
            Assert.Equal(_emu.State.VideoFor(b.Id), File.ReadAllBytes(result.Path));
            var gets = _emu.State.Requests.Where(r => r.Path.Contains("/files/")).ToList();
            Assert.Equal(2, gets.Count);
            Assert.Equal("\"video-v1-" + b.Id + "\"", gets[1].IfRange);
            Assert.Equal(206, gets[1].Status);
            AssertNoLeftovers(Target());
        }

        // ----- 4. Time limits are hard -----

        private static (List<WaitEvent> Events, TimeSpan Took) WaitWithin(SoraClient client, SoraTask task, TimeSpan timeout, TimeSpan mustEndWithin)
        {
            var watch = Stopwatch.StartNew();
            var options = Testing.Fast;
            options.Timeout = timeout;
            using (var waiter = new TaskWaiter(_ => client, options, Testing.Timeout(120)))
            {
                waiter.Add(task);
                var events = new List<WaitEvent>();
                while (waiter.Outstanding > 0 && watch.Elapsed < mustEndWithin)
                    if (waiter.TryTake(TimeSpan.FromMilliseconds(100), out var e)) events.Add(e);
                Assert.True(waiter.Outstanding == 0, $"A wait with a {timeout.TotalSeconds} s limit was still running after {watch.Elapsed.TotalSeconds:0.0} s.");
                return (events, watch.Elapsed);
            }
        }

        [Fact]
        public async Task A_wait_ends_at_its_limit_while_a_poll_never_answers()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "hanging poll" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(60), Times = 100 });
            var (events, took) = WaitWithin(client, task, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
            _out.WriteLine($"ended after {took.TotalSeconds:0.00} s");
            Assert.Equal(WaitEventKind.TimedOut, events.Last().Kind);
            Assert.True(took < TimeSpan.FromSeconds(4), $"took {took.TotalSeconds:0.0} s");
            Assert.Contains(task.Id, _journal.Read(new JournalFilter { PendingOnly = true }).Select(x => x.Id));
        }

        [Fact]
        public async Task A_wait_ends_at_its_limit_while_a_poll_is_being_retried()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "retried poll" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Status, Status = 503, Headers = { ["retry-after"] = "30" }, Times = 100 });
            var (events, took) = WaitWithin(client, task, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
            _out.WriteLine($"ended after {took.TotalSeconds:0.00} s");
            Assert.Equal(WaitEventKind.TimedOut, events.Last().Kind);
            Assert.True(took < TimeSpan.FromSeconds(4), $"took {took.TotalSeconds:0.0} s");
        }

        [Fact]
        public async Task The_profile_sets_the_request_timeout_and_the_retry_count()
        {
            var client = Client(settings: new Dictionary<string, string> { ["RequestTimeoutSec"] = "0.5", ["MaxRetries"] = "1" });
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "settings" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(5), Times = 100 });
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => client.GetAsync(task.Id, Testing.Timeout()));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal("RequestTimeout", e.ErrorId);
            Assert.Equal(2, _emu.State.Count("GET", "/v1/tasks/"));
        }

        [Fact]
        public async Task A_download_ends_at_its_limit_while_the_server_does_not_answer()
        {
            var client = Client();
            var b = await Finished(client);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(60), Times = 100 });
            var watch = Stopwatch.StartNew();
            var options = Fast;
            options.Timeout = TimeSpan.FromSeconds(2);
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => client.DownloadAsync(b, Target(), options, null, Testing.Timeout(60)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal("DownloadTimeout", e.ErrorId);
            Assert.False(File.Exists(Target()));
            AssertNoLeftovers(Target());
        }

        [Fact]
        public async Task The_profile_sets_the_download_stall_limit()
        {
            var client = Client(settings: new Dictionary<string, string> { ["DownloadStallSec"] = "0.5", ["MaxRetries"] = "0" });
            var b = await Finished(client);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.StallMidBody, Fraction = 0.3, Delay = TimeSpan.FromSeconds(30) });
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => client.DownloadAsync(b, Target(), Fast, null, Testing.Timeout(60)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal("DownloadStalled", e.ErrorId);
            AssertNoLeftovers(Target());
        }

        // ----- 5. Redirects work and never leak -----

        [Theory]
        [InlineData(301)]
        [InlineData(302)]
        [InlineData(303)]
        [InlineData(307)]
        [InlineData(308)]
        public async Task A_content_endpoint_redirecting_to_another_origin_is_followed_without_the_key(int status)
        {
            var client = Client("OpenAI");
            var task = await Finished(client);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/content", Kind = FaultKind.Redirect, Status = status, Location = new Uri(_other.BaseUri, "cdn/presigned/video.mp4?sig=abc").AbsoluteUri });
            var result = await client.DownloadAsync(task, Target(), Fast, null, Testing.Timeout());
            Assert.Equal(_other.State.Video, File.ReadAllBytes(result.Path));
            Assert.True(_emu.State.Requests.Single(r => r.Path.EndsWith("/content", StringComparison.Ordinal)).Authorized);
            var there = Assert.Single(_other.State.Requests);
            Assert.False(there.CarriedKey, "the key was sent to another origin:\n" + there.HeaderText);
            Assert.DoesNotContain(Key, there.HeaderText);
        }

        [Fact]
        public async Task A_result_url_redirecting_through_several_hops_is_followed_and_the_key_goes_only_to_the_own_origin()
        {
            var client = Client("OpenAI");
            var task = await Finished(client);
            // own content endpoint -> other origin -> back to the own origin's CDN path
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/content", Kind = FaultKind.Redirect, Status = 302, Location = new Uri(_other.BaseUri, "cdn/hop1").AbsoluteUri });
            _other.State.AddFault(new Fault { Method = "GET", Path = "/cdn/hop1", Kind = FaultKind.Redirect, Status = 307, Location = new Uri(_emu.BaseUri, "cdn/final.mp4").AbsoluteUri });
            var result = await client.DownloadAsync(task, Target(), Fast, null, Testing.Timeout());
            Assert.Equal(_emu.State.Video, File.ReadAllBytes(result.Path));
            Assert.False(Assert.Single(_other.State.Requests).CarriedKey);
            Assert.True(_emu.State.Requests.Single(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).Authorized);
        }

        [Fact]
        public async Task Endless_redirects_end_with_a_clear_error()
        {
            var client = Client("OpenAI");
            var task = await Finished(client);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/content", Kind = FaultKind.Redirect, Status = 302, Location = task.VideoUri?.AbsoluteUri ?? new Uri(_emu.BaseUri, "openai/v1/videos/" + task.Id + "/content").AbsoluteUri, Times = 100 });
            var e = await Assert.ThrowsAnyAsync<SoraException>(() => client.DownloadAsync(task, Target(), Fast, null, Testing.Timeout()));
            Assert.Equal("TooManyRedirects", e.ErrorId);
            Assert.True(_emu.State.Count("GET", "/content") <= SoraHttp.MaxRedirects + 1);
            AssertNoLeftovers(Target());
        }

        [Fact]
        public void The_key_goes_only_to_the_same_scheme_host_and_port()
        {
            var http = new SoraHttp(new Uri("https://api.example.com/v1/"), null, AuthScheme.Bearer);
            Assert.True(http.IsOwnHost(new Uri("https://api.example.com/files/x.mp4")));
            Assert.False(http.IsOwnHost(new Uri("http://api.example.com/files/x.mp4")));
            Assert.False(http.IsOwnHost(new Uri("https://api.example.com:8443/files/x.mp4")));
            Assert.False(http.IsOwnHost(new Uri("https://cdn.example.com/files/x.mp4")));
        }

        [Theory]
        [InlineData(302)]
        [InlineData(307)]
        public async Task A_redirect_answering_a_status_request_is_a_clear_error_naming_the_location(int status)
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "moved" }), Testing.Timeout());
            var location = new Uri(_other.BaseUri, "unified/v1/tasks/" + task.Id).AbsoluteUri;
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Redirect, Status = status, Location = location });
            var e = await Assert.ThrowsAnyAsync<SoraException>(() => client.GetAsync(task.Id, Testing.Timeout()));
            Assert.Equal("UnexpectedRedirect", e.ErrorId);
            Assert.NotEqual("TaskFailed", e.ErrorId);
            Assert.Contains(location, e.Message);
            Assert.Empty(_other.State.Requests);
        }

        [Theory]
        [InlineData(302)]
        [InlineData(308)]
        public async Task A_redirect_answering_a_submission_is_a_clear_error_and_is_not_resent(int status)
        {
            var client = Client();
            var location = new Uri(_other.BaseUri, "unified/v1/videos/generations").AbsoluteUri;
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Redirect, Status = status, Location = location });
            var e = await Assert.ThrowsAnyAsync<SoraException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "moved" }), Testing.Timeout()));
            Assert.Equal("UnexpectedRedirect", e.ErrorId);
            Assert.Contains(location, e.Message);
            Assert.Equal(1, _emu.State.Count("POST", "/"));
            Assert.Empty(_other.State.Requests);
        }

        // ----- 6. Size limits and result URLs -----

        [Fact]
        public async Task A_50_MB_answer_is_UnexpectedResponse_and_memory_stays_flat()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "huge" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.HugeBody, Size = 50L * 1024 * 1024 });
            var before = GC.GetTotalAllocatedBytes(true);
            var e = await Assert.ThrowsAsync<SoraProtocolException>(() => client.GetAsync(task.Id, Testing.Timeout()));
            var allocated = GC.GetTotalAllocatedBytes(true) - before;
            _out.WriteLine($"allocated {allocated / 1048576.0:0.0} MiB; {e.Message}");
            Assert.Equal("UnexpectedResponse", e.ErrorId);
            Assert.Contains("MiB", e.Message);
            Assert.True(allocated < 40L * 1024 * 1024, $"reading the answer allocated {allocated / 1048576.0:0.0} MiB");
            Assert.True((e.RawBody ?? "").Length <= SoraHttp.MaxResponseBytes);
        }

        [Fact]
        public async Task A_relative_result_url_is_resolved_against_the_profile()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Replace, Pattern = @"http://127\.0\.0\.1:\d+", Word = "", Times = 1000 });
            var task = await Finished(client, "relative");
            Assert.Equal("http", task.VideoUri.Scheme);
            Assert.Equal(_emu.BaseUri.Port, task.VideoUri.Port);
            var result = await client.DownloadAsync(task, Target(), Fast, null, Testing.Timeout());
            Assert.Equal(_emu.State.VideoFor(task.Id), File.ReadAllBytes(result.Path));
        }

        [Theory]
        [InlineData("file:///etc/passwd")]
        [InlineData("ftp://127.0.0.1/video.mp4")]
        public async Task A_result_url_that_is_not_http_is_refused_clearly(string url)
        {
            var client = Client();
            var task = await Finished(client, "odd url");
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Replace, Pattern = @"http://127\.0\.0\.1:\d+/[^""]*", Word = url });
            var e = await Assert.ThrowsAsync<SoraProtocolException>(() => client.GetAsync(task.Id, Testing.Timeout()));
            Assert.Contains(url, e.Message);
        }

        // ----- 7. Keys stay secret everywhere -----

        private string Everything(params object[] more) =>
            _log.All + "\n" + string.Join("\n", more.Select(m => m?.ToString())) + "\n" +
            string.Join("\n", Directory.Exists(_journal.Directory) ? Directory.GetFiles(_journal.Directory).Select(File.ReadAllText) : Array.Empty<string>());

        [Theory]
        [InlineData("UnifiedTask")]
        [InlineData("AzureJobs")]
        public async Task A_key_echoed_in_an_error_body_is_redacted_from_every_string(string dialect)
        {
            var client = Client(dialect);
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.EchoHeaders, Status = 400 });
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "echo" }), Testing.Timeout()));
            Assert.Contains("***", e.RawBody);
            Assert.DoesNotContain(Key, e.Message);
            Assert.DoesNotContain(Key, e.RawBody);
            Assert.DoesNotContain(Key, Everything(e));
        }

        [Theory]
        [InlineData("UnifiedTask")]
        [InlineData("OpenAI")]
        public async Task A_key_echoed_in_a_200_task_body_never_reaches_Raw_the_journal_or_the_log(string dialect)
        {
            var client = Client(dialect);
            _emu.State.AddFault(new Fault { Method = "GET", Kind = FaultKind.EchoHeaders, Status = 200, Times = 1000 });
            var task = await Finished(client, "echo");
            Assert.Contains("echo", task.Raw);
            Assert.DoesNotContain(Key, task.Raw);
            Assert.DoesNotContain(Key, Everything(task.Raw));
        }

        [Fact]
        public async Task A_key_echoed_in_an_unreadable_answer_is_redacted_from_the_kept_body()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "echo garbled" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.EchoHeaders, Status = 200 });
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Replace, Pattern = "\"status\"", Word = "\"status" });
            // Two faults cannot meet one request: garble the echo with a second request instead.
            var first = await client.GetAsync(task.Id, Testing.Timeout());
            Assert.DoesNotContain(Key, first.Raw);
            var e = await Assert.ThrowsAnyAsync<SoraException>(() => client.GetAsync(task.Id, Testing.Timeout()));
            Assert.DoesNotContain(Key, Everything(e, (e as SoraProtocolException)?.RawBody));
        }

        [Theory]
        [InlineData("a3f9c2e18b7d4f6a9c0e1b2d3f4a5b6c")]
        [InlineData("AbCdEfGh1234567890XyZw5678QrStUv")]
        [InlineData("sk-proj-abc123")]
        [InlineData("0123456789abcdef0123456789abcdef01234567")]
        public void A_key_given_where_a_variable_name_belongs_is_refused(string value)
        {
            var p = new SoraProfile { Name = "p", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com"), ApiKeyEnvironmentVariable = value };
            var e = Assert.Throws<SoraValidationException>(() => ProfileStore.Validate(p));
            Assert.Equal("InvalidKeyReference", e.ErrorId);
            Assert.DoesNotContain(value, e.Message);
        }

        [Theory]
        [InlineData("OPENAI_API_KEY")]
        [InlineData("SORAPS_PESTER_KEY")]
        [InlineData("MY_RELAY_KEY_2")]
        [InlineData("AZURE_OPENAI_API_KEY_WESTEUROPE_PROD")]
        public void A_variable_name_is_accepted(string value)
        {
            ProfileStore.Validate(new SoraProfile { Name = "p", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com"), ApiKeyEnvironmentVariable = value });
        }

        [Fact]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public void Key_and_profile_files_are_private_from_their_first_byte()
        {
            if (OperatingSystem.IsWindows()) return;
            var seen = new List<(string Path, UnixFileMode Mode)>();
            var dir = Path.Combine(_dir.Path, "config");
            Action<string> probe = p => { if (p.StartsWith(dir, StringComparison.Ordinal)) lock (seen) seen.Add((p, File.GetUnixFileMode(p))); };
            AtomicFile.TempOpened += probe;
            try
            {
                new KeyStore(dir).Set("p", Key);
                new ProfileStore(dir).Update(list => list.Add(new SoraProfile { Name = "p", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com") }));
            }
            finally
            {
                AtomicFile.TempOpened -= probe;
            }
            Assert.NotEmpty(seen);
            foreach (var (p, mode) in seen)
                Assert.True(mode == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"'{Path.GetFileName(p)}' existed with mode {mode} before its content was written");
            foreach (var f in new[] { KeyStore.FileName, ProfileStore.FileName })
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, f)));
            var journal = new TaskJournal(Path.Combine(dir, "journal"));
            journal.Record(new SoraTask("t1", "p", "OpenAI"), "submitted");
            foreach (var f in Directory.GetFiles(journal.Directory, "*.jsonl"))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
        }
    }
}
