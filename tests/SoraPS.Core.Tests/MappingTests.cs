using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Each dialect sends the documented field names and types, and the emulator (strict like the seeds) accepts them.</summary>
    public sealed class MappingTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public MappingTests(EmulatorFixture fx) { _fx = fx; }

        private static async Task<JsonElement> Body(HttpRequestMessage m) =>
            JsonDocument.Parse(await m.Content.ReadAsStringAsync()).RootElement;

        [Fact]
        public async Task OpenAI_sends_seconds_as_a_string_and_size_from_aspect_and_resolution()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var v = client.Validate(new VideoRequest { Prompt = "waves", Model = "sora-2-pro", Duration = 8, AspectRatio = "16:9", Resolution = "1024p" });
            var msg = client.Dialect.BuildSubmit(client.Profile, v);
            Assert.Equal(HttpMethod.Post, msg.Method);
            Assert.EndsWith("/openai/v1/videos", msg.RequestUri.AbsolutePath);
            var body = await Body(msg);
            Assert.Equal(JsonValueKind.String, body.GetProperty("seconds").ValueKind);
            Assert.Equal("8", body.GetProperty("seconds").GetString());
            Assert.Equal("1792x1024", body.GetProperty("size").GetString());
            Assert.Equal("sora-2-pro", body.GetProperty("model").GetString());
            Assert.False(body.TryGetProperty("duration", out _));
        }

        [Theory]
        [InlineData("9:16", "720p", "720x1280")]
        [InlineData("16:9", "720p", "1280x720")]
        [InlineData("9:16", "1024p", "1024x1792")]
        [InlineData("16:9", "1024p", "1792x1024")]
        public void OpenAI_size_table(string aspect, string resolution, string size) =>
            Assert.Equal(size, OpenAIDialect.SizeFor(aspect, resolution));

        [Fact]
        public async Task OpenAI_image_url_goes_in_input_reference_and_a_file_goes_multipart()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var byUrl = client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p", Image = "https://img.example.com/a.png" }));
            Assert.Equal("https://img.example.com/a.png", (await Body(byUrl)).GetProperty("input_reference").GetProperty("image_url").GetString());
            using (var dir = new TempDir())
            {
                var file = dir.File("first.png");
                System.IO.File.WriteAllBytes(file, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="));
                var v = client.Validate(new VideoRequest { Prompt = "from a frame", Image = file, Duration = 4 });
                var msg = client.Dialect.BuildSubmit(client.Profile, v);
                var form = Assert.IsType<MultipartFormDataContent>(msg.Content);
                var names = form.Select(p => p.Headers.ContentDisposition.Name.Trim('"')).ToList();
                Assert.Equal(new[] { "model", "prompt", "seconds", "size", "input_reference" }, names);
                // The emulator accepts the upload exactly as OpenAI documents it.
                var task = await client.SubmitAsync(v, Testing.Timeout());
                Assert.True((bool)_fx.Emulator.State.Tasks[task.Id].Extra["has_image"]);
            }
        }

        [Fact]
        public async Task Unified_sends_an_integer_duration_image_urls_and_size_only_for_the_pro_preview()
        {
            var client = Testing.Client(_fx.Emulator, "UnifiedTask");
            var lite = await Body(client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p", Duration = 15, Image = "https://img.example.com/a.jpg" })));
            Assert.Equal(JsonValueKind.Number, lite.GetProperty("duration").ValueKind);
            Assert.Equal(15, lite.GetProperty("duration").GetInt32());
            Assert.False(lite.TryGetProperty("size", out _));
            Assert.Equal("https://img.example.com/a.jpg", lite.GetProperty("image_urls")[0].GetString());
            var pro = await Body(client.Dialect.BuildSubmit(client.Profile, client.Validate(new VideoRequest { Prompt = "p", Model = "sora-2-pro-preview", Duration = 12, Resolution = "1080p", CallbackUri = new Uri("https://hooks.example.com/x") })));
            Assert.Equal("1080p", pro.GetProperty("size").GetString());
            Assert.Equal("https://hooks.example.com/x", pro.GetProperty("callback_url").GetString());
        }

        [Fact]
        public async Task Provider_options_are_merged_into_the_body_and_reach_the_provider()
        {
            var client = Testing.Client(_fx.Emulator, "UnifiedTask");
            var v = client.Validate(new VideoRequest { Prompt = "keep the mark", ProviderOptions = new Dictionary<string, object> { ["remove_watermark"] = false } });
            var body = await Body(client.Dialect.BuildSubmit(client.Profile, v));
            Assert.Equal(JsonValueKind.False, body.GetProperty("remove_watermark").ValueKind);
            var task = await client.SubmitAsync(v, Testing.Timeout());
            var sent = _fx.Emulator.State.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith("/generations", StringComparison.Ordinal));
            Assert.Contains("\"remove_watermark\":false", sent.Body);
            Assert.True(_fx.Emulator.State.Tasks.TryGetValue(task.Id, out var made), "the task id is not one the emulator made");
            Assert.Equal("keep the mark", made.Prompt);
        }

        [Fact]
        public async Task A_wrongly_typed_field_is_refused_by_the_emulator_like_the_provider()
        {
            // Guard for the emulator itself: the mapping tests mean something only if it is strict.
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            // (A length given as a provider option is taken as -Duration and sent in the provider's spelling, so a field
            // SoraPS does not map carries the wrong type here.)
            var v = client.Validate(new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object> { ["input_reference"] = 8 } });
            var e = await Assert.ThrowsAsync<SoraApiException>(() => client.SubmitAsync(v, Testing.Timeout()));
            Assert.Equal(400, e.StatusCode);
            Assert.Equal(SoraErrorKind.InvalidParameter, e.Kind);
            Assert.Contains("input_reference", e.Message);
            var unified = Testing.Client(_fx.Emulator, "UnifiedTask");
            var v2 = unified.Validate(new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object> { ["image_urls"] = "https://example.com/a.png" } });
            var e2 = await Assert.ThrowsAsync<SoraApiException>(() => unified.SubmitAsync(v2, Testing.Timeout()));
            Assert.Equal("InvalidParameter", e2.ErrorId);
            Assert.Contains("image_urls", e2.Message);
        }

        [Theory]
        [InlineData("https://relay.example.com", "v1/videos", "https://relay.example.com/v1/videos")]
        [InlineData("https://relay.example.com/", "v1/videos", "https://relay.example.com/v1/videos")]
        [InlineData("https://relay.example.com/v1", "v1/videos", "https://relay.example.com/v1/videos")]
        [InlineData("https://relay.example.com/api/", "v1/tasks/x", "https://relay.example.com/api/v1/tasks/x")]
        public void Endpoints_join_base_and_path(string baseUri, string path, string expected) =>
            Assert.Equal(expected, SoraDialect.Endpoint(new Uri(baseUri), path).AbsoluteUri);
    }
}
