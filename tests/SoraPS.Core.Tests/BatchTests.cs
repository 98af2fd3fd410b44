using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Batch;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Batch rows: keys, the once-only lookup under the journal lock, sizes, out names, sidecars and the gallery.</summary>
    public sealed class BatchTests
    {
        private static readonly SoraProfile OpenAI = new SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://x.example.com") };

        private static ValidatedRequest Request(string prompt, int? duration = null, IDictionary<string, object> options = null, string image = null) =>
            Testing.Client(null, "OpenAI", profile: OpenAI).Validate(new VideoRequest { Prompt = prompt, Duration = duration, ProviderOptions = options, Image = image });

        [Fact]
        public void A_derived_key_follows_what_would_be_sent()
        {
            var a = BatchKey.Derive("o", "OpenAI", Request("a fox", 4));
            Assert.StartsWith(BatchKey.DerivedPrefix, a);
            Assert.Equal(a, BatchKey.Derive("O", "OpenAI", Request("a fox", 4))); // profile names are case-insensitive
            Assert.NotEqual(a, BatchKey.Derive("o", "OpenAI", Request("a fox", 8)));
            Assert.NotEqual(a, BatchKey.Derive("other", "OpenAI", Request("a fox", 4)));
            Assert.NotEqual(a, BatchKey.Derive("o", "OpenAI", Request("a fox ", 4)));
            var x = BatchKey.Derive("o", "OpenAI", Request("a fox", 4, new Dictionary<string, object> { ["seed"] = 1, ["style"] = "noir" }));
            var y = BatchKey.Derive("o", "OpenAI", Request("a fox", 4, new Dictionary<string, object> { ["style"] = "noir", ["seed"] = 1 }));
            Assert.Equal(x, y); // options in any order
            Assert.NotEqual(a, x);
            Assert.NotEqual(x, BatchKey.Derive("o", "OpenAI", Request("a fox", 4, new Dictionary<string, object> { ["seed"] = 2, ["style"] = "noir" })));
        }

        [Fact]
        public void A_local_image_counts_by_its_bytes()
        {
            using (var dir = new TempDir())
            {
                var image = Path.Combine(dir.Path, "frame.png");
                File.WriteAllBytes(image, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1 });
                var first = BatchKey.Derive("o", "OpenAI", Request("animate", image: image));
                Assert.Equal(first, BatchKey.Derive("o", "OpenAI", Request("animate", image: image)));
                File.WriteAllBytes(image, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 2 });
                Assert.NotEqual(first, BatchKey.Derive("o", "OpenAI", Request("animate", image: image)));
            }
        }

        [Fact]
        public void Recorded_options_leave_out_secret_looking_fields()
        {
            var kept = BatchKey.RecordedOptions(new Dictionary<string, object> { ["seed"] = 3, ["api_key"] = "sk-abc", ["AuthToken"] = "t", ["style"] = "noir" });
            Assert.Equal(new[] { "seed", "style" }, kept.Keys.OrderBy(k => k));
            Assert.Null(BatchKey.RecordedOptions(new Dictionary<string, object> { ["password"] = "x" }));
            Assert.Throws<SoraValidationException>(() => BatchKey.Given(new string('k', BatchKey.MaxLength + 1)));
            Assert.Equal("night-1", BatchKey.Given("  night-1 "));
        }

        [Fact]
        public void A_checked_key_already_journaled_writes_nothing_and_names_the_task()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                var request = Request("keyed");
                var first = new SubmissionOnce("k1", "fox.mp4", check: true);
                var local = j.BeginSubmission("o", "OpenAI", request, null, first);
                Assert.NotNull(local);
                Assert.Null(first.Existing);
                var task = new SoraTask("video_1", "o", "OpenAI") { Status = SoraTaskStatus.Queued, Key = "k1", OutFile = "fox.mp4" };
                j.CompleteSubmission(local, task);

                var again = new SubmissionOnce("k1", null, check: true);
                Assert.Null(j.BeginSubmission("o", "OpenAI", request, null, again));
                Assert.Equal("video_1", again.Existing.Id);
                Assert.Equal("fox.mp4", again.Existing.ToTask().OutFile);
                Assert.Equal("k1", again.Existing.ToTask().Key);
                Assert.Single(j.Read());

                // Another profile's key is another row; an unchecked key is only recorded.
                Assert.NotNull(j.BeginSubmission("p", "OpenAI", request, null, new SubmissionOnce("k1", null, check: true)));
                Assert.NotNull(j.BeginSubmission("o", "OpenAI", request, null, new SubmissionOnce("k1", null, check: false)));
            }
        }

        [Fact]
        public void Failed_cancelled_refused_and_expired_unsaved_submissions_are_sent_again_and_unknown_ones_are_not()
        {
            using (var dir = new TempDir())
            {
                var j = new TaskJournal(dir.Path);
                var request = Request("retry");
                string Begin(string key) => j.BeginSubmission("o", "OpenAI", request, null, new SubmissionOnce(key, null, check: true));

                var failed = Begin("failed");
                j.CompleteSubmission(failed, new SoraTask("video_f", "o", "OpenAI") { Status = SoraTaskStatus.Failed, Key = "failed", Error = new SoraTaskError(SoraErrorKind.ContentModeration, "moderation_blocked", "blocked") });
                var refused = Begin("refused");
                j.MarkRefused(refused, "o", "OpenAI", "InvalidParameter", "invalid_request", "no");
                var expired = Begin("expired");
                j.CompleteSubmission(expired, new SoraTask("video_e", "o", "OpenAI") { Status = SoraTaskStatus.Expired, Key = "expired" });
                var cancelled = Begin("cancelled");
                j.CompleteSubmission(cancelled, new SoraTask("video_c", "o", "OpenAI") { Status = SoraTaskStatus.Cancelled, Key = "cancelled" });
                var unknown = Begin("unknown");
                j.MarkUnknown(unknown, "o", "OpenAI", "Timeout", "SubmissionOutcomeUnknown", "no answer");

                foreach (var (key, reason) in new[] { ("failed", "failed (moderation_blocked)"), ("refused", "was refused (invalid_request)"), ("expired", "expired before it was saved"), ("cancelled", "was cancelled") })
                {
                    var once = new SubmissionOnce(key, null, check: true);
                    Assert.NotNull(j.BeginSubmission("o", "OpenAI", request, null, once));
                    Assert.Null(once.Existing);
                    Assert.Equal(reason, once.ResendReason);
                }
                var u = new SubmissionOnce("unknown", null, check: true);
                Assert.Null(j.BeginSubmission("o", "OpenAI", request, null, u));
                Assert.True(u.Existing.Unresolved);
                // The new submission of a failed key now stands.
                var f2 = new SubmissionOnce("failed", null, check: true);
                Assert.Null(j.BeginSubmission("o", "OpenAI", request, null, f2));
                Assert.NotNull(f2.Existing);
            }
        }

        [Fact]
        public void Journals_sharing_a_folder_let_one_submission_of_a_key_through()
        {
            using (var dir = new TempDir())
            {
                var request = Request("race");
                var journals = Enumerable.Range(0, 4).Select(_ => new TaskJournal(dir.Path)).ToArray();
                var results = new System.Collections.Concurrent.ConcurrentBag<string>();
                Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
                {
                    var once = new SubmissionOnce("row-" + (i % 5), null, check: true);
                    var local = journals[i % journals.Length].BeginSubmission("o", "OpenAI", request, null, once);
                    if (local != null) results.Add(once.Key);
                });
                Assert.Equal(5, results.Count);
                Assert.Equal(5, results.Distinct().Count());
            }
        }

        [Theory]
        [InlineData("fox.mp4", true)]
        [InlineData("night/fox.mp4", true)]
        [InlineData("a/../fox.mp4", true)]
        [InlineData("../fox.mp4", false)]
        [InlineData("a/../../fox.mp4", false)]
        [InlineData("night/", false)]
        [InlineData("fox?.mp4", false)]
        public void An_out_name_stays_in_its_folder(string outFile, bool ok)
        {
            if (ok)
            {
                Assert.Equal(outFile, BatchRow.CheckOutFile(outFile));
                using (var dir = new TempDir())
                    Assert.StartsWith(Path.GetFullPath(dir.Path), BatchRow.OutFileTarget(dir.Path, outFile));
            }
            else
            {
                var e = Assert.Throws<SoraValidationException>(() => BatchRow.CheckOutFile(outFile));
                Assert.Equal("InvalidOutFile", e.ErrorId);
            }
        }

        [Fact]
        public void A_size_means_an_aspect_ratio_and_resolution_of_the_model_or_is_refused_naming_the_sizes()
        {
            var openai = DialectRegistry.Get("OpenAI");
            Assert.Equal(("16:9", "1024p"), BatchRow.FromSize(openai, null, "sora-2-pro", "1792x1024"));
            Assert.Equal(("9:16", "720p"), BatchRow.FromSize(openai, null, null, "720X1280"));
            var e = Assert.Throws<SoraValidationException>(() => BatchRow.FromSize(openai, null, "sora-2", "1792x1024"));
            Assert.Equal("InvalidSize", e.ErrorId);
            Assert.Contains("1280x720 (16:9, 720p)", e.Message);
            Assert.True(BatchRow.IsPixelSize("1280x720"));
            Assert.False(BatchRow.IsPixelSize("720p"));
        }

        [Fact]
        public void A_rehearsal_task_progresses_from_its_id_and_its_video_is_a_small_mp4()
        {
            var profile = OpenAI;
            var dialect = DialectRegistry.Get("OpenAI");
            var task = Rehearsal.Submit(profile, dialect, Request("rehearse [fail]", 4));
            Assert.StartsWith(Rehearsal.IdPrefix, task.Id);
            Assert.Equal(SoraTaskStatus.Queued, task.Status);
            var later = Rehearsal.Get(profile, dialect, task.Id);
            Assert.False(later.IsTerminal && later.Status == SoraTaskStatus.Succeeded);
            var created = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeMilliseconds();
            var done = Rehearsal.Get(profile, dialect, $"rehearsal-{created}-2000-o-abcdef12");
            Assert.Equal(SoraTaskStatus.Succeeded, done.Status);
            var failed = Rehearsal.Get(profile, dialect, $"rehearsal-{created}-2000-f-abcdef12");
            Assert.Equal(SoraTaskStatus.Failed, failed.Status);
            Assert.Equal(SoraErrorKind.ContentModeration, failed.Error.Kind);
            Assert.Throws<SoraException>(() => Rehearsal.Get(profile, dialect, "video_123"));
            var mp4 = Rehearsal.Mp4(8);
            Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(mp4, 4, 4));
            Assert.Equal("moov", System.Text.Encoding.ASCII.GetString(mp4, 28, 4));
            Assert.Equal("mvhd", System.Text.Encoding.ASCII.GetString(mp4, 36, 4));
            Assert.Equal(8 + 108, (mp4[24] << 24) | (mp4[25] << 16) | (mp4[26] << 8) | mp4[27]);
            Assert.Equal(8000, (mp4[56] << 24) | (mp4[57] << 16) | (mp4[58] << 8) | mp4[59]); // duration in the 1000-per-second timescale
        }

        [Fact]
        public void A_sidecar_holds_the_request_the_costs_and_the_hash_and_the_gallery_escapes_every_text()
        {
            using (var dir = new TempDir())
            {
                var video = Path.Combine(dir.Path, "fox.mp4");
                File.WriteAllBytes(video, new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', 1, 2, 3, 4 });
                var task = new SoraTask("video_1", "o", "OpenAI") { Status = SoraTaskStatus.Succeeded, Prompt = "<script>alert(1)</script> & \"fox\"", Model = "sora-2", Duration = 8, AspectRatio = "16:9", Resolution = "720p", Key = "k" };
                var entry = new JournalEntry { Id = "video_1", EstimatedCost = 0.8m, Currency = "USD", SubmittedAt = DateTimeOffset.UtcNow };
                VideoSidecar.From(task, entry, DialectRegistry.Get("OpenAI"), video).Write(video);
                var s = VideoSidecar.Read(VideoSidecar.PathFor(video));
                Assert.Equal("1280x720", s.Size);
                Assert.Equal(0.8m, s.EstimatedCost);
                Assert.Equal(BatchKey.FileHash(video), s.Sha256);
                Assert.Equal(64, s.Sha256.Length);

                var failed = new GalleryItem { Id = "video_2", Prompt = "a </p><img src=x onerror=alert(2)>", Status = "Failed", ErrorCode = "ContentModerationFailed", ErrorMessage = "<b>blocked</b>" };
                var page = Path.Combine(dir.Path, "index.html");
                var items = SoraGallery.ReadFolder(dir.Path).Concat(new[] { failed }).ToList();
                var html = SoraGallery.Render(items, page);
                Assert.DoesNotContain("<script>", html);
                Assert.DoesNotContain("<img", html);
                Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;fox&quot;", html);
                Assert.Contains("src=\"fox.mp4\"", html);
                Assert.Contains("ContentModerationFailed", html);
                Assert.Contains("<b id=\"total-count\">2</b>", html);
                Assert.Contains("<b id=\"total-seconds\">8</b>", html);
                Assert.Contains("0.80 USD", html);
                Assert.DoesNotContain("http", html.Replace("http-equiv", ""));
            }
        }
    }
}
