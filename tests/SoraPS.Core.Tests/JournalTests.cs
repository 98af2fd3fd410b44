using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    public sealed class JournalTests
    {
        private static SoraTask T(string id, SoraTaskStatus status = SoraTaskStatus.Queued, string profile = "p") =>
            new SoraTask(id, profile, "OpenAI") { Status = status, Prompt = "prompt of " + id, Model = "sora-2" };

        [Fact]
        public void Lines_merge_per_task_and_pending_means_unfinished_or_unsaved()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                var a = T("a");
                j.Record(a, "submitted");
                j.Record(T("b"), "submitted");
                j.Record(T("c"), "submitted");
                a.Status = SoraTaskStatus.Succeeded;
                a.ExpiresAt = DateTimeOffset.UtcNow.AddHours(1);
                j.Record(a, "status");
                var c = T("c", SoraTaskStatus.Failed);
                j.Record(c, "status");
                var all = j.Read(); // newest first
                Assert.Equal(new[] { "c", "b", "a" }, all.Select(e => e.Id));
                Assert.Equal("prompt of a", all[2].Prompt); // kept from the first line
                Assert.Equal(SoraTaskStatus.Succeeded, all[2].Status);
                Assert.Equal(new[] { "b", "a" }, j.Read(new JournalFilter { PendingOnly = true }).Select(e => e.Id));
                a.SavedTo = "/videos/a.mp4";
                j.Record(a, "saved");
                Assert.Equal(new[] { "b" }, j.Read(new JournalFilter { PendingOnly = true }).Select(e => e.Id));
                Assert.Equal(new[] { "c" }, j.Read(new JournalFilter { Status = new[] { SoraTaskStatus.Failed } }).Select(e => e.Id));
                var task = all[2].ToTask();
                Assert.Equal(("a", "p", "OpenAI", SoraTaskStatus.Succeeded), (task.Id, task.Profile, task.Dialect, task.Status));
            }
        }

        [Fact]
        public void Filters_by_profile_and_time()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                j.Record(T("x", profile: "one"), "submitted");
                j.Record(T("y", profile: "two"), "submitted");
                Assert.Equal(new[] { "y" }, j.Read(new JournalFilter { Profile = "TWO" }).Select(e => e.Id));
                Assert.Empty(j.Read(new JournalFilter { Since = DateTimeOffset.UtcNow.AddMinutes(1) }));
                Assert.Equal(2, j.Read(new JournalFilter { Since = DateTimeOffset.UtcNow.AddMinutes(-1) }).Count);
            }
        }

        [Fact]
        public void A_line_cut_short_by_a_crash_is_skipped_and_the_rest_is_read()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                j.Record(T("whole"), "submitted");
                File.AppendAllText(j.FileFor(DateTimeOffset.UtcNow), "{\"id\":\"torn\",\"prof");
                j.Record(T("after"), "submitted");
                Assert.Equal(new[] { "after", "whole" }, j.Read().Select(e => e.Id));
            }
        }

        [Fact]
        public void Concurrent_writers_lose_no_line()
        {
            using (var dir = new TempDir())
            {
                // Separate journal objects open the file separately, as separate processes do.
                Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
                    new TaskJournal(dir.Path).Record(T("t" + i), "submitted"));
                var ids = new TaskJournal(dir.Path).Read().Select(e => e.Id).ToHashSet();
                Assert.Equal(400, ids.Count);
                var lines = File.ReadAllLines(new TaskJournal(dir.Path).FileFor(DateTimeOffset.UtcNow));
                Assert.Equal(400, lines.Length);
            }
        }

        [Fact]
        public void Secrets_never_reach_the_journal()
        {
            using (var dir = new TempDir())
            {
                _ = new ApiCredential("journal-secret-key-987654321", "test");
                var j = new TaskJournal(dir.Path);
                var t = T("s");
                t.Prompt = "a prompt that pasted journal-secret-key-987654321 by mistake";
                j.Record(t, "submitted");
                var text = File.ReadAllText(j.FileFor(DateTimeOffset.UtcNow));
                Assert.DoesNotContain("journal-secret-key-987654321", text);
                Assert.Contains(Redactor.Mask, text);
            }
        }

        [Fact]
        public void Unknown_submissions_are_kept_but_not_pending()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                var request = Testing.Client(null, "OpenAI", profile: new Profiles.SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://x.example.com") })
                    .Validate(new VideoRequest { Prompt = "lost answer" });
                var id = j.BeginSubmission("o", "OpenAI", request);
                j.MarkUnknown(id, "o", "OpenAI", "Timeout", "SubmissionOutcomeUnknown", "no answer in 120 s");
                var e = Assert.Single(j.Read());
                Assert.Equal(id, e.Id);
                Assert.True(e.Unresolved);
                Assert.False(e.Pending);
                Assert.Equal(SoraTaskStatus.Unknown, e.ToTask().Status);
                Assert.Equal("submission outcome unknown", e.ToTask().ProviderStatus);
            }
        }
    }
}
