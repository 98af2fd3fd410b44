using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>The OpenRouter dialect against the emulator's OpenRouter routes, over real HTTP.</summary>
    public sealed class OpenRouterTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public OpenRouterTests(EmulatorFixture fx) { _fx = fx; }

        internal const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

        /// <summary>A profile that polls every 0.1 s (the emulator's jobs take 0.8 s).</summary>
        internal static SoraProfile Profile(SoraEmulator emu, string name = "openrouter")
        {
            var p = Testing.Profile(emu, "OpenRouter", name);
            p.Settings = new Dictionary<string, string> { ["PollIntervalSec"] = "0.1" };
            return p;
        }

        private SoraClient Client(ISoraLog log = null, string key = null) => Testing.Client(_fx.Emulator, "OpenRouter", log, key, Profile(_fx.Emulator));

        private static string BodyOf(SoraEmulator emu, string promptPart) =>
            emu.State.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/api/v1/videos", StringComparison.Ordinal) && r.Body != null && r.Body.Contains(promptPart)).Body;

        [Fact]
        public async Task Submit_poll_and_save_a_veo_video_with_frames_references_and_options()
        {
            using (var dir = new TempDir())
            {
                var last = dir.File("last.png");
                File.WriteAllBytes(last, Convert.FromBase64String(Png));
                var client = Client();
                var request = new VideoRequest
                {
                    Prompt = "a paper boat on a river", Model = "google/veo-3.1", Duration = 6, AspectRatio = "9:16", Resolution = "1080p",
                    Image = "https://images.example.com/first.png", LastFrame = last, ReferenceImages = new[] { "https://images.example.com/style.png" },
                    CallbackUri = new Uri("https://hooks.example.com/video"),
                    ProviderOptions = new Dictionary<string, object> { ["generate_audio"] = true, ["Seed"] = 42, ["provider"] = new System.Collections.Hashtable { ["options"] = new System.Collections.Hashtable { ["google-vertex"] = new System.Collections.Hashtable { ["enhance_prompt"] = false } } } },
                };
                var task = await client.SubmitAsync(client.Validate(request), Testing.Timeout());
                Assert.Equal("OpenRouter", task.Dialect);
                Assert.Equal(SoraTaskStatus.Queued, task.Status);
                Assert.Equal("pending", task.ProviderStatus);
                Assert.Equal("google/veo-3.1", task.Model);
                Assert.Equal(6, task.Duration);

                using (var body = JsonDocument.Parse(BodyOf(_fx.Emulator, "a paper boat on a river")))
                {
                    var root = body.RootElement;
                    Assert.Equal(6, root.GetProperty("duration").GetInt32());
                    Assert.Equal("1080p", root.GetProperty("resolution").GetString());
                    Assert.Equal("9:16", root.GetProperty("aspect_ratio").GetString());
                    var frames = root.GetProperty("frame_images").EnumerateArray().ToList();
                    Assert.Equal(new[] { "first_frame", "last_frame" }, frames.Select(f => f.GetProperty("frame_type").GetString()));
                    Assert.All(frames, f => Assert.Equal("image_url", f.GetProperty("type").GetString()));
                    Assert.Equal("https://images.example.com/first.png", frames[0].GetProperty("image_url").GetProperty("url").GetString());
                    Assert.Equal("data:image/png;base64," + Png, frames[1].GetProperty("image_url").GetProperty("url").GetString());
                    Assert.Equal("https://images.example.com/style.png", root.GetProperty("input_references")[0].GetProperty("image_url").GetProperty("url").GetString());
                    Assert.Equal("https://hooks.example.com/video", root.GetProperty("callback_url").GetString());
                    Assert.True(root.GetProperty("generate_audio").GetBoolean());
                    Assert.Equal(42, root.GetProperty("seed").GetInt32());
                    Assert.False(root.GetProperty("provider").GetProperty("options").GetProperty("google-vertex").GetProperty("enhance_prompt").GetBoolean());
                }

                var events = Testing.WaitFor(client, task);
                Assert.Contains(events, e => e.Kind == WaitEventKind.Completed);
                Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
                Assert.Equal(2.4m, task.ActualCost); // the emulator bills 0.40 per second
                Assert.Equal("gen-" + task.Id, task.GenerationId);
                Assert.Equal(new Uri(_fx.Emulator.DialectBase("OpenRouter"), "openrouter/api/v1/videos/" + task.Id + "/content?index=0"), task.VideoUri);
                Assert.Null(task.VideoUris);
                // The pace: the profile's PollIntervalSec is the hint every answer carries.
                Assert.Equal(TimeSpan.FromSeconds(0.1), task.PollAfter);

                var result = await client.DownloadAsync(task, dir.File("boat.mp4"), new DownloadOptions(), null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(result.Path));
                var content = _fx.Emulator.State.Requests.Last(r => r.Path.EndsWith("/" + task.Id + "/content", StringComparison.Ordinal));
                Assert.True(content.Authorized);
                Assert.Equal("?index=0", content.Query);
            }
        }

        [Fact]
        public async Task A_job_with_several_outputs_gives_each_and_signed_links_are_fetched_without_the_key()
        {
            var client = Client();
            var signed = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "two takes [outputs:2] [signed]", Model = "google/veo-3.1-fast", Duration = 4 }), Testing.Timeout());
            var plain = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "three takes [outputs:3]", Model = "google/veo-3.1-fast", Duration = 4 }), Testing.Timeout());
            Testing.WaitFor(client, signed);
            Testing.WaitFor(client, plain);
            Assert.Equal(2, signed.VideoUris.Length);
            Assert.All(signed.VideoUris, u => Assert.Equal("localhost", u.Host));
            Assert.Equal(signed.VideoUris[0], signed.VideoUri);
            Assert.Equal(3, plain.VideoUris.Length);
            Assert.Equal("?index=2", plain.VideoUris[2].Query);
            Assert.Equal(0.6m, plain.ActualCost); // 4 s at the emulator's 0.15 per second
            using (var dir = new TempDir())
            {
                for (var i = 0; i < 2; i++)
                    await client.DownloadAsync(signed, dir.File("s" + i + ".mp4"), new DownloadOptions { Output = i }, null, Testing.Timeout());
                await client.DownloadAsync(plain, dir.File("p2.mp4"), new DownloadOptions { Output = 2 }, null, Testing.Timeout());
                Assert.All(new[] { "s0.mp4", "s1.mp4", "p2.mp4" }, f => Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(dir.File(f))));
                var cdn = _fx.Emulator.State.Requests.Where(r => r.Path.StartsWith("/cdn/openrouter/" + signed.Id + "/", StringComparison.Ordinal)).ToList();
                Assert.Equal(2, cdn.Count);
                Assert.All(cdn, r => Assert.False(r.CarriedKey));
                Assert.Contains(_fx.Emulator.State.Requests, r => r.Path.EndsWith("/" + plain.Id + "/content", StringComparison.Ordinal) && r.Query == "?index=2" && r.Authorized);
                Assert.Equal("OutputNotFound", (await Assert.ThrowsAsync<SoraException>(() => client.DownloadAsync(plain, dir.File("p9.mp4"), new DownloadOptions { Output = 3 }, null, Testing.Timeout()))).ErrorId);
            }
            // The outputs and the reported cost are kept in the journal line.
            using (var dir = new TempDir())
            {
                var journal = new Journal.TaskJournal(dir.Path);
                journal.Record(plain, "status");
                var back = journal.Read().Single(e => e.Id == plain.Id).ToTask();
                Assert.Equal(0.6m, back.ActualCost);
                Assert.Equal(plain.VideoUris, back.VideoUris);
            }
        }

        [Theory]
        [InlineData("[quota]", "QuotaExceeded", "credits ran out")]
        [InlineData("[ratelimit]", "RateLimited", "Rate limit exceeded")]
        [InlineData("[upstream]", "ProviderUnavailable", "Internal Server Error")]
        public async Task Error_bodies_become_error_ids_scripts_can_catch(string marker, string errorId, string text)
        {
            var client = Client();
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "refused " + marker, Model = "google/veo-3.1", Duration = 4 }), Testing.Timeout()));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(text, e.Message);
        }

        [Fact]
        public async Task A_wrong_key_an_unknown_job_and_a_failed_job_say_what_happened()
        {
            var wrong = Client(key: "not-the-key");
            Assert.Equal("AuthenticationFailed", (await Assert.ThrowsAsync<SoraApiException>(() => wrong.SubmitAsync(wrong.Validate(new VideoRequest { Prompt = "p", Model = "google/veo-3.1" }), Testing.Timeout()))).ErrorId);
            var client = Client();
            Assert.Equal("TaskNotFound", (await Assert.ThrowsAsync<SoraApiException>(() => client.GetAsync("vgen-nope", Testing.Timeout()))).ErrorId);
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "flagged [fail:moderation]", Model = "google/veo-3.1" }), Testing.Timeout());
            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Failed, task.Status);
            Assert.Equal(SoraErrorKind.ContentModeration, task.Error.Kind);
            var failed = new SoraTaskFailedException(task);
            Assert.Equal("ContentModerationFailed", failed.ErrorId);
            Assert.Contains("rejected by the content moderation policy", failed.Message);
        }

        [Fact]
        public async Task A_content_download_answered_502_is_retried_then_provider_unavailable()
        {
            var client = Client();
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "gateway", Model = "google/veo-3.1", Duration = 4 }), Testing.Timeout());
            Testing.WaitFor(client, task);
            _fx.Emulator.State.AddFault(new Fault { Method = "GET", Path = task.Id + "/content", Kind = FaultKind.Status, Status = 502, Times = 20 });
            try
            {
                using (var dir = new TempDir())
                {
                    var e = await Assert.ThrowsAnyAsync<SoraException>(() => client.DownloadAsync(task, dir.File("g.mp4"), new DownloadOptions(), null, Testing.Timeout()));
                    Assert.Equal("ProviderUnavailable", e.ErrorId);
                    Assert.True(_fx.Emulator.State.Count("GET", task.Id + "/content") > 1, "A 502 on a read is tried again.");
                }
            }
            finally
            {
                _fx.Emulator.State.ClearFaults();
            }
        }

        [Theory]
        [InlineData("https://openrouter.ai", "https://openrouter.ai/api/v1/videos")]
        [InlineData("https://openrouter.ai/api", "https://openrouter.ai/api/v1/videos")]
        [InlineData("https://openrouter.ai/api/v1/", "https://openrouter.ai/api/v1/videos")]
        [InlineData("https://gw.example.com/or", "https://gw.example.com/or/api/v1/videos")]
        public void The_dialect_adds_api_v1_unless_the_base_has_it(string baseUri, string expected)
        {
            var d = DialectRegistry.Get("OpenRouter");
            var profile = new SoraProfile { Name = "o", Dialect = "OpenRouter", BaseUri = new Uri(baseUri) };
            Assert.Equal(expected, d.BuildSubmit(profile, d.Validate(new VideoRequest { Prompt = "p" }, profile)).RequestUri.AbsoluteUri);
            Assert.Equal(expected + "/job-1", d.BuildQuery(profile, "job-1").RequestUri.AbsoluteUri);
        }

        [Fact]
        public void Values_the_model_or_the_spec_does_not_allow_are_refused_before_any_request()
        {
            var d = DialectRegistry.Get("OpenRouter");
            var profile = new SoraProfile { Name = "o", Dialect = "OpenRouter", BaseUri = new Uri("https://openrouter.ai") };
            SoraValidationException Refused(VideoRequest r) => Assert.Throws<SoraValidationException>(() => d.Validate(r, profile));
            Assert.Equal("InvalidDuration", Refused(new VideoRequest { Prompt = "p", Duration = 5 }).ErrorId);
            Assert.Equal("InvalidResolution", Refused(new VideoRequest { Prompt = "p", Resolution = "4K" }).ErrorId);
            Assert.Equal("InvalidProviderOption", Refused(new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object> { ["seed"] = "42" } }).ErrorId);
            Assert.Equal("InvalidProviderOption", Refused(new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object> { ["generate_audio"] = "yes" } }).ErrorId);
            Assert.Equal("InvalidProviderOption", Refused(new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object> { ["provider"] = "google" } }).ErrorId);
            Assert.Equal("InvalidCallbackUri", Refused(new VideoRequest { Prompt = "p", CallbackUri = new Uri("http://hooks.example.com/x") }).ErrorId);
            Assert.Equal("ImageNotFound", Refused(new VideoRequest { Prompt = "p", LastFrame = "/no/such/frame.png" }).ErrorId);
            Assert.Equal("UnknownModel", Refused(new VideoRequest { Prompt = "p", Model = "openai/sora-2-pro" }).ErrorId);
            using (var dir = new TempDir())
            {
                var gif = dir.File("frame.gif");
                File.WriteAllBytes(gif, new byte[] { 1, 2, 3 });
                Assert.Equal("InvalidImageType", Refused(new VideoRequest { Prompt = "p", ReferenceImages = new[] { gif } }).ErrorId);
                var big = dir.File("huge.png");
                using (var f = File.Create(big)) f.SetLength(OpenRouterDialect.MaxInlineImageBytes + 1);
                var tooLarge = Refused(new VideoRequest { Prompt = "p", Image = big });
                Assert.Equal("ImageTooLarge", tooLarge.ErrorId);
                Assert.Contains("https URL", tooLarge.Message);
            }
        }

        [Fact]
        public void Other_dialects_refuse_a_last_frame_and_reference_images_rather_than_drop_them()
        {
            foreach (var d in DialectRegistry.Dialects.Where(x => !x.Capabilities.Has(DialectOperation.LastFrame)))
            {
                var profile = new SoraProfile { Name = "p", Dialect = d.Name, BaseUri = new Uri("https://x.example.com") };
                Assert.Equal("LastFrameNotSupported", Assert.Throws<SoraValidationException>(() => d.Validate(new VideoRequest { Prompt = "p", LastFrame = "https://i.example.com/z.png" }, profile)).ErrorId);
                Assert.Equal("ReferenceImagesNotSupported", Assert.Throws<SoraValidationException>(() => d.Validate(new VideoRequest { Prompt = "p", ReferenceImages = new[] { "https://i.example.com/r.png" } }, profile)).ErrorId);
            }
            Assert.Contains(DialectRegistry.Dialects, d => d.Capabilities.Has(DialectOperation.LastFrame));
        }

        [Fact]
        public void The_published_examples_parse()
        {
            var d = DialectRegistry.Get("OpenRouter");
            var profile = new SoraProfile { Name = "o", Dialect = "OpenRouter", BaseUri = new Uri("https://openrouter.ai") };
            var accepted = d.ParseTask(new ProviderResponse(202, "{\"generation_id\":\"gen-xyz789\",\"id\":\"job-abc123\",\"polling_url\":\"/api/v1/videos/job-abc123\",\"status\":\"pending\"}", null, null), profile);
            Assert.Equal("job-abc123", accepted.Id);
            Assert.Equal(SoraTaskStatus.Queued, accepted.Status);
            Assert.Equal(TimeSpan.FromSeconds(10), accepted.PollAfter);
            var done = d.ParseTask(new ProviderResponse(200, "{\"generation_id\":\"gen-xyz789\",\"id\":\"job-abc123\",\"polling_url\":\"/api/v1/videos/job-abc123\",\"status\":\"completed\",\"unsigned_urls\":[\"https://storage.example.com/video.mp4\"],\"usage\":{\"cost\":0.5}}", null, null), profile);
            Assert.Equal(SoraTaskStatus.Succeeded, done.Status);
            Assert.Equal(0.5m, done.ActualCost);
            Assert.Equal("https://openrouter.ai/api/v1/videos/job-abc123/content?index=0", done.VideoUri.AbsoluteUri);
            foreach (var (word, status) in new[] { ("in_progress", SoraTaskStatus.Running), ("failed", SoraTaskStatus.Failed), ("cancelled", SoraTaskStatus.Cancelled), ("expired", SoraTaskStatus.Expired) })
                Assert.Equal(status, d.ParseTask(new ProviderResponse(200, "{\"id\":\"j\",\"polling_url\":\"/x\",\"status\":\"" + word + "\"}", null, null), profile).Status);
            var failed = d.ParseTask(new ProviderResponse(200, "{\"id\":\"j\",\"polling_url\":\"/x\",\"status\":\"failed\",\"error\":\"Provider returned error\"}", null, null), profile);
            Assert.Equal("Provider returned error", failed.Error.Message);
            var quota = d.ParseError(new ProviderResponse(402, "{\"error\":{\"code\":402,\"message\":\"Insufficient credits. Add more using https://openrouter.ai/credits\"}}", null, null));
            Assert.Equal("QuotaExceeded", quota.ErrorId);
            Assert.Contains("credits ran out", quota.Message);
            Assert.Contains("Insufficient credits", quota.Message);
        }
    
        [Fact]
        public async Task A_budget_counts_the_reported_cost_once_known_and_the_spend_shows_it_beside_the_estimate()
        {
            var store = ModelCatalog.Current.Store;
            // Priced at 1.00 a second for the estimate; the emulator reports 0.40 a second.
            store.Update(list => list.Add(new UserModel { Dialect = "OpenRouter", Name = "google/veo-3.1", PricePerSecond = 1.00m }));
            try
            {
                using (var dir = new TempDir())
                {
                    var journal = new Journal.TaskJournal(dir.Path);
                    SoraClient NewClient()
                    {
                        var profile = Profile(_fx.Emulator, "or-budget");
                        profile.DailyBudget = 10m;
                        return new SoraClient(profile, null, Testing.FastRetry, _ => new ApiCredential(_fx.Emulator.Options.ApiKey, "test")) { Journal = journal };
                    }
                    var first = NewClient();
                    var task = await first.SubmitAsync(first.Validate(new VideoRequest { Prompt = "budgeted one", Model = "google/veo-3.1", Duration = 8 }), Testing.Timeout());
                    // Reserved 8.00: a second 4 s submission (4.00) would pass 10.00 on the estimate.
                    var second = NewClient();
                    Assert.Equal("BudgetExceeded", (await Assert.ThrowsAsync<SoraException>(() => second.SubmitAsync(second.Validate(new VideoRequest { Prompt = "budgeted two", Model = "google/veo-3.1", Duration = 4 }), Testing.Timeout()))).ErrorId);
                    Testing.WaitFor(first, task);
                    Assert.Equal(3.2m, task.ActualCost);
                    // Reported 3.20: now 3.20 + 4.00 fits, from another client (another process reads the same journal).
                    var third = NewClient();
                    var accepted = await third.SubmitAsync(third.Validate(new VideoRequest { Prompt = "budgeted three", Model = "google/veo-3.1", Duration = 4 }), Testing.Timeout());
                    Assert.NotNull(accepted);
                    var spend = Budget.SpendReport.Read(journal, Budget.SpendGrouping.Profile).Single(g => g.Name == "or-budget");
                    Assert.Equal(2, spend.Count);
                    Assert.Equal(12.00m, spend.EstimatedCost);
                    Assert.Equal(3.2m, spend.ActualCost);
                    Assert.Equal(1, spend.Reported);
                    Assert.Equal("USD", spend.Currency);
                }
            }
            finally
            {
                store.Update(list => list.RemoveAll(m => m.Dialect == "OpenRouter"));
            }
        }

        [Fact]
        public async Task A_sunset_header_warns_once_per_model_and_a_retired_model_is_ModelRetired_naming_its_replacement()
        {
            var store = ModelCatalog.Current.Store;
            store.Update(list =>
            {
                list.Add(new UserModel { Dialect = "OpenRouter", Name = "minimax/hailuo-02", Durations = new[] { 6, 10 }, Resolutions = new[] { "768p", "1080p" }, AspectRatios = new[] { "16:9" } });
                list.Add(new UserModel { Dialect = "OpenRouter", Name = "openai/sora-2-pro", Like = "google/veo-3.1", Durations = new[] { 4, 8, 12 }, Resolutions = new[] { "720p" } });
            });
            try
            {
                var log = new CapturingLog();
                var client = Client(log);
                for (var i = 0; i < 2; i++)
                    await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "deprecated model " + i, Model = "minimax/hailuo-02", Duration = 6 }), Testing.Timeout());
                var warning = Assert.Single(log.Lines, l => l.StartsWith("WARNING:", StringComparison.Ordinal));
                Assert.Contains("minimax/hailuo-02", warning);
                Assert.Contains("2026-10-31", warning);
                Assert.Contains("2026-09-01", warning); // Deprecation: @1788220800

                var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "gone", Model = "openai/sora-2-pro", Duration = 4 }), Testing.Timeout()));
                Assert.Equal("ModelRetired", e.ErrorId);
                Assert.Equal(410, e.StatusCode);
                Assert.Equal("google/veo-3.1", e.Replacement);
                Assert.Contains("-Model google/veo-3.1", e.Message);
                Assert.Contains("openai/sora-2-pro", e.Message);
            }
            finally
            {
                store.Update(list => list.RemoveAll(m => m.Dialect == "OpenRouter"));
            }
        }

        [Theory]
        [InlineData(404, "{\"error\":{\"message\":\"The model `sora-2` does not exist or you do not have access to it.\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}", "ModelRetired", null)]
        [InlineData(410, "{\"error\":\"model_unavailable\",\"sunset_date\":\"2026-09-24\",\"replacement\":\"veo-3.1\"}", "ModelRetired", "veo-3.1")]
        [InlineData(400, "{\"error\":{\"code\":400,\"message\":\"Model sora-2 is unavailable. Use wan-2.7 instead.\"}}", "ModelRetired", "wan-2.7")]
        [InlineData(404, "{\"error\":{\"code\":404,\"message\":\"Resource not found\"}}", "TaskNotFound", null)]
        [InlineData(429, "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded for this model\"}}", "RateLimited", null)]
        public void A_submission_refused_because_the_model_is_gone_is_ModelRetired(int status, string body, string errorId, string replacement)
        {
            var d = DialectRegistry.Get("OpenAI");
            var response = new ProviderResponse(status, body, null, new Uri("https://relay.example.com/v1/videos"));
            var e = Retirement.Refine(d.ParseError(response), response, "sora-2");
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(replacement, e.Replacement);
        }

        [Fact]
        public async Task OpenAIs_retired_models_show_RetiredOn_and_a_submission_warns_once_without_being_refused()
        {
            var sora = SoraModelInfo.Query("OpenAI", null, new[] { "sora-2", "sora-2-pro" }).ToList();
            Assert.All(sora, m => Assert.Equal(new DateTimeOffset(2026, 9, 24, 0, 0, 0, TimeSpan.Zero), m.RetiredOn));
            Assert.Null(SoraModelInfo.Query("OpenRouter", null, new[] { "google/veo-3.1" }).Single().RetiredOn);
            Assert.Equal(2, SoraModelInfo.Query("AzureOpenAI", null, null).Count(m => m.RetiredOn.HasValue));
            // A snapshot name no other test sends: the warning is once per model name and process.
            var log = new CapturingLog();
            var client = Testing.Client(_fx.Emulator, "OpenAI", log);
            for (var i = 0; i < 2; i++)
                Assert.NotNull(await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "after the shutdown " + i, Model = "sora-2-2025-12-08" }), Testing.Timeout()));
            var warning = Assert.Single(log.Lines, l => l.StartsWith("WARNING:", StringComparison.Ordinal));
            Assert.Contains("retired sora-2-2025-12-08 (sora-2) on 2026-09-24", warning);
        }
}
}
