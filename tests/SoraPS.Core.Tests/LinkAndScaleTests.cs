using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using SoraPS.Core.Downloads;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;
using Xunit.Abstractions;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// A symbolic link planted where SoraPS writes (a download's .partial file or its .partial.json record, the
    /// video's own name, a journal file) never makes SoraPS write to the file it points to: the link is removed
    /// and the file started afresh where the file is SoraPS's own scratch, the write is refused (PathIsLink) where it
    /// is not. The link's target keeps every byte.
    /// </summary>
    public sealed class LinkTests : IAsyncLifetime
    {
        private const string Key = "sk-link-tests-0123456789";
        private readonly ITestOutputHelper _out;
        private SoraEmulator _emu;
        private TempDir _dir;
        private CapturingLog _log;

        public LinkTests(ITestOutputHelper output) { _out = output; }

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { ApiKey = Key, TaskDuration = TimeSpan.FromMilliseconds(300), VideoSize = 256 * 1024 });
            _dir = new TempDir();
            _log = new CapturingLog();
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            _dir.Dispose();
        }

        private string Videos => Path.Combine(_dir.Path, "videos");

        /// <summary>A file outside the download folder that a planted link points to.</summary>
        private (string Path, byte[] Bytes) Victim()
        {
            var outside = Path.Combine(_dir.Path, "outside");
            Directory.CreateDirectory(outside);
            var path = Path.Combine(outside, "precious.txt");
            var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("precious data that is not a video\n", 200)));
            File.WriteAllBytes(path, bytes);
            return (path, bytes);
        }

        /// <summary>Plants a link; false (the test has nothing to check) where the system does not let this user make one.</summary>
        private bool Plant(string link, string target)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            try
            {
                File.CreateSymbolicLink(link, target);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is PlatformNotSupportedException)
            {
                _out.WriteLine($"Symbolic links cannot be made here ({e.Message}); nothing to check.");
                return false;
            }
        }

        private async Task<(SoraClient Client, SoraTask Task)> Finished()
        {
            var client = Testing.Client(_emu, "UnifiedTask", _log, key: Key);
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "links" }), Testing.Timeout());
            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            return (client, task);
        }

        private static bool IsLink(string path) => new FileInfo(path).LinkTarget != null;

        [Theory]
        [InlineData(VideoDownloader.PartialSuffix)]
        [InlineData(VideoDownloader.RecordSuffix)]
        public async Task A_scratch_file_planted_as_a_link_is_replaced_and_its_target_left_alone(string suffix)
        {
            var (client, task) = await Finished();
            var victim = Victim();
            var final = Path.Combine(Videos, "v.mp4");
            if (!Plant(final + suffix, victim.Path)) return;

            var result = await client.DownloadAsync(task, final, new DownloadOptions(), null, Testing.Timeout());

            _out.WriteLine(_log.All);
            Assert.Equal(victim.Bytes, File.ReadAllBytes(victim.Path));
            Assert.Equal(final, result.Path);
            Assert.False(IsLink(final), "the video was put in place as the planted link");
            Assert.Equal(_emu.State.Video, File.ReadAllBytes(final));
            Assert.False(File.Exists(final + VideoDownloader.PartialSuffix) || IsLink(final + VideoDownloader.PartialSuffix));
            Assert.False(File.Exists(final + VideoDownloader.RecordSuffix) || IsLink(final + VideoDownloader.RecordSuffix));
        }

        [Fact]
        public async Task A_video_name_that_is_a_link_is_refused_even_with_overwrite()
        {
            var (client, task) = await Finished();
            var victim = Victim();
            var final = Path.Combine(Videos, "v.mp4");
            if (!Plant(final, victim.Path)) return;

            Exception error = null;
            try { await client.DownloadAsync(task, final, new DownloadOptions { Overwrite = true }, null, Testing.Timeout()); }
            catch (Exception e) { error = e; }

            _out.WriteLine(error?.ToString() ?? "(no error)");
            var sora = Assert.IsAssignableFrom<SoraException>(error);
            Assert.Equal("PathIsLink", sora.ErrorId);
            Assert.Contains("symbolic link", sora.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(victim.Bytes, File.ReadAllBytes(victim.Path));
            Assert.True(IsLink(final), "the link was replaced although the save was refused");
            Assert.False(File.Exists(final + VideoDownloader.PartialSuffix));
            Assert.False(File.Exists(final + VideoDownloader.RecordSuffix));
        }

        [Fact]
        public void A_journal_file_that_is_a_link_is_refused()
        {
            var victim = Victim();
            var journal = new TaskJournal(Path.Combine(_dir.Path, "journal"));
            if (!Plant(journal.FileFor(DateTimeOffset.UtcNow), victim.Path)) return;

            var error = Record.Exception(() => journal.Record(new SoraTask("task_link", "p", "OpenAI") { Status = SoraTaskStatus.Queued }, JournalEvents.Submitted));

            _out.WriteLine(error?.ToString() ?? "(no error)");
            Assert.Equal("PathIsLink", Assert.IsAssignableFrom<SoraException>(error).ErrorId);
            Assert.Equal(victim.Bytes, File.ReadAllBytes(victim.Path));
        }

        [Fact]
        public void A_settings_file_that_is_a_link_is_replaced_not_written_through()
        {
            var victim = Victim();
            var file = Path.Combine(_dir.Path, "config", "profiles.json");
            if (!Plant(file, victim.Path)) return;

            AtomicFile.WriteAllText(file, "{\"written\":true}");

            Assert.Equal(victim.Bytes, File.ReadAllBytes(victim.Path));
            Assert.False(IsLink(file));
            Assert.Equal("{\"written\":true}", File.ReadAllText(file));
        }
    }

    /// <summary>
    /// The open-tasks index built the first time from a journal written without one: the same open tasks as a full
    /// read, in the same order, and (measured with nothing else running) without holding every task in memory.
    /// </summary>
    [Collection(nameof(MemoryMeasured))]
    public sealed class OpenIndexScaleTests
    {
        private readonly ITestOutputHelper _out;

        public OpenIndexScaleTests(ITestOutputHelper output) { _out = output; }

        private static SoraTask T(string id, SoraTaskStatus status, string profile = "p") =>
            new SoraTask(id, profile, "OpenAI") { Status = status, Prompt = "prompt of " + id, Model = "sora-2" };

        private static ValidatedRequest Request(string prompt) =>
            Testing.Client(null, "OpenAI", profile: new Profiles.SoraProfile { Name = "p", Dialect = "OpenAI", BaseUri = new Uri("http://127.0.0.1:9/v1/") }).Validate(new VideoRequest { Prompt = prompt });

        [Fact]
        public void The_first_build_finds_the_same_open_tasks_as_a_full_read()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                j.Record(T("queued", SoraTaskStatus.Queued), JournalEvents.Submitted);
                var saved = T("saved", SoraTaskStatus.Queued);
                j.Record(saved, JournalEvents.Submitted);
                j.Record(T("failed", SoraTaskStatus.Queued), JournalEvents.Submitted);
                var unsaved = T("unsaved", SoraTaskStatus.Queued);
                j.Record(unsaved, JournalEvents.Submitted);
                var expired = T("expired", SoraTaskStatus.Queued);
                j.Record(expired, JournalEvents.Submitted);
                var unknown = j.BeginSubmission("p", "OpenAI", Request("never answered"));
                j.MarkUnknown(unknown, "p", "OpenAI", "Network", "ConnectionLost", "the connection broke");
                var refused = j.BeginSubmission("p", "OpenAI", Request("refused"));
                j.MarkRefused(refused, "p", "OpenAI", "InvalidParameter", "BadRequest", "no");
                var linked = j.BeginSubmission("p", "OpenAI", Request("linked later"));
                j.CompleteSubmission(linked, T("linked", SoraTaskStatus.Running));
                var reopened = T("reopened", SoraTaskStatus.Queued);
                j.Record(reopened, JournalEvents.Submitted);
                j.Record(T("running", SoraTaskStatus.Running, profile: "q"), JournalEvents.Submitted);

                saved.Status = SoraTaskStatus.Succeeded;
                saved.SavedTo = "/videos/saved.mp4";
                j.Record(saved, "saved");
                j.Record(T("failed", SoraTaskStatus.Failed), "status");
                unsaved.Status = SoraTaskStatus.Succeeded;
                unsaved.ExpiresAt = DateTimeOffset.UtcNow.AddHours(1);
                j.Record(unsaved, "status");
                expired.Status = SoraTaskStatus.Succeeded;
                expired.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
                j.Record(expired, "status");
                // Finished, then running again (a provider that retried it): open once more, with its first line's prompt.
                reopened.Status = SoraTaskStatus.Failed;
                j.Record(reopened, "status");
                reopened.Status = SoraTaskStatus.Running;
                j.Record(reopened, "status");

                var expected = j.Read().Where(e => e.Open).Select(Describe).ToList();
                _out.WriteLine(string.Join("\n", expected));
                Assert.Equal(new[] { "running", "reopened", "linked", unknown, "unsaved", "queued" }, j.Read().Where(e => e.Open).Select(e => e.Id));
                File.Delete(j.IndexPath);

                var first = new TaskJournal(dir.Path).ReadOpen().Select(Describe).ToList();
                Assert.Equal(expected, first);
                Assert.True(File.Exists(j.IndexPath), "the first read did not write the index");
                var later = new TaskJournal(dir.Path).ReadOpen().Select(Describe).ToList();
                Assert.Equal(expected, later);
            }
        }

        private static string Describe(JournalEntry e) =>
            $"{e.Profile}/{e.Id}: {e.Status} saved={e.SavedTo} unresolved={e.Unresolved} prompt={e.Prompt} submitted={e.SubmittedAt:O} error={e.ErrorCode}";

        [Fact]
        public void The_first_build_holds_only_the_open_tasks()
        {
            const int tasks = 20000;
            using (var dir = new TempDir())
            {
                var file = Path.Combine(dir.Path, "tasks-" + DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture) + ".jsonl");
                var prompt = string.Concat(Enumerable.Repeat("a long prompt about a lighthouse at dusk, waves, gulls; ", 8));
                var at = DateTimeOffset.UtcNow.AddDays(-20);
                using (var w = new StreamWriter(file, false, new UTF8Encoding(false)))
                {
                    for (var i = 0; i < tasks; i++)
                    {
                        var id = "task_" + i.ToString("x8", CultureInfo.InvariantCulture) + "0123456789abcdef";
                        w.Write(JsonSerializer.Serialize(new JournalEntry { Id = id, Profile = "p", Dialect = "OpenAI", Model = "sora-2", Prompt = prompt + i, Duration = 8, AspectRatio = "16:9", Resolution = "720p", Status = SoraTaskStatus.Queued, ProviderStatus = "queued", SubmittedAt = at, UpdatedAt = at, Event = JournalEvents.Submitted }, TaskJournal.Json) + "\n");
                        if (i >= tasks - 10) continue; // the last ten are still running
                        w.Write(JsonSerializer.Serialize(new JournalEntry { Id = id, Profile = "p", Status = SoraTaskStatus.Succeeded, ProviderStatus = "completed", Progress = 100, VideoUri = "https://example.invalid/v/" + id, ExpiresAt = at.AddDays(1), UpdatedAt = at.AddMinutes(2), Event = "status" }, TaskJournal.Json) + "\n");
                        w.Write(JsonSerializer.Serialize(new JournalEntry { Id = id, Profile = "p", SavedTo = "/videos/" + id + ".mp4", UpdatedAt = at.AddMinutes(3), Event = "saved" }, TaskJournal.Json) + "\n");
                    }
                    // A malformed last line: its warning comes once every other line is read, the moment the build holds the most.
                    w.Write("{\"id\":\"malformed\n");
                }

                long before = 0, atEnd = 0;
                var log = new MeasuringLog(() => atEnd = GC.GetTotalMemory(true));
                var journal = new TaskJournal(dir.Path) { Log = log };
                before = GC.GetTotalMemory(true);
                var open = journal.Read(new JournalFilter { PendingOnly = true });
                var held = atEnd - before;
                _out.WriteLine($"{tasks} tasks, {open.Count} open; held at the end of the journal: {held / 1048576.0:0.0} MiB");
                Assert.Equal(10, open.Count);
                Assert.True(atEnd > 0, "the malformed line was not reported");
                // A full merge holds every task (about 1.5 KiB each here: some 30 MiB); only the open ones are needed.
                Assert.True(held < 12L * 1048576, $"the first build held {held / 1048576.0:0.0} MiB for {tasks} tasks of which {open.Count} are open");
            }
        }

        private sealed class MeasuringLog : Http.ISoraLog
        {
            private readonly Action _onWarning;
            public MeasuringLog(Action onWarning) { _onWarning = onWarning; }
            public void Verbose(string message) { }
            public void Debug(string message) { }
            public void Warning(string message) => _onWarning();
        }
    }

    /// <summary>Tests that measure the process's memory: run alone, after the others.</summary>
    [CollectionDefinition(nameof(MemoryMeasured), DisableParallelization = true)]
    public sealed class MemoryMeasured
    {
    }
}
