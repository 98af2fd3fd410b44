using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Journals written by earlier versions (these lines are in the format they wrote) still load.</summary>
    public sealed class JournalFormatTests
    {
        private const string Month = "tasks-2026-11.jsonl";

        private static readonly string[] Lines =
        {
            // A submission journaled before its request left, then linked to the provider's id, polled and saved.
            "{\"id\":\"sub-20261101100000-0123456789ab\",\"submissionId\":\"sub-20261101100000-0123456789ab\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"model\":\"sora-2\",\"prompt\":\"a fox in the snow\",\"duration\":10,\"aspectRatio\":\"16:9\",\"resolution\":\"720p\",\"image\":\"https://images.example.com/f.png\",\"status\":\"Unknown\",\"providerStatus\":\"submitting\",\"submittedAt\":\"2026-11-01T10:00:00+00:00\",\"updatedAt\":\"2026-11-01T10:00:00+00:00\",\"event\":\"submitting\"}",
            "{\"id\":\"task-1\",\"submissionId\":\"sub-20261101100000-0123456789ab\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"model\":\"sora-2\",\"duration\":10,\"aspectRatio\":\"16:9\",\"resolution\":\"720p\",\"status\":\"Queued\",\"providerStatus\":\"pending\",\"progress\":0,\"createdAt\":\"2026-11-01T10:00:01+00:00\",\"updatedAt\":\"2026-11-01T10:00:01+00:00\",\"event\":\"submitted\"}",
            "{\"id\":\"task-1\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"model\":\"sora-2\",\"duration\":10,\"aspectRatio\":\"16:9\",\"resolution\":\"720p\",\"status\":\"Succeeded\",\"providerStatus\":\"completed\",\"progress\":100,\"videoUri\":\"https://cdn.example.com/task-1.mp4\",\"createdAt\":\"2026-11-01T10:00:01+00:00\",\"completedAt\":\"2026-11-01T10:02:00+00:00\",\"expiresAt\":\"2099-11-02T10:02:00+00:00\",\"updatedAt\":\"2026-11-01T10:02:01+00:00\",\"event\":\"status\"}",
            "{\"id\":\"task-1\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"status\":\"Succeeded\",\"providerStatus\":\"completed\",\"progress\":100,\"videoUri\":\"https://cdn.example.com/task-1.mp4\",\"savedTo\":\"/videos/task-1.mp4\",\"updatedAt\":\"2026-11-01T10:03:00+00:00\",\"event\":\"saved\"}",
            // A submission whose answer never arrived.
            "{\"id\":\"sub-20261101110000-ba9876543210\",\"submissionId\":\"sub-20261101110000-ba9876543210\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"model\":\"sora-2\",\"prompt\":\"lost answer\",\"duration\":15,\"aspectRatio\":\"9:16\",\"resolution\":\"720p\",\"status\":\"Unknown\",\"providerStatus\":\"submitting\",\"submittedAt\":\"2026-11-01T11:00:00+00:00\",\"updatedAt\":\"2026-11-01T11:00:00+00:00\",\"event\":\"submitting\"}",
            "{\"id\":\"sub-20261101110000-ba9876543210\",\"submissionId\":\"sub-20261101110000-ba9876543210\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"status\":\"Unknown\",\"providerStatus\":\"submission outcome unknown\",\"updatedAt\":\"2026-11-01T11:02:00+00:00\",\"errorKind\":\"Timeout\",\"errorCode\":\"SubmissionOutcomeUnknown\",\"errorMessage\":\"The request timed out.\",\"event\":\"unknown\"}",
            // A task recorded directly (no submission line) that failed.
            "{\"id\":\"vid-2\",\"profile\":\"openai\",\"dialect\":\"OpenAI\",\"model\":\"sora-2-pro\",\"prompt\":\"a lighthouse\",\"duration\":8,\"aspectRatio\":\"9:16\",\"resolution\":\"1024p\",\"status\":\"Queued\",\"providerStatus\":\"queued\",\"progress\":0,\"submittedAt\":\"2026-11-01T12:00:00+00:00\",\"updatedAt\":\"2026-11-01T12:00:00+00:00\",\"event\":\"submitted\"}",
            "{\"id\":\"vid-2\",\"profile\":\"openai\",\"dialect\":\"OpenAI\",\"model\":\"sora-2-pro\",\"status\":\"Failed\",\"providerStatus\":\"failed\",\"progress\":90,\"generationId\":\"gen-9\",\"updatedAt\":\"2026-11-01T12:03:00+00:00\",\"errorKind\":\"ContentModeration\",\"errorCode\":\"moderation_blocked\",\"errorMessage\":\"Blocked by moderation.\",\"event\":\"status\"}",
            // A pending one.
            "{\"id\":\"vid-3\",\"profile\":\"openai\",\"dialect\":\"OpenAI\",\"model\":\"sora-2\",\"prompt\":\"waves\",\"duration\":4,\"aspectRatio\":\"9:16\",\"resolution\":\"720p\",\"status\":\"Running\",\"providerStatus\":\"in_progress\",\"progress\":40,\"submittedAt\":\"2026-11-01T13:00:00+00:00\",\"updatedAt\":\"2026-11-01T13:00:00+00:00\",\"event\":\"submitted\"}",
        };

        private static TaskJournal Write(TempDir dir, bool withIndex)
        {
            var journal = Path.Combine(dir.Path, "journal");
            Directory.CreateDirectory(journal);
            var file = Path.Combine(journal, Month);
            File.WriteAllText(file, string.Join("\n", Lines) + "\n", new UTF8Encoding(false));
            if (withIndex)
            {
                // The index as it was written: the open entries merged, and how far into each file they reach.
                var length = new FileInfo(file).Length;
                File.WriteAllText(Path.Combine(journal, "open-tasks.json"),
                    "{\"version\":1,\"files\":{\"" + Month + "\":" + length + "},\"entries\":[" +
                    "{\"id\":\"sub-20261101110000-ba9876543210\",\"submissionId\":\"sub-20261101110000-ba9876543210\",\"profile\":\"relay\",\"dialect\":\"UnifiedTask\",\"model\":\"sora-2\",\"prompt\":\"lost answer\",\"duration\":15,\"aspectRatio\":\"9:16\",\"resolution\":\"720p\",\"status\":\"Unknown\",\"providerStatus\":\"submission outcome unknown\",\"submittedAt\":\"2026-11-01T11:00:00+00:00\",\"updatedAt\":\"2026-11-01T11:02:00+00:00\",\"errorKind\":\"Timeout\",\"errorCode\":\"SubmissionOutcomeUnknown\",\"errorMessage\":\"The request timed out.\",\"event\":\"unknown\"}," +
                    "{\"id\":\"vid-3\",\"profile\":\"openai\",\"dialect\":\"OpenAI\",\"model\":\"sora-2\",\"prompt\":\"waves\",\"duration\":4,\"aspectRatio\":\"9:16\",\"resolution\":\"720p\",\"status\":\"Running\",\"providerStatus\":\"in_progress\",\"progress\":40,\"submittedAt\":\"2026-11-01T13:00:00+00:00\",\"updatedAt\":\"2026-11-01T13:00:00+00:00\",\"event\":\"submitted\"}]}",
                    new UTF8Encoding(false));
            }
            return new TaskJournal(journal);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_journal_in_the_earlier_format_loads(bool withIndex)
        {
            using (var dir = new TempDir())
            {
                var j = Write(dir, withIndex);
                var all = j.Read();
                Assert.Equal(new[] { "vid-3", "vid-2", "sub-20261101110000-ba9876543210", "task-1" }, all.Select(e => e.Id));

                var saved = all.Single(e => e.Id == "task-1");
                Assert.Equal(("sub-20261101100000-0123456789ab", "a fox in the snow", "https://images.example.com/f.png", SoraTaskStatus.Succeeded, "/videos/task-1.mp4"),
                    (saved.SubmissionId, saved.Prompt, saved.Image, saved.Status, saved.SavedTo));
                Assert.Equal(DateTimeOffset.Parse("2026-11-01T10:00:00+00:00", CultureInfo.InvariantCulture), saved.SubmittedAt);
                Assert.False(saved.Pending);
                var t1 = saved.ToTask();
                Assert.Equal(("task-1", "relay", "UnifiedTask", "sora-2", 10, "16:9", "720p", 100), (t1.Id, t1.Profile, t1.Dialect, t1.Model, t1.Duration.Value, t1.AspectRatio, t1.Resolution, t1.Progress));
                Assert.Equal("https://cdn.example.com/task-1.mp4", t1.VideoUri.AbsoluteUri);
                Assert.Null(t1.Error);

                var lost = all.Single(e => e.Unresolved);
                var lt = lost.ToTask();
                Assert.Equal((SoraTaskStatus.Unknown, "submission outcome unknown", "lost answer", 15), (lt.Status, lt.ProviderStatus, lt.Prompt, lt.Duration.Value));
                Assert.Equal((SoraErrorKind.Timeout, "SubmissionOutcomeUnknown", "The request timed out."), (lt.Error.Kind, lt.Error.Code, lt.Error.Message));

                var failed = all.Single(e => e.Id == "vid-2").ToTask();
                Assert.Equal((SoraTaskStatus.Failed, 90, "gen-9", "a lighthouse", "1024p"), (failed.Status, failed.Progress, failed.GenerationId, failed.Prompt, failed.Resolution));
                Assert.Equal((SoraErrorKind.ContentModeration, "moderation_blocked"), (failed.Error.Kind, failed.Error.Code));
                Assert.Equal(DateTimeOffset.Parse("2026-11-01T12:00:00+00:00", CultureInfo.InvariantCulture), failed.CreatedAt);

                Assert.Equal(new[] { "vid-3" }, j.Read(new JournalFilter { PendingOnly = true }).Select(e => e.Id));
                Assert.Equal(new[] { "sub-20261101110000-ba9876543210" }, j.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Unknown } }).Select(e => e.Id));
                Assert.Equal(new[] { "vid-3", "vid-2" }, j.Read(new JournalFilter { First = 2 }).Select(e => e.Id));
                Assert.Equal(40, j.Read(new JournalFilter { Id = "vid-3" }).Single().ToTask().Progress);
            }
        }

        [Fact]
        public void New_lines_append_to_an_earlier_journal_and_merge_with_its_lines()
        {
            using (var dir = new TempDir())
            {
                var j = Write(dir, withIndex: true);
                var t = j.Read(new JournalFilter { Id = "vid-3" }).Single().ToTask();
                t.Status = SoraTaskStatus.Succeeded;
                t.Progress = 100;
                t.VideoUri = new Uri("https://cdn.example.com/vid-3.mp4");
                t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(2);
                j.Record(t, "status");
                var e = j.Read(new JournalFilter { Id = "vid-3" }).Single();
                Assert.Equal(("waves", SoraTaskStatus.Succeeded, "https://cdn.example.com/vid-3.mp4", true), (e.Prompt, e.Status.Value, e.VideoUri, e.Pending));
                Assert.Equal(new[] { "vid-3" }, j.Read(new JournalFilter { PendingOnly = true }).Select(x => x.Id));
            }
        }
    }
}
