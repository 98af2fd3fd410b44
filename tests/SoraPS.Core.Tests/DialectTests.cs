using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
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
    /// <summary>What each added dialect sends and reads, checked field by field and against the strict emulator.</summary>
    public sealed class DialectTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public DialectTests(EmulatorFixture fx) { _fx = fx; }

        private static async Task<JsonElement> Body(HttpRequestMessage m) => JsonDocument.Parse(await m.Content.ReadAsStringAsync()).RootElement;

        private static async Task<SoraTask> Finish(SoraClient client, SoraTask task)
        {
            Testing.WaitFor(client, task);
            await Task.Yield();
            return task;
        }

        // ----- V2Task -----

        [Fact]
        public async Task V2Task_sends_duration_as_a_string_images_hd_and_notify_hook()
        {
            var client = Testing.Client(_fx.Emulator, "V2Task");
            var v = client.Validate(new VideoRequest { Prompt = "p", Model = "sora-2-pro", Duration = 25, Resolution = "1080p", Image = "https://img.example.com/a.png", CallbackUri = new Uri("https://hooks.example.com/n") });
            var body = await Body(client.Dialect.BuildSubmit(client.Profile, v));
            Assert.Equal(JsonValueKind.String, body.GetProperty("duration").ValueKind);
            Assert.Equal("25", body.GetProperty("duration").GetString());
            Assert.True(body.GetProperty("hd").GetBoolean());
            Assert.Equal("https://img.example.com/a.png", body.GetProperty("images")[0].GetString());
            Assert.Equal("https://hooks.example.com/n", body.GetProperty("notify_hook").GetString());
            var lite = await Body(client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p" })));
            Assert.False(lite.TryGetProperty("hd", out _));
            Assert.False(lite.TryGetProperty("images", out _));
        }

        [Theory]
        [InlineData("sora-2", 25, null, "InvalidDuration")]
        [InlineData("sora-2", 10, "1080p", "InvalidResolution")]
        public void V2Task_keeps_25_seconds_and_hd_for_sora_2_pro(string model, int duration, string resolution, string errorId)
        {
            var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "V2Task").Validate(new VideoRequest { Prompt = "p", Model = model, Duration = duration, Resolution = resolution }));
            Assert.Equal(errorId, e.ErrorId);
        }

        [Theory]
        [InlineData("NOT_START", SoraTaskStatus.Queued)]
        [InlineData("SUBMITTED", SoraTaskStatus.Queued)]
        [InlineData("QUEUED", SoraTaskStatus.Queued)]
        [InlineData("IN_PROGRESS", SoraTaskStatus.Running)]
        [InlineData("SUCCESS", SoraTaskStatus.Succeeded)]
        [InlineData("FAILURE", SoraTaskStatus.Failed)]
        [InlineData("FAIL", SoraTaskStatus.Failed)]
        [InlineData("UNHEARD_OF", SoraTaskStatus.Unknown)]
        public void V2Task_status_words(string word, SoraTaskStatus status)
        {
            var body = $"{{\"task_id\":\"t1\",\"status\":\"{word}\",\"progress\":\"37%\",\"fail_reason\":\"\",\"data\":{{\"output\":\"https://cdn.example.com/v.mp4\"}}}}";
            var t = new V2TaskDialect().ParseTask(new ProviderResponse(200, body, null, null), new SoraProfile { Name = "v", BaseUri = new Uri("https://x.example.com") });
            Assert.Equal(status, t.Status);
            if (status == SoraTaskStatus.Running) Assert.Equal(37, t.Progress);
        }

        [Fact]
        public void V2Task_reads_the_reason_of_a_moderation_failure_from_free_text()
        {
            var body = "{\"task_id\":\"t1\",\"status\":\"FAILURE\",\"progress\":\"92%\",\"fail_reason\":\"output did not pass content review\",\"data\":null}";
            var t = new V2TaskDialect().ParseTask(new ProviderResponse(200, body, null, null), new SoraProfile { Name = "v", BaseUri = new Uri("https://x.example.com") });
            Assert.Equal(SoraErrorKind.ContentModeration, t.Error.Kind);
            Assert.Equal(92, t.Progress);
        }

        // ----- OneRouter -----

        [Fact]
        public async Task OneRouter_requires_an_image_url_and_sends_string_enums()
        {
            var client = Testing.Client(_fx.Emulator, "OneRouter");
            Assert.Equal("ImageRequired", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p" })).ErrorId);
            var body = await Body(client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p", Image = FlowTests.ImageUrl, Duration = 12, AspectRatio = "9:16", Resolution = "1080p" })));
            Assert.Equal("12", body.GetProperty("duration").GetString());
            Assert.Equal("9:16", body.GetProperty("aspect_ratio").GetString());
            Assert.Equal("1080p", body.GetProperty("resolution").GetString());
            Assert.Equal(FlowTests.ImageUrl, body.GetProperty("image_url").GetString());
            Assert.Equal("url", body.GetProperty("output_format").GetString());
            var defaults = await Body(client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p", Image = FlowTests.ImageUrl })));
            Assert.Equal(("4", "auto", "auto"), (defaults.GetProperty("duration").GetString(), defaults.GetProperty("aspect_ratio").GetString(), defaults.GetProperty("resolution").GetString()));
        }

        [Fact]
        public async Task OneRouter_answers_with_a_finished_task_and_has_no_query()
        {
            var client = Testing.Client(_fx.Emulator, "OneRouter");
            Assert.True(client.SubmitTimeout >= TimeSpan.FromMinutes(10));
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "sync", Image = FlowTests.ImageUrl }), Testing.Timeout());
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.StartsWith("video_", task.Id);
            Assert.NotNull(task.VideoUri);
            Assert.True(task.ExpiresAt > DateTimeOffset.UtcNow.AddHours(23));
            var e = await Assert.ThrowsAsync<SoraValidationException>(() => client.GetAsync(task.Id, Testing.Timeout()));
            Assert.Equal("QueryNotSupported", e.ErrorId);
        }

        [Fact]
        public void A_profile_can_lengthen_the_request_timeout()
        {
            var profile = Testing.Profile(_fx.Emulator, "OneRouter");
            profile.Settings = new Dictionary<string, string> { ["RequestTimeoutSec"] = "3600" };
            Assert.Equal(TimeSpan.FromHours(1), Testing.Client(_fx.Emulator, "OneRouter", profile: profile).SubmitTimeout);
        }

        // ----- SoraWeb -----

        [Theory]
        [InlineData("1:1", "480p", 480, 480)]
        [InlineData("1:1", "720p", 720, 720)]
        [InlineData("9:16", "480p", 480, 854)]
        [InlineData("16:9", "480p", 854, 480)]
        [InlineData("16:9", "720p", 1280, 720)]
        [InlineData("9:16", "720p", 720, 1280)]
        public async Task SoraWeb_maps_the_size_table_and_frames(string aspect, string resolution, int width, int height)
        {
            var client = Testing.Client(_fx.Emulator, "SoraWeb");
            var body = await Body(client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p", AspectRatio = aspect, Resolution = resolution, Duration = 10 })));
            Assert.Equal(width, body.GetProperty("width").GetInt32());
            Assert.Equal(height, body.GetProperty("height").GetInt32());
            Assert.Equal(300, body.GetProperty("n_frames").GetInt32());
            Assert.Equal("video_gen", body.GetProperty("type").GetString());
            Assert.Equal("turbo", body.GetProperty("model").GetString());
            Assert.Equal("simple_compose", body.GetProperty("operation").GetString());
            Assert.Equal(1, body.GetProperty("n_variants").GetInt32());
        }

        [Fact]
        public async Task SoraWeb_storyboard_beats_become_actions_and_run_end_to_end()
        {
            var client = Testing.Client(_fx.Emulator, "SoraWeb");
            var v = client.Validate(new VideoRequest
            {
                Prompt = "a day in the valley",
                Duration = 10,
                Storyboard = new[] { new StoryboardBeat(5, "noon, sheep graze"), new StoryboardBeat(0, "dawn over the hills") },
            });
            Assert.Equal("storyboard", v.Operation);
            var body = await Body(client.Dialect.BuildSubmit(client.Profile, v));
            var actions = body.GetProperty("actions").EnumerateArray().ToList();
            Assert.Equal(0, actions[0].GetProperty("time").GetDouble());
            Assert.Equal("dawn over the hills", actions[0].GetProperty("description").GetString());
            Assert.Equal(5, actions[1].GetProperty("time").GetDouble());
            var task = await Finish(client, await client.SubmitAsync(v, Testing.Timeout()));
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            var beyond = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Duration = 5, Storyboard = new[] { new StoryboardBeat(7, "too late") } }));
            Assert.Equal("InvalidStoryboard", beyond.ErrorId);
        }

        [Theory]
        [InlineData(0.0, 1)]
        [InlineData(0.5, 5)]
        [InlineData(1.0, 8)]
        [InlineData(null, 5)]
        public void SoraWeb_remix_strength_maps_to_sdedit_amount(double? strength, int amount) =>
            Assert.Equal(amount, SoraWebDialect.RemixAmount(strength));

        [Fact]
        public async Task SoraWeb_remix_and_blend_use_generation_ids_end_to_end()
        {
            var client = Testing.Client(_fx.Emulator, "SoraWeb");
            var first = await Finish(client, await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a fox" }), Testing.Timeout()));
            var second = await Finish(client, await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a hare" }), Testing.Timeout()));
            Assert.StartsWith("gen_", first.GenerationId);
            var remix = client.Validate(new VideoRequest { Prompt = "the fox in autumn", RemixOf = first.GenerationId, RemixStrength = 1.0 });
            var body = await Body(client.Dialect.BuildSubmit(client.Profile, remix));
            Assert.Equal("remix", body.GetProperty("operation").GetString());
            Assert.Equal(8, body.GetProperty("sdedit").GetProperty("amount").GetInt32());
            Assert.Equal(first.GenerationId, body.GetProperty("sdedit").GetProperty("source_generation_id").GetString());
            var remixed = await Finish(client, await client.SubmitAsync(remix, Testing.Timeout()));
            Assert.Equal(SoraTaskStatus.Succeeded, remixed.Status);
            var blend = client.Validate(new VideoRequest { Prompt = "fox meets hare", Blend = new[] { first.GenerationId, second.GenerationId } });
            Assert.Equal("blend", blend.Operation);
            var blended = await Finish(client, await client.SubmitAsync(blend, Testing.Timeout()));
            Assert.Equal(SoraTaskStatus.Succeeded, blended.Status);
            var missing = client.Validate(new VideoRequest { Prompt = "x", RemixOf = "gen_doesnotexist" });
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(missing, Testing.Timeout()));
            Assert.Equal(SoraErrorKind.NotFound, e.Kind);
            Assert.Equal("ConflictingOperations", Assert.Throws<SoraValidationException>(() =>
                client.Validate(new VideoRequest { Prompt = "x", RemixOf = "a", Blend = new[] { "b", "c" } })).ErrorId);
        }

        [Fact]
        public async Task SoraWeb_places_an_image_at_a_frame()
        {
            var client = Testing.Client(_fx.Emulator, "SoraWeb");
            var v = client.Validate(new VideoRequest { Prompt = "p", Image = FlowTests.ImageUrl, ImageFrame = 90, Duration = 5 });
            var item = (await Body(client.Dialect.BuildSubmit(client.Profile, v))).GetProperty("inpaint_items")[0];
            Assert.Equal(("image", FlowTests.ImageUrl, 90), (item.GetProperty("type").GetString(), item.GetProperty("url").GetString(), item.GetProperty("frame_index").GetInt32()));
            Assert.Equal("InvalidImageFrame", Assert.Throws<SoraValidationException>(() =>
                client.Validate(new VideoRequest { Prompt = "p", Image = FlowTests.ImageUrl, ImageFrame = 150, Duration = 5 })).ErrorId);
        }

        [Fact]
        public void SoraWeb_parses_the_sora_web_task_shape()
        {
            var body = "{\"id\":\"task_01\",\"detail\":{\"status\":\"running\",\"pending_info\":{\"progress_pct\":0.93},\"generations\":[]}}";
            var profile = new SoraProfile { Name = "w", BaseUri = new Uri("https://x.example.com") };
            var t = new SoraWebDialect().ParseTask(new ProviderResponse(200, body, null, null), profile);
            Assert.Equal((SoraTaskStatus.Running, 93), (t.Status, t.Progress));
            var done = "{\"id\":\"task_01\",\"detail\":{\"status\":\"succeeded\",\"generations\":[{\"id\":\"gen_9\",\"url\":\"https://cdn.example.com/g.mp4\",\"width\":720,\"height\":1280,\"n_frames\":300}]}}";
            var d = new SoraWebDialect().ParseTask(new ProviderResponse(200, done, null, null), profile);
            Assert.Equal(("gen_9", "9:16", "720p", 10), (d.GenerationId, d.AspectRatio, d.Resolution, d.Duration.Value));
        }

        [Fact]
        public void SoraWeb_query_path_is_a_profile_setting()
        {
            var profile = new SoraProfile { Name = "w", Dialect = "SoraWeb", BaseUri = new Uri("https://relay.example.com"), Settings = new Dictionary<string, string> { ["QueryPath"] = "v1/video/query?id={id}" } };
            Assert.Equal("https://relay.example.com/v1/video/query?id=task_1", new SoraWebDialect().BuildQuery(profile, "task_1").RequestUri.AbsoluteUri);
            profile.Settings = null;
            Assert.Equal("https://relay.example.com/sora/v1/videos/task_1", new SoraWebDialect().BuildQuery(profile, "task_1").RequestUri.AbsoluteUri);
        }

        [Fact]
        public void SoraWeb_a_refusal_inside_a_200_answer_is_an_error()
        {
            var client = Testing.Client(_fx.Emulator, "SoraWeb");
            var v = client.Validate(new VideoRequest { Prompt = "p" });
            var e = Assert.Throws<SoraApiException>(() => client.Dialect.ParseSubmit(new ProviderResponse(200, "{\"code\":\"prompt_violation\",\"message\":\"prompt violates content policy\",\"data\":null}", null, null), v, client.Profile));
            Assert.Equal(SoraErrorKind.ContentModeration, e.Kind);
        }

        // ----- AzureJobs -----

        [Fact]
        public async Task AzureJobs_uses_the_api_key_header_api_version_and_generation_ids()
        {
            var client = Testing.Client(_fx.Emulator, "AzureJobs");
            var v = client.Validate(new VideoRequest { Prompt = "harbour at dusk", Duration = 8, AspectRatio = "9:16", Resolution = "1080p" });
            var msg = client.Dialect.BuildSubmit(client.Profile, v);
            Assert.EndsWith("/azure/openai/v1/video/generations/jobs?api-version=preview", msg.RequestUri.PathAndQuery);
            var body = await Body(msg);
            Assert.Equal((8, 1080, 1920, "sora"), (body.GetProperty("n_seconds").GetInt32(), body.GetProperty("width").GetInt32(), body.GetProperty("height").GetInt32(), body.GetProperty("model").GetString()));
            var task = await Finish(client, await client.SubmitAsync(v, Testing.Timeout()));
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.StartsWith("gen_", task.GenerationId);
            Assert.NotEqual(task.Id, task.GenerationId);
            Assert.Contains("/video/generations/" + task.GenerationId + "/content/video", task.VideoUri.AbsoluteUri);
            using (var dir = new TempDir())
            {
                var r = await client.DownloadAsync(task, dir.File("a.mp4"), new DownloadOptions(), null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video.Length, r.Bytes);
            }
            Assert.Equal("InvalidDuration", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Duration = 21 })).ErrorId);
            Assert.Equal("ImageNotSupported", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Image = FlowTests.ImageUrl })).ErrorId);
        }

        [Theory]
        [InlineData("queued", SoraTaskStatus.Queued)]
        [InlineData("preprocessing", SoraTaskStatus.Running)]
        [InlineData("running", SoraTaskStatus.Running)]
        [InlineData("processing", SoraTaskStatus.Running)]
        [InlineData("succeeded", SoraTaskStatus.Succeeded)]
        [InlineData("failed", SoraTaskStatus.Failed)]
        [InlineData("cancelled", SoraTaskStatus.Cancelled)]
        public void AzureJobs_status_words(string word, SoraTaskStatus status) =>
            Assert.Equal(status, new AzureJobsDialect().Statuses.Map(word));

        // ----- OpenAI remix, list, and cost estimates -----

        [Fact]
        public async Task OpenAI_remix_posts_to_the_remix_endpoint_end_to_end()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var source = await Finish(client, await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a lake" }), Testing.Timeout()));
            var v = client.Validate(new VideoRequest { Prompt = "the lake frozen", RemixOf = source.Id });
            var msg = client.Dialect.BuildSubmit(client.Profile, v);
            Assert.EndsWith("/v1/videos/" + source.Id + "/remix", msg.RequestUri.AbsolutePath);
            Assert.Equal("{\"prompt\":\"the lake frozen\"}", await msg.Content.ReadAsStringAsync());
            var remix = await Finish(client, await client.SubmitAsync(v, Testing.Timeout()));
            Assert.Equal(SoraTaskStatus.Succeeded, remix.Status);
            Assert.Contains(source.Id, remix.Raw);
        }

        [Fact]
        public async Task OpenAI_task_list_follows_has_more()
        {
            await using (var emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(5) }))
            {
                var client = Testing.Client(emu, "OpenAI");
                client.ListPageSize = 2;
                var ids = new List<string>();
                for (var i = 0; i < 5; i++) ids.Add((await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "list " + i }), Testing.Timeout())).Id);
                var listed = await client.ListAsync(100, Testing.Timeout());
                Assert.Equal(ids.OrderBy(x => x), listed.Select(t => t.Id).OrderBy(x => x));
                Assert.Equal(3, emu.State.Count("GET", "/openai/v1/videos"));
                var two = await client.ListAsync(2, Testing.Timeout());
                Assert.Equal(2, two.Count);
            }
        }

        [Fact]
        public void WhatIf_cost_estimates_follow_the_published_rules()
        {
            var openai = Testing.Client(_fx.Emulator, "OpenAI");
            var cost = openai.Dialect.EstimateCost(openai.Validate(new VideoRequest { Prompt = "p", Model = "sora-2-pro", Resolution = "1024p", Duration = 12 }));
            Assert.Contains("$6.00", cost);
            var unified = Testing.Client(_fx.Emulator, "UnifiedTask");
            var pro = unified.Dialect.EstimateCost(unified.Validate(new VideoRequest { Prompt = "p", Model = "sora-2-pro-preview", Resolution = "1080p", Duration = 8 }));
            Assert.Contains("1.667x", pro);
            Assert.Null(Testing.Client(_fx.Emulator, "AzureJobs").Dialect.EstimateCost(Testing.Client(_fx.Emulator, "AzureJobs").Validate(new VideoRequest { Prompt = "p" })));
        }

        [Fact]
        public void Every_dialect_is_registered_with_its_own_table()
        {
            Assert.Equal(new[] { "OpenAI", "UnifiedTask", "V2Task", "OneRouter", "SoraWeb", "AzureJobs", "AzureOpenAI", "NewApi", "OpenRouter" }, DialectRegistry.Names);
            foreach (var d in DialectRegistry.Dialects)
            {
                Assert.NotEmpty(d.Models);
                foreach (var m in d.Models)
                {
                    Assert.Contains(m.DefaultDuration, m.Durations);
                    Assert.Contains(m.DefaultAspectRatio, m.AspectRatios);
                    Assert.Contains(m.DefaultResolution, m.Resolutions);
                }
            }
        }
    }
}
