using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;
using Xunit.Abstractions;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// The fault matrix: for each injected fault, the outcome (a retry that succeeds, or a clear error
    /// with its ErrorId), zero task ids lost from the journal, zero partial files, zero duplicate
    /// submissions, and no key in any captured output.
    /// </summary>
    public sealed class FaultMatrixTests : IAsyncLifetime
    {
        private const string Key = "sk-fault-matrix-secret-0123456789";
        private readonly ITestOutputHelper _out;
        private SoraEmulator _emu;
        private TempDir _dir;
        private CapturingLog _log;
        private TaskJournal _journal;
        private readonly List<string> _messages = new List<string>();

        public FaultMatrixTests(ITestOutputHelper output) { _out = output; }

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { ApiKey = Key, TaskDuration = TimeSpan.FromMilliseconds(600), VideoSize = 3 * 1024 * 1024 });
            _dir = new TempDir();
            _log = new CapturingLog();
            _journal = new TaskJournal(Path.Combine(_dir.Path, "journal"));
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            _dir.Dispose();
        }

        private SoraClient Client(string dialect = "UnifiedTask")
        {
            var c = Testing.Client(_emu, dialect, _log, key: Key);
            c.Journal = _journal;
            c.Http.RequestTimeout = TimeSpan.FromMilliseconds(800);
            return c;
        }

        private async Task<(SoraTask Task, List<WaitEvent> Events)> SubmitAndWait(SoraClient client, string prompt = "fault matrix")
        {
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = prompt }), Testing.Timeout());
            return (task, Testing.WaitFor(client, task));
        }

        private string Downloads => Path.Combine(_dir.Path, "videos");

        private async Task<Exception> Capture(Func<Task> action)
        {
            try
            {
                await action();
                return null;
            }
            catch (Exception e)
            {
                _messages.Add(e.ToString());
                return e;
            }
        }

        /// <summary>The invariants every case ends with.</summary>
        private void AssertInvariants(int expectedTasksAtProvider, string outcome)
        {
            var created = _emu.State.Tasks.Count;
            Assert.Equal(expectedTasksAtProvider, created);
            var journaled = _journal.Read().Where(e => !e.Unresolved).Select(e => e.Id).ToHashSet();
            foreach (var id in _emu.State.Tasks.Keys.Where(id => !_unresolvedOk.Contains(id)))
                Assert.Contains(id, journaled);
            var partials = Directory.Exists(Downloads) ? Directory.GetFiles(Downloads, "*" + VideoDownloader.PartialSuffix) : Array.Empty<string>();
            Assert.Empty(partials);
            var everything = _log.All + string.Join("\n", _messages) + string.Join("\n", Directory.Exists(_journal.Directory) ? Directory.GetFiles(_journal.Directory).Select(File.ReadAllText) : Array.Empty<string>());
            Assert.DoesNotContain(Key, everything);
            _out.WriteLine($"outcome: {outcome}; tasks at provider {created}, POSTs {_emu.State.Count("POST", "/")}, journal {journaled.Count}, partial files {partials.Length}");
        }

        private readonly HashSet<string> _unresolvedOk = new HashSet<string>();

        [Theory]
        [InlineData("retry-after-ms", "300")]
        [InlineData("retry-after", "1")]
        [InlineData("retry-after", "date")]
        public async Task Status_429_on_a_poll_is_retried_after_the_hinted_delay(string header, string value)
        {
            var client = Client();
            if (value == "date") value = DateTimeOffset.UtcNow.AddSeconds(2).ToString("r");
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Status, Status = 429, Headers = { [header] = value } });
            var (task, _) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(1, fault.Hits);
            Assert.Contains("as the provider asked", _log.All);
            AssertInvariants(1, "retried after hint, succeeded");
        }

        [Fact]
        public async Task Status_429_with_x_should_retry_false_is_not_retried_by_http_but_the_wait_goes_on()
        {
            var client = Client();
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Status, Status = 429, Headers = { ["x-should-retry"] = "false" } });
            var (task, _) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(1, fault.Hits);
            Assert.DoesNotContain("Retrying GET", _log.All);
            AssertInvariants(1, "no HTTP retry; the wait polled again and succeeded");
        }

        [Theory]
        [InlineData(500)]
        [InlineData(502)]
        [InlineData(503)]
        public async Task Server_errors_on_a_poll_are_retried(int status)
        {
            var client = Client();
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Status, Status = status, Times = 2 });
            var (task, _) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(2, fault.Hits);
            Assert.Contains("Retrying GET", _log.All);
            AssertInvariants(1, $"{status} x2 retried, succeeded");
        }

        [Theory]
        [InlineData(429, true)]
        [InlineData(500, false)]
        public async Task A_submission_is_resent_only_when_the_provider_certainly_refused_it(int status, bool resent)
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Status, Status = status });
            var e = await Capture(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "paid once" }), Testing.Timeout()));
            Assert.Equal(resent ? 2 : 1, _emu.State.Count("POST", "/"));
            if (resent)
            {
                Assert.Null(e);
                AssertInvariants(1, $"{status}: resent once, accepted once");
            }
            else
            {
                var api = Assert.IsType<SoraApiException>(e);
                Assert.Equal("ProviderUnavailable", api.ErrorId);
                AssertInvariants(0, $"{status}: not resent, ProviderUnavailable");
            }
        }

        [Fact]
        public async Task A_reset_after_the_provider_accepted_is_never_resent_and_is_journaled_as_unknown()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.AcceptThenReset });
            var e = await Capture(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "accepted then lost" }), Testing.Timeout()));
            var net = Assert.IsType<SoraNetworkException>(e);
            Assert.Equal("SubmissionOutcomeUnknown", net.ErrorId);
            Assert.Contains("NOT sent again", net.Message);
            Assert.Equal(1, _emu.State.Count("POST", "/"));
            var unknown = Assert.Single(_journal.Read(), x => x.Unresolved);
            Assert.Equal("accepted then lost", unknown.Prompt);
            Assert.Contains(unknown.Id, net.Message);
            _unresolvedOk.UnionWith(_emu.State.Tasks.Keys);
            AssertInvariants(1, "SubmissionOutcomeUnknown, journaled Unknown, 1 POST");
        }

        [Fact]
        public async Task A_submission_answer_broken_mid_body_is_never_resent_and_is_journaled_as_unknown()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.ResetMidBody, Fraction = 0.5 });
            var e = await Capture(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "answer cut" }), Testing.Timeout()));
            Assert.Equal("SubmissionOutcomeUnknown", Assert.IsType<SoraNetworkException>(e).ErrorId);
            Assert.Equal(1, _emu.State.Count("POST", "/"));
            Assert.Single(_journal.Read(), x => x.Unresolved && x.Prompt == "answer cut");
            _unresolvedOk.UnionWith(_emu.State.Tasks.Keys);
            AssertInvariants(1, "answer cut mid-body: SubmissionOutcomeUnknown, journaled Unknown, 1 POST");
        }

        [Fact]
        public async Task A_slow_submission_past_the_timeout_is_not_resent()
        {
            var client = Client();
            client.Profile.Settings = new Dictionary<string, string> { ["RequestTimeoutSec"] = "0.4" };
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(3) });
            var e = await Capture(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "slow accept" }), Testing.Timeout()));
            Assert.Equal("SubmissionOutcomeUnknown", Assert.IsType<SoraNetworkException>(e).ErrorId);
            Assert.Equal(1, _emu.State.Count("POST", "/"));
            Assert.Single(_journal.Read(), x => x.Unresolved);
            AssertInvariants(0, "SubmissionOutcomeUnknown after timeout, 1 POST");
        }

        [Fact]
        public async Task SubmitTimeout_not_request_timeout_governs_submissions()
        {
            var client = Client();
            client.Http.RequestTimeout = TimeSpan.FromMilliseconds(100);
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Delay, Delay = TimeSpan.FromMilliseconds(500) });
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "patient" }), Testing.Timeout());
            Assert.True(_emu.State.Tasks.TryGetValue(task.Id, out var made), "the task id is not one the emulator made");
            Assert.Equal("patient", made.Prompt);
            AssertInvariants(1, "slow but within the submission time limit");
        }

        [Fact]
        public async Task A_slow_poll_past_the_timeout_is_retried()
        {
            var client = Client();
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(3) });
            client.Http.RequestTimeout = TimeSpan.FromMilliseconds(400);
            var (task, _) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(1, fault.Hits);
            AssertInvariants(1, "timed-out poll retried, succeeded");
        }

        [Fact]
        public async Task A_connection_reset_in_the_middle_of_a_json_body_is_retried()
        {
            var client = Client();
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.ResetMidBody, Times = 2 });
            var (task, _) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(2, fault.Hits);
            AssertInvariants(1, "reset mid-JSON retried, succeeded");
        }

        [Fact]
        public async Task Malformed_json_once_is_tolerated_and_repeatedly_is_UnexpectedResponse_with_the_body()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.MalformedJson });
            var (task, _) = await SubmitAndWait(client, "garbled once");
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.MalformedJson, Times = 100 });
            var (task2, events) = await SubmitAndWait(client, "garbled always");
            var error = events.Single(e => e.Kind == WaitEventKind.Error);
            var protocol = Assert.IsType<SoraProtocolException>(error.Error);
            _messages.Add(protocol.ToString());
            Assert.Equal("UnexpectedResponse", protocol.ErrorId);
            Assert.StartsWith("{\"id\":\"video_x\"", protocol.RawBody);
            Assert.False(task2.IsTerminal);
            Assert.Contains(task2.Id, _journal.Read(new JournalFilter { PendingOnly = true }).Select(x => x.Id));
            _emu.State.ClearFaults();
            AssertInvariants(2, "1 garbled answer tolerated; 4 in a row -> UnexpectedResponse, task kept pending in the journal");
        }

        [Fact]
        public async Task Malformed_json_answering_a_submission_is_UnexpectedResponse_and_journaled()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.MalformedJson });
            var e = await Capture(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "unreadable" }), Testing.Timeout()));
            Assert.Equal("UnexpectedResponse", Assert.IsType<SoraProtocolException>(e).ErrorId);
            Assert.Single(_journal.Read(), x => x.Unresolved && x.Prompt == "unreadable");
            AssertInvariants(0, "UnexpectedResponse, journaled Unknown");
        }

        [Fact]
        public async Task An_unknown_status_word_is_polled_on_not_failed()
        {
            var client = Client();
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.StatusWord, Word = "warming_up", Times = 3 });
            var (task, events) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(3, fault.Hits);
            Assert.Contains("unknown status 'warming_up'", _log.All);
            AssertInvariants(1, "unknown word x3 treated as running, then succeeded");
        }

        [Fact]
        public async Task Moderation_failure_at_90_percent_is_a_terminal_failure()
        {
            var client = Client();
            var (task, events) = await SubmitAndWait(client, "crowd [fail:moderation]");
            Assert.Equal(SoraTaskStatus.Failed, task.Status);
            Assert.Equal("ContentModerationFailed", new SoraTaskFailedException(task).ErrorId);
            Assert.Equal(SoraTaskStatus.Failed, _journal.Read().Single().Status);
            AssertInvariants(1, "ContentModerationFailed at 90 %, journal says Failed");
        }

        [Theory]
        [InlineData(FaultKind.ResetMidBody)]
        [InlineData(FaultKind.TruncatedBody)]
        public async Task A_broken_download_is_resumed_with_range(FaultKind kind)
        {
            var client = Client();
            var (task, _) = await SubmitAndWait(client);
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = kind, Fraction = 0.4 });
            var result = await client.DownloadAsync(task, Path.Combine(Downloads, "v.mp4"), new DownloadOptions { ResumeDelay = TimeSpan.FromMilliseconds(10) }, null, Testing.Timeout());
            Assert.Equal(1, fault.Hits);
            Assert.Equal(_emu.State.Video, File.ReadAllBytes(result.Path));
            var gets = _emu.State.Requests.Where(r => r.Path.Contains("/files/")).ToList();
            _out.WriteLine(string.Join("\n", _emu.State.Requests.Select(r => $"{r.Method} {r.Path} {r.Status} range={r.Range}")) + "\n" + _log.All);
            Assert.Equal(2, gets.Count);
            Assert.StartsWith("bytes=", gets[1].Range);
            Assert.NotEqual("bytes=0-", gets[1].Range);
            Assert.Equal(result.Path, _journal.Read().Single().SavedTo);
            AssertInvariants(1, $"{kind} at 40 %: resumed with {gets[1].Range}, file identical");
        }

        [Fact]
        public async Task A_server_that_lies_about_the_length_never_yields_a_short_file()
        {
            // Every answer claims the whole video in its Content-Range yet carries 40 % of it, and ends cleanly:
            // HttpClient sees nothing wrong, so only SoraPS's own length check stands between this and a short file.
            var client = Client();
            var (task, _) = await SubmitAndWait(client);
            var fault = _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.ShortRange, Fraction = 0.4, Times = 10 });
            var target = Path.Combine(Downloads, "v.mp4");
            var e = await Capture(() => client.DownloadAsync(task, target, new DownloadOptions { ResumeDelay = TimeSpan.FromMilliseconds(10) }, null, Testing.Timeout()));
            Assert.Equal("DownloadTruncated", Assert.IsType<SoraNetworkException>(e).ErrorId);
            Assert.True(fault.Hits >= 1);
            Assert.False(File.Exists(target), "a file shorter than the video was put in place");
            Assert.Null(_journal.Read().Single().SavedTo);
            AssertInvariants(1, "Content-Range claims the whole video, 40 % sent: DownloadTruncated, no file");
        }

        [Fact]
        public async Task A_download_that_keeps_breaking_fails_clearly_and_leaves_no_partial_file()
        {
            var client = Client();
            var (task, _) = await SubmitAndWait(client);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.ResetMidBody, Times = 10 });
            var target = Path.Combine(Downloads, "v.mp4");
            var e = await Capture(() => client.DownloadAsync(task, target, new DownloadOptions { ResumeDelay = TimeSpan.FromMilliseconds(10) }, null, Testing.Timeout()));
            Assert.Equal("DownloadInterrupted", Assert.IsType<SoraNetworkException>(e).ErrorId);
            Assert.False(File.Exists(target));
            Assert.Null(_journal.Read().Single().SavedTo);
            Assert.True(_journal.Read().Single().Pending);
            AssertInvariants(1, "DownloadInterrupted after 4 tries, no file, task still pending");
        }

        [Theory]
        [InlineData(403)]
        [InlineData(404)]
        [InlineData(410)]
        public async Task An_expired_link_is_VideoExpired(int status)
        {
            var client = Client();
            var (task, _) = await SubmitAndWait(client);
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.Status, Status = status });
            var e = await Capture(() => client.DownloadAsync(task, Path.Combine(Downloads, "v.mp4"), new DownloadOptions(), null, Testing.Timeout()));
            Assert.Equal("VideoExpired", Assert.IsType<SoraException>(e).ErrorId);
            Assert.Empty(Directory.Exists(Downloads) ? Directory.GetFiles(Downloads) : Array.Empty<string>());
            AssertInvariants(1, $"{status}: VideoExpired, no file");
        }

        [Fact]
        public async Task A_key_echoed_by_the_provider_in_every_answer_never_reaches_any_output()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.EchoHeaders, Status = 200, Times = 1000 });
            var (task, _) = await SubmitAndWait(client);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Contains("\"echo\"", task.Raw);
            _messages.Add(task.Raw);
            _emu.State.ClearFaults();
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.EchoHeaders, Status = 400 });
            var e = await Capture(() => client.GetAsync(task.Id, Testing.Timeout()));
            _messages.Add(Assert.IsType<SoraApiException>(e).RawBody);
            AssertInvariants(1, "key echoed in 200 and 400 bodies: redacted from Raw, RawBody, messages, log and journal");
        }

        [Fact]
        public async Task A_redirect_answering_a_poll_is_UnexpectedRedirect_and_the_task_stays_pending()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "moved away" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Redirect, Status = 302, Location = "http://127.0.0.1:9/elsewhere", Times = 1000 });
            var events = Testing.WaitFor(client, task);
            var error = events.Single(x => x.Kind == WaitEventKind.Error);
            var ex = Assert.IsAssignableFrom<SoraException>(error.Error);
            _messages.Add(ex.ToString());
            Assert.Equal("UnexpectedRedirect", ex.ErrorId);
            Assert.Contains("http://127.0.0.1:9/elsewhere", ex.Message);
            Assert.False(task.IsTerminal);
            Assert.Contains(task.Id, _journal.Read(new JournalFilter { PendingOnly = true }).Select(x => x.Id));
            _emu.State.ClearFaults();
            AssertInvariants(1, "302 on a poll: UnexpectedRedirect naming the Location, task pending, not TaskFailed");
        }

        [Fact]
        public async Task A_download_redirected_to_another_origin_arrives_whole_without_the_key()
        {
            await using (var other = await SoraEmulator.StartAsync(new EmulatorOptions { ApiKey = Key, VideoSize = 3 * 1024 * 1024 }))
            {
                var client = Client();
                var (task, _) = await SubmitAndWait(client);
                _emu.State.AddFault(new Fault { Method = "GET", Path = "/files/", Kind = FaultKind.Redirect, Status = 307, Location = new Uri(other.BaseUri, "cdn/v.mp4").AbsoluteUri, Times = 2 });
                other.State.AddFault(new Fault { Method = "GET", Path = "/cdn/", Kind = FaultKind.ResetMidBody, Fraction = 0.5 });
                var result = await client.DownloadAsync(task, Path.Combine(Downloads, "v.mp4"), new DownloadOptions { ResumeDelay = TimeSpan.FromMilliseconds(10) }, null, Testing.Timeout());
                Assert.Equal(other.State.Video, File.ReadAllBytes(result.Path));
                Assert.All(other.State.Requests, r => Assert.False(r.CarriedKey, r.HeaderText));
                Assert.Equal(2, other.State.Requests.Count);
                AssertInvariants(1, "307 to another origin, broken there once: resumed, whole, no key sent there");
            }
        }

        [Fact]
        public async Task A_crash_between_submit_and_wait_loses_nothing()
        {
            // The "crashed" script: submits three tasks, then disappears without waiting.
            var first = Client();
            var ids = new List<string>();
            for (var i = 0; i < 3; i++) ids.Add((await first.SubmitAsync(first.Validate(new VideoRequest { Prompt = "before the crash " + i }), Testing.Timeout())).Id);
            // A new process: only the journal on disk connects it to the old one.
            var journal = new TaskJournal(_journal.Directory);
            var pending = journal.Read(new JournalFilter { PendingOnly = true }).Select(e => e.ToTask()).ToList();
            Assert.Equal(ids.OrderBy(x => x), pending.Select(t => t.Id).OrderBy(x => x));
            var second = Testing.Client(_emu, "UnifiedTask", _log, key: Key);
            second.Journal = journal;
            using (var waiter = new TaskWaiter(_ => second, Testing.Fast, Testing.Timeout()))
            {
                foreach (var t in pending) waiter.Add(t);
                var deadline = DateTime.UtcNow.AddSeconds(40);
                while (waiter.Outstanding > 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"{waiter.Outstanding} resumed task(s) still outstanding after 40 s");
                    if (!waiter.TryTake(TimeSpan.FromMilliseconds(200), out var e) || e.Kind != WaitEventKind.Completed) continue;
                    await second.DownloadAsync(e.Task, Path.Combine(Downloads, e.Task.Id + ".mp4"), new DownloadOptions(), null, Testing.Timeout());
                }
            }
            Assert.Empty(journal.Read(new JournalFilter { PendingOnly = true }));
            Assert.Equal(3, Directory.GetFiles(Downloads, "*.mp4").Length);
            Assert.Equal(3, _emu.State.Count("POST", "/"));
            AssertInvariants(3, "3 tasks resumed from the journal, waited, saved; 0 pending");
        }
    }
}
