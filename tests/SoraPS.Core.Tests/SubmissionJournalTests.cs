using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>A paid submission is never invisible; bad data never blocks recovery; a year of journal stays fast.</summary>
    public sealed class SubmissionJournalTests : IAsyncLifetime
    {
        private SoraEmulator _emu;
        private TempDir _dir;
        private TaskJournal _journal;
        private JournalLog _log;

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(300) });
            _dir = new TempDir();
            _log = new JournalLog();
            _journal = new TaskJournal(Path.Combine(_dir.Path, "journal")) { Log = _log };
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            _dir.Dispose();
        }

        private SoraClient Client(string dialect = "UnifiedTask")
        {
            var c = Testing.Client(_emu, dialect, _log);
            c.Journal = _journal;
            return c;
        }

        [Fact]
        public async Task The_journal_holds_the_submission_before_the_answer_arrives()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(2) });
            var submit = client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "in flight" }), Testing.Timeout());
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (_emu.State.Count("POST", "/") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the submission never reached the emulator");
                await Task.Delay(20);
            }
            // What another process would see now, while the request is out.
            var during = Assert.Single(new TaskJournal(_journal.Directory).Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }));
            Assert.StartsWith(JournalEntry.LocalIdPrefix, during.Id);
            Assert.Equal("in flight", during.Prompt);
            Assert.NotNull(during.SubmittedAt);
            var task = await submit;
            var after = Assert.Single(new TaskJournal(_journal.Directory).Read());
            Assert.Equal(task.Id, after.Id);
            Assert.Equal(during.Id, after.SubmissionId);
            Assert.Equal("in flight", after.Prompt);
            Assert.Empty(_journal.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }));
        }

        [Theory]
        [InlineData(502)]
        [InlineData(503)]
        [InlineData(504)]
        public async Task A_gateway_error_on_a_submission_is_Unknown_and_never_resent(int status)
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Status, Status = status });
            var e = await Assert.ThrowsAsync<SoraNetworkException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "via gateway" }), Testing.Timeout()));
            Assert.Equal("SubmissionOutcomeUnknown", e.ErrorId);
            Assert.NotEqual("GenerationTimeout", ((SoraException)e.InnerException).ErrorId);
            Assert.Equal(1, _emu.State.Count("POST", "/"));
            var entry = Assert.Single(_journal.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }));
            Assert.Contains(entry.Id, e.Message);
        }

        [Fact]
        public async Task A_504_on_a_read_is_GatewayTimeout_not_GenerationTimeout()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "read through a gateway" }), Testing.Timeout());
            var http = new SoraHttp(client.Profile.BaseUri, new ApiCredential("emulator-key", "t"), client.Dialect.Auth, null, new RetryPolicy { MaxAttempts = 1 });
            _emu.State.AddFault(new Fault { Method = "GET", Path = "/v1/tasks/", Kind = FaultKind.Status, Status = 504 });
            var response = await http.SendAsync(() => client.Dialect.BuildQuery(client.Profile, task.Id), RequestKind.Read, Testing.Timeout());
            Assert.NotEqual("GenerationTimeout", client.Dialect.ParseError(response).ErrorId);
            Assert.Equal("GatewayTimeout", ErrorIds.For(SoraErrorKind.Timeout, 504));
            Assert.Equal("GenerationTimeout", ErrorIds.For(SoraErrorKind.Timeout, 200));
        }

        [Fact]
        public async Task Stopping_a_submission_in_flight_leaves_it_Unknown()
        {
            var client = Client();
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(5) });
            using (var stop = new CancellationTokenSource())
            {
                var submit = client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "stopped" }), stop.Token);
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (_emu.State.Count("POST", "/") == 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the submission never reached the emulator");
                    await Task.Delay(20);
                }
                stop.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => submit);
            }
            var entry = Assert.Single(_journal.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }));
            Assert.Equal("unknown", entry.Event);
            Assert.False(entry.Pending);
        }

        [Fact]
        public async Task A_refused_submission_leaves_nothing_to_resolve()
        {
            var client = Client("OpenAI");
            await Assert.ThrowsAnyAsync<SoraException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "no [refuse]" }), Testing.Timeout()));
            Assert.Empty(_journal.Read());
        }

        [Theory]
        [InlineData("OpenAI")]
        [InlineData("AzureJobs")]
        public async Task An_unknown_submission_is_resolved_from_the_provider_list(string dialect)
        {
            var client = Client(dialect);
            await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "another prompt" }), Testing.Timeout());
            _emu.State.AddFault(new Fault { Method = "POST", Kind = FaultKind.AcceptThenReset });
            await Assert.ThrowsAsync<SoraNetworkException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "lost answer" }), Testing.Timeout()));
            var entry = Assert.Single(_journal.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }));
            var found = await client.FindSubmissionAsync(entry, Testing.Timeout());
            var match = Assert.Single(found);
            Assert.Equal(_emu.State.Tasks.Values.Single(t => t.Prompt == "lost answer").Id, match.Id);
            client.RecordResolution(entry, match);
            Assert.Empty(_journal.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }));
            var resolved = _journal.Read().First(e => e.Id == match.Id);
            Assert.Equal("lost answer", resolved.Prompt);
            Assert.Null(resolved.ErrorCode);
            Assert.True(resolved.Pending);
        }

        [Fact]
        public void Every_kind_of_malformed_line_is_skipped_with_one_warning_naming_file_and_line()
        {
            var t = new SoraTask("good", "p", "OpenAI") { Status = SoraTaskStatus.Running, Prompt = "kept" };
            _journal.Record(t, "submitted");
            var file = _journal.FileFor(DateTimeOffset.UtcNow);
            var garbage = new[] { "{\"id\":\"torn\",\"prof", "not json", "[1,2]", "\"text\"", "null", "42", "{\"id\":42}", "{\"id\":\"  \"}",
                "{\"id\":\"x\",\"status\":\"Exploded\"}", "{\"id\":\"x\",\"status\":99}", "{\"id\":\"y\",\"progress\":\"lots\"}",
                "{\"id\":\"z\",\"createdAt\":\"yesterday\"}", "{\"id\":\"w\",\"progress\":99999999999}", "{}", "\u00ff\u00fe garbage", "{\"id\":\"q\",\"status\":{}}" };
            File.AppendAllText(file, string.Join("\n", garbage) + "\n");
            var bytes = File.ReadAllBytes(file).Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray(); // invalid UTF-8
            File.WriteAllBytes(file, bytes);
            _journal.Record(new SoraTask("later", "p", "OpenAI") { Status = SoraTaskStatus.Queued, Prompt = "after the garbage" }, "submitted");
            foreach (var read in new Func<IReadOnlyList<JournalEntry>>[]
                     {
                         () => _journal.Read(new JournalFilter { PendingOnly = true }),
                         () => _journal.Read(),
                         () => _journal.Read(new JournalFilter { First = 10 }),
                     })
            {
                _log.Clear();
                var entries = read();
                Assert.Equal(new[] { "later", "good" }, entries.Select(e => e.Id));
                var warnings = _log.Warnings;
                Assert.Equal(garbage.Length + 1, warnings.Count);
                for (var i = 2; i <= garbage.Length + 2; i++)
                    Assert.Single(warnings, w => w.Contains(file) && w.Contains($"line {i} "));
            }
        }

        [Fact]
        public void A_corrupt_index_is_rebuilt_from_the_files_with_a_warning()
        {
            _journal.Record(new SoraTask("a", "p", "OpenAI") { Status = SoraTaskStatus.Running }, "submitted");
            Assert.Single(_journal.Read(new JournalFilter { PendingOnly = true }));
            Assert.True(File.Exists(_journal.IndexPath));
            File.WriteAllText(_journal.IndexPath, "{\"version\":1,\"files\":{\"tasks-");
            _log.Clear();
            Assert.Equal("a", Assert.Single(_journal.Read(new JournalFilter { PendingOnly = true })).Id);
            Assert.Single(_log.Warnings, w => w.Contains(_journal.IndexPath));
        }

        [Fact]
        public void The_index_and_the_newest_first_reads_agree_with_a_full_read()
        {
            var random = new Random(7);
            var tasks = new List<SoraTask>();
            for (var round = 0; round < 6; round++)
            {
                for (var i = 0; i < 40; i++)
                {
                    var t = new SoraTask("t" + round + "-" + i, "p" + (i % 2), "OpenAI") { Status = SoraTaskStatus.Queued, Prompt = "prompt " + i };
                    var request = Testing.Client(null, "OpenAI", profile: new Profiles.SoraProfile { Name = t.Profile, Dialect = "OpenAI", BaseUri = new Uri("https://x.example.com") })
                        .Validate(new VideoRequest { Prompt = t.Prompt });
                    var local = _journal.BeginSubmission(t.Profile, "OpenAI", request);
                    switch (random.Next(4))
                    {
                        case 0: _journal.MarkUnknown(local, t.Profile, "OpenAI", "Timeout", "SubmissionOutcomeUnknown", "no answer"); continue;
                        case 1: _journal.MarkRefused(local, t.Profile, "OpenAI", "InvalidParameter", "InvalidParameter", "bad"); continue;
                        default: _journal.CompleteSubmission(local, t); tasks.Add(t); break;
                    }
                }
                foreach (var t in tasks.Where(_ => random.Next(3) == 0))
                {
                    t.Status = (SoraTaskStatus)random.Next(0, 6);
                    if (t.Status == SoraTaskStatus.Succeeded && random.Next(2) == 0) { t.SavedTo = "/v/" + t.Id; _journal.Record(t, "saved"); }
                    else _journal.Record(t, "status");
                }
                var all = new TaskJournal(_journal.Directory).Read();
                var fresh = new TaskJournal(_journal.Directory);
                Assert.Equal(all.Where(e => e.Pending).Select(e => e.Id), fresh.Read(new JournalFilter { PendingOnly = true }).Select(e => e.Id));
                Assert.Equal(all.Where(e => e.Unresolved).Select(e => e.Id), fresh.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }).Where(e => e.Unresolved).Select(e => e.Id));
                Assert.Equal(all.Take(15).Select(e => e.Id + e.Status + e.SavedTo + e.Prompt), fresh.Read(new JournalFilter { First = 15 }).Select(e => e.Id + e.Status + e.SavedTo + e.Prompt));
                Assert.Equal(all.Where(e => e.Profile == "p1").Take(7).Select(e => e.Id), fresh.Read(new JournalFilter { First = 7, Profile = "p1" }).Select(e => e.Id));
            }
        }
    }

    /// <summary>Keeps warnings apart, so a test can count them.</summary>
    public sealed class JournalLog : ISoraLog
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) => _warnings.Enqueue(message);
        public List<string> Warnings => _warnings.ToList();
        public void Clear() { while (_warnings.TryDequeue(out _)) { } }
    }
}
