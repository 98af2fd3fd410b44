using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Relays as they answer today: new-api's task route, relay links in the OpenAI shape, APIMart-style answers.</summary>
    public sealed class RelayTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public RelayTests(EmulatorFixture fx) { _fx = fx; }

        private SoraClient At(string dialect, string prefix) =>
            Testing.Client(_fx.Emulator, dialect, profile: new SoraProfile { Name = prefix, Dialect = dialect, BaseUri = new Uri(_fx.Emulator.BaseUri, prefix) });

        private static ProviderResponse Answer(string json, int status = 200) =>
            new ProviderResponse(status, json, null, new Uri("https://relay.example.com/v1/video/generations/x"));

        private static readonly SoraProfile Remote = new SoraProfile { Name = "r", Dialect = "NewApi", BaseUri = new Uri("https://relay.example.com") };

        // ----- NewApi: the task route -----

        [Theory]
        [InlineData("sora-2", 8, "", "/newapi/v1/videos/")]
        [InlineData("veo-3.1-generate-preview", 6, " [shape:veo]", "/newapi/v1/videos/")]
        [InlineData("doubao-seedance-1-0-pro-250528", 10, " [shape:flat]", "/newapi/files/")]
        public async Task NewApi_submits_to_the_task_route_waits_and_saves_the_video_in_each_answer_shape(string model, int seconds, string shape, string videoPath)
        {
            var client = Testing.Client(_fx.Emulator, "NewApi");
            var prompt = "a lighthouse in fog" + shape;
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = prompt, Model = model, Duration = seconds, Image = FlowTests.ImageUrl }), Testing.Timeout());
            Assert.StartsWith("task_", task.Id);
            Assert.Equal("NewApi", task.Dialect);
            Assert.Equal(SoraTaskStatus.Queued, task.Status);

            var post = _fx.Emulator.State.Requests.Last(r => r.Method == "POST" && r.Body != null && r.Body.Contains("\"model\":\"" + model + "\"") && r.Body.Contains("lighthouse"));
            Assert.Equal("/newapi/v1/video/generations", post.Path);
            var body = JsonDocument.Parse(post.Body).RootElement;
            Assert.Equal(seconds, body.GetProperty("duration").GetInt32());
            Assert.Equal(JsonValueKind.Number, body.GetProperty("width").ValueKind);
            Assert.Equal(body.GetProperty("width").GetInt32() + "x" + body.GetProperty("height").GetInt32(), body.GetProperty("size").GetString());
            Assert.Equal(FlowTests.ImageUrl, body.GetProperty("image").GetString());

            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal(100, task.Progress);
            Assert.Contains(videoPath, task.VideoUri.AbsolutePath);
            Assert.Contains(_fx.Emulator.State.Requests, r => r.Method == "GET" && r.Path == "/newapi/v1/video/generations/" + task.Id);
            using (var dir = new TempDir())
            {
                var result = await client.DownloadAsync(task, dir.File("v.mp4"), new DownloadOptions(), null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(result.Path));
            }
            // The relay's own copy is fetched with the key; a link elsewhere would not be.
            var fetched = _fx.Emulator.State.Requests.Last(r => r.Method == "GET" && r.Path.Contains(task.Id) && r.Path.StartsWith(videoPath, StringComparison.Ordinal));
            Assert.Equal(200, fetched.Status);
            Assert.True(fetched.Authorized);
        }

        [Fact]
        public async Task NewApi_failure_keeps_its_reason_from_fail_reason_and_from_the_error_object()
        {
            var client = Testing.Client(_fx.Emulator, "NewApi");
            var moderated = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a crowd [fail:moderation]" }), Testing.Timeout());
            Testing.WaitFor(client, moderated);
            Assert.Equal(SoraTaskStatus.Failed, moderated.Status);
            Assert.Equal("FAILURE", moderated.ProviderStatus);
            Assert.Equal(SoraErrorKind.ContentModeration, moderated.Error.Kind);
            Assert.Contains("content moderation", moderated.Error.Message);

            var late = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a crowd [fail:timeout] [shape:flat]" }), Testing.Timeout());
            Testing.WaitFor(client, late);
            Assert.Equal(SoraTaskStatus.Failed, late.Status);
            Assert.Equal("generation_timeout", late.Error.Code);
            Assert.Equal(SoraErrorKind.Timeout, late.Error.Kind);
            Assert.Equal("GenerationTimeout", new SoraTaskFailedException(late).ErrorId);
        }

        [Fact]
        public async Task NewApi_unknown_id_is_TaskNotFound_and_quota_is_QuotaExceeded()
        {
            var client = Testing.Client(_fx.Emulator, "NewApi");
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.GetAsync("task_doesnotexist", Testing.Timeout()));
            Assert.Equal(400, e.StatusCode);
            Assert.Equal("TaskNotFound", e.ErrorId);
            Assert.Equal("task_not_exist", e.ProviderCode);
            var q = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "broke [quota]" }), Testing.Timeout()));
            Assert.Equal("QuotaExceeded", q.ErrorId);
            Assert.Equal(403, q.StatusCode);
        }

        [Fact]
        public void NewApi_reads_the_envelopes_task_id_never_its_row_number()
        {
            var d = DialectRegistry.Get("NewApi");
            var t = d.ParseTask(Answer("{\"code\":\"success\",\"message\":\"\",\"data\":{\"id\":417,\"task_id\":\"task_abc\",\"status\":\"IN_PROGRESS\",\"progress\":\"30%\",\"result_url\":\"\",\"fail_reason\":\"\",\"data\":{}}}"), Remote);
            Assert.Equal("task_abc", t.Id);
            Assert.Equal(SoraTaskStatus.Running, t.Status);
            Assert.Equal(30, t.Progress);
            // The same envelope read through UnifiedTask's QueryPath setting.
            var u = DialectRegistry.Get("UnifiedTask").ParseTask(Answer("{\"code\":\"success\",\"data\":{\"id\":417,\"task_id\":\"task_abc\",\"status\":\"QUEUED\"}}"), Remote);
            Assert.Equal("task_abc", u.Id);
        }

        [Theory]
        [InlineData("NOT_START", SoraTaskStatus.Queued)]
        [InlineData("SUBMITTED", SoraTaskStatus.Queued)]
        [InlineData("QUEUED", SoraTaskStatus.Queued)]
        [InlineData("queued", SoraTaskStatus.Queued)]
        [InlineData("IN_PROGRESS", SoraTaskStatus.Running)]
        [InlineData("processing", SoraTaskStatus.Running)]
        [InlineData("FAILURE", SoraTaskStatus.Failed)]
        [InlineData("failed", SoraTaskStatus.Failed)]
        [InlineData("UNKNOWN", SoraTaskStatus.Unknown)]
        public void NewApi_status_words(string word, SoraTaskStatus status) =>
            Assert.Equal(status, DialectRegistry.Get("NewApi").Statuses.Map(word));

        [Fact]
        public void NewApi_success_without_a_link_is_the_relays_own_content_route_and_a_link_in_the_upstream_answer_is_used()
        {
            var d = DialectRegistry.Get("NewApi");
            var own = d.ParseTask(Answer("{\"code\":\"success\",\"data\":{\"id\":3,\"task_id\":\"task_1\",\"status\":\"SUCCESS\",\"progress\":\"100%\",\"result_url\":\"\",\"data\":{}}}"), Remote);
            Assert.Equal("https://relay.example.com/v1/videos/task_1/content", own.VideoUri.AbsoluteUri);
            var inner = d.ParseTask(Answer("{\"code\":\"success\",\"data\":{\"task_id\":\"task_2\",\"status\":\"SUCCESS\",\"data\":{\"content\":{},\"metadata\":{\"url\":\"https://cdn.example.com/v.mp4\"}}}}"), Remote);
            Assert.Equal("https://cdn.example.com/v.mp4", inner.VideoUri.AbsoluteUri);
            var flat = d.ParseTask(Answer("{\"task_id\":\"task_3\",\"status\":\"completed\",\"url\":\"https://cdn.example.com/3.mp4\",\"format\":\"mp4\",\"metadata\":{},\"error\":null}"), Remote);
            Assert.Equal(SoraTaskStatus.Succeeded, flat.Status);
            Assert.Equal("https://cdn.example.com/3.mp4", flat.VideoUri.AbsoluteUri);
        }

        [Theory]
        [InlineData("veo-3.1-generate-preview", 8, "1080p")]
        [InlineData("doubao-seedance-1-0-pro-250528", 5, "480p")]
        [InlineData("wan2.5-t2v-preview", 10, "720p")]
        [InlineData("kling-v2-1", 10, "1080p")]
        [InlineData("MiniMax-Hailuo-02", 6, "768p")]
        public void NewApi_knows_the_video_models_relays_serve(string model, int seconds, string resolution)
        {
            var client = Testing.Client(_fx.Emulator, "NewApi");
            var v = client.Validate(new VideoRequest { Prompt = "p", Model = model, Duration = seconds, Resolution = resolution });
            Assert.Equal(model, v.Model);
            Assert.Equal("UnknownModel", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Model = "not-a-model" })).ErrorId);
        }

        // ----- The OpenAI shape as relays answer it -----

        [Theory]
        [InlineData("")]
        [InlineData(" [link:metadata.video_url]")]
        [InlineData(" [link:video_url]")]
        [InlineData(" [link:url]")]
        public async Task A_relay_link_is_used_and_fetched_without_the_key(string marker)
        {
            var client = At("OpenAI", "relay");
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a quiet pier" + marker }), Testing.Timeout());
            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.Equal("localhost", task.VideoUri.Host);
            Assert.Equal("/relay/files/" + task.Id + ".mp4", task.VideoUri.AbsolutePath);
            using (var dir = new TempDir())
            {
                var result = await client.DownloadAsync(task, dir.File("v.mp4"), new DownloadOptions(), null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(result.Path));
            }
            var get = _fx.Emulator.State.Requests.Last(r => r.Path == "/relay/files/" + task.Id + ".mp4");
            Assert.False(get.CarriedKey);
            Assert.DoesNotContain(_fx.Emulator.State.Requests, r => r.Path == "/relay/v1/videos/" + task.Id + "/content");
        }

        [Fact]
        public async Task A_relay_without_list_and_delete_routes_refuses_them_and_marks_nothing_deleted()
        {
            var client = At("OpenAI", "relay");
            using (var dir = new TempDir())
            {
                client.Journal = new TaskJournal(dir.Path);
                var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "keep me" }), Testing.Timeout());
                Testing.WaitFor(client, task);
                var list = await Assert.ThrowsAsync<SoraValidationException>(() => client.ListAsync(10, Testing.Timeout()));
                Assert.Equal("ListNotSupported", list.ErrorId);
                Assert.Contains("GET /v1/videos", list.Message);
                var delete = await Assert.ThrowsAsync<SoraValidationException>(() => client.DeleteAsync(task, Testing.Timeout()));
                Assert.Equal("DeleteNotSupported", delete.ErrorId);
                Assert.Contains("DELETE /v1/videos/" + task.Id, delete.Message);
                Assert.Same(task, delete.Target);
                Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
                Assert.NotNull(task.VideoUri);
                var entry = client.Journal.Read().Single(e => e.Id == task.Id);
                Assert.NotEqual("deleted", entry.ProviderStatus);
                Assert.Equal(SoraTaskStatus.Succeeded, entry.Status);
            }
        }

        [Fact]
        public async Task A_relay_unknown_id_is_TaskNotFound()
        {
            var e = await Assert.ThrowsAsync<SoraApiException>(() => At("OpenAI", "relay").GetAsync("task_nope", Testing.Timeout()));
            Assert.Equal("TaskNotFound", e.ErrorId);
            Assert.Equal(400, e.StatusCode);
        }

        [Fact]
        public async Task A_thumbnail_is_refused_where_the_relay_sends_the_video_and_taken_from_thumbnail_url_where_it_names_one()
        {
            var client = At("OpenAI", "relay");
            var plain = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "no thumbnails here" }), Testing.Timeout());
            var linked = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "thumbnail named [link:url]" }), Testing.Timeout());
            Testing.WaitFor(client, plain);
            Testing.WaitFor(client, linked);
            using (var dir = new TempDir())
            {
                var target = dir.File(SavePolicy.FileName(plain, DownloadVariant.Thumbnail));
                var e = await Assert.ThrowsAsync<SoraProtocolException>(() => client.DownloadAsync(plain, target, new DownloadOptions { Variant = "thumbnail", VerifyMp4 = false, NameFromContent = true }, null, Testing.Timeout()));
                Assert.Contains("not a picture", e.Message);
                Assert.Contains("an MP4 video", e.Message);
                Assert.Empty(Directory.GetFiles(dir.Path));

                var thumb = await client.DownloadAsync(linked, dir.File(SavePolicy.FileName(linked, DownloadVariant.Thumbnail)), new DownloadOptions { Variant = "thumbnail", VerifyMp4 = false, NameFromContent = true }, null, Testing.Timeout());
                Assert.EndsWith(".thumbnail.webp", thumb.Path);
                Assert.Equal(Assets.Webp, File.ReadAllBytes(thumb.Path));
                Assert.False(_fx.Emulator.State.Requests.Last(r => r.Path == "/relay/files/" + linked.Id + ".webp").CarriedKey);
            }
        }

        // ----- APIMart-style answers on the UnifiedTask paths -----

        [Fact]
        public async Task Apimart_answers_are_read_submit_wait_save_and_cost()
        {
            var client = At("UnifiedTask", "apimart");
            using (var dir = new TempDir())
            {
                client.Journal = new TaskJournal(dir.Path);
                var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a dune at noon", Duration = 15 }), Testing.Timeout());
                Assert.StartsWith("task_", task.Id);
                Assert.Equal("submitted", task.ProviderStatus);
                Assert.Equal(SoraTaskStatus.Queued, task.Status);
                Assert.Null(task.ActualCost);
                Testing.WaitFor(client, task);
                Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
                Assert.Equal("/apimart/files/" + task.Id + ".mp4", task.VideoUri.AbsolutePath);
                Assert.Equal((decimal)ApimartRoutes.Cost, task.ActualCost);
                var result = await client.DownloadAsync(task, dir.File("v.mp4"), new DownloadOptions(), null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(result.Path));
                // Journaled like any other task field, and read back.
                var again = new TaskJournal(dir.Path).Read().Single(e => e.Id == task.Id).ToTask();
                Assert.Equal((decimal)ApimartRoutes.Cost, again.ActualCost);
            }
        }

        [Fact]
        public async Task Apimart_failure_keeps_its_error_message()
        {
            var client = At("UnifiedTask", "apimart");
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a crowd [fail:moderation]" }), Testing.Timeout());
            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Failed, task.Status);
            Assert.Equal(SoraErrorKind.ContentModeration, task.Error.Kind);
            Assert.Contains("usage policy", task.Error.Message);
            Assert.Equal(0m, task.ActualCost);
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.GetAsync("task_missing", Testing.Timeout()));
            Assert.Equal("TaskNotFound", e.ErrorId);
        }

        [Theory]
        [InlineData("pending", SoraTaskStatus.Queued)]
        [InlineData("queued", SoraTaskStatus.Queued)]
        [InlineData("submitted", SoraTaskStatus.Queued)]
        [InlineData("processing", SoraTaskStatus.Running)]
        [InlineData("in_progress", SoraTaskStatus.Running)]
        [InlineData("running", SoraTaskStatus.Running)]
        [InlineData("completed", SoraTaskStatus.Succeeded)]
        [InlineData("success", SoraTaskStatus.Succeeded)]
        [InlineData("succeeded", SoraTaskStatus.Succeeded)]
        [InlineData("failed", SoraTaskStatus.Failed)]
        [InlineData("failure", SoraTaskStatus.Failed)]
        [InlineData("error", SoraTaskStatus.Failed)]
        [InlineData("cancelled", SoraTaskStatus.Cancelled)]
        public void Apimart_status_words(string word, SoraTaskStatus status)
        {
            var json = "{\"code\":200,\"data\":{\"id\":\"task_w\",\"status\":\"" + word + "\",\"progress\":40,\"result\":{\"videos\":[{\"url\":[\"https://cdn.example.com/w.mp4\"]}]},\"error\":{\"message\":\"boom\"},\"cost\":1.25}}";
            var t = DialectRegistry.Get("UnifiedTask").ParseTask(Answer(json), Remote);
            Assert.Equal(status, t.Status);
            Assert.Equal(1.25m, t.ActualCost);
            if (status == SoraTaskStatus.Succeeded) Assert.Equal("https://cdn.example.com/w.mp4", t.VideoUri.AbsoluteUri);
            if (status == SoraTaskStatus.Failed) Assert.Equal("boom", t.Error.Message);
        }

        // ----- Saved files are what the server sent -----

        [Theory]
        [InlineData("video/mp4", "mp4", true, ".mp4")]
        [InlineData("image/webp", "webp", false, ".webp")]
        [InlineData("image/jpeg", "jpeg", false, ".jpg")]
        [InlineData("image/jpg", "jpeg", false, ".jpg")]
        [InlineData("image/png", "png", false, ".png")]
        [InlineData("application/octet-stream", "jpeg", false, ".jpg")]
        [InlineData(null, "webp", false, ".webp")]
        public void The_extension_follows_the_media_type_checked_against_the_bytes(string type, string kind, bool video, string extension)
        {
            var bytes = Bytes(kind);
            Assert.Equal(extension, MediaCheck.Check(video, type, bytes, bytes.Length, "t", bytes.Length));
        }

        [Theory]
        [InlineData("application/json", "json", true, "a JSON document")]
        [InlineData("text/html", "html", true, "an HTML page")]
        [InlineData("application/json", "json", false, "a JSON document")]
        [InlineData("text/html; charset=utf-8", "html", false, "an HTML page")]
        [InlineData("video/mp4", "mp4", false, "an MP4 video")]
        [InlineData("image/webp", "jpeg", false, "a JPEG image")]
        [InlineData("image/jpg", "webp", false, "a WebP image")]
        [InlineData("image/webp", "webp", true, "a WebP image")]
        public void A_body_that_is_not_what_was_asked_is_refused_naming_what_came(string type, string kind, bool video, string named)
        {
            var bytes = Bytes(kind);
            var e = Assert.Throws<SoraProtocolException>(() => MediaCheck.Check(video, type, bytes, bytes.Length, "t1", bytes.Length));
            Assert.Contains(named, e.Message);
            Assert.Contains("t1", e.Message);
            Assert.Equal("UnexpectedResponse", e.ErrorId);
        }

        [Fact]
        public async Task A_thumbnail_sent_as_jpeg_is_saved_as_jpg_and_a_given_name_is_kept()
        {
            var client = Testing.Client(_fx.Emulator, "AzureJobs");
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a harbour" }), Testing.Timeout());
            Testing.WaitFor(client, task);
            using (var dir = new TempDir())
            {
                var chosen = dir.File(SavePolicy.FileName(task, DownloadVariant.Thumbnail));
                var r = await client.DownloadAsync(task, chosen, new DownloadOptions { Variant = "thumbnail", VerifyMp4 = false, NameFromContent = true }, null, Testing.Timeout());
                Assert.Equal(Path.ChangeExtension(chosen, ".jpg"), r.Path);
                Assert.Equal(new[] { Path.GetFileName(r.Path) }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
                var given = await client.DownloadAsync(task, dir.File("mine.webp"), new DownloadOptions { Variant = "thumbnail", VerifyMp4 = false }, null, Testing.Timeout());
                Assert.Equal(dir.File("mine.webp"), given.Path);
            }
        }

        private static byte[] Bytes(string kind)
        {
            switch (kind)
            {
                case "mp4": return new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m' };
                case "webp": return Assets.Webp;
                case "jpeg": return Assets.Jpeg;
                case "png": return Assets.Png;
                case "json": return Encoding.UTF8.GetBytes("  {\"error\":{\"message\":\"no\"}}");
                default: return Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Bad gateway</body></html>");
            }
        }
    }
}
