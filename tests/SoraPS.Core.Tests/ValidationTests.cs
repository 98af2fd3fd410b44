using System;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Bad input is refused before any request reaches the provider, naming what is allowed.</summary>
    public sealed class ValidationTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public ValidationTests(EmulatorFixture fx) { _fx = fx; }

        [Theory]
        [InlineData("OpenAI", null, 15, null, null, "InvalidDuration", "4, 8, 12")]
        [InlineData("OpenAI", "sora-2", 8, "1:1", null, "InvalidAspectRatio", "9:16, 16:9")]
        [InlineData("OpenAI", "sora-2", 8, "16:9", "1024p", "InvalidResolution", "720p")]
        [InlineData("OpenAI", "sora-3", 8, null, null, "UnknownModel", "sora-2, sora-2-pro")]
        [InlineData("UnifiedTask", "sora-2", null, null, "1080p", "InvalidResolution", "720p")]
        [InlineData("UnifiedTask", "sora-2", 8, null, null, "InvalidDuration", "10, 15")]
        [InlineData("UnifiedTask", "sora-2-pro-preview", 10, null, null, "InvalidDuration", "4, 8, 12")]
        [InlineData("UnifiedTask", "sora-2-pro", 10, null, null, "UnknownModel", "sora-2-pro-preview")]
        public async Task Refuses_values_outside_the_model_table(string dialect, string model, int? duration, string aspect, string resolution, string errorId, string allowed)
        {
            var before = _fx.Emulator.State.Requests.Count;
            var client = Testing.Client(_fx.Emulator, dialect);
            var request = new VideoRequest { Prompt = "a cat", Model = model, Duration = duration, AspectRatio = aspect, Resolution = resolution };
            // The whole submission as a cmdlet makes it: were validation lenient, the request would reach the emulator.
            var e = await Assert.ThrowsAsync<SoraValidationException>(() => client.SubmitAsync(client.Validate(request), Testing.Timeout()));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(allowed, e.Message);
            await Task.Delay(50);
            Assert.Equal(before, _fx.Emulator.State.Requests.Count);
        }

        [Fact]
        public void Accepts_the_documented_combinations_and_fills_defaults()
        {
            var openai = Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = "p", Model = "sora-2-pro", AspectRatio = "16:9", Resolution = "1024p", Duration = 12 });
            Assert.Equal((12, "16:9", "1024p"), (openai.Duration.Value, openai.AspectRatio, openai.Resolution));
            var dated = Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = "p", Model = "sora-2-2025-10-06" });
            Assert.Equal(4, dated.Duration);
            var lite = Testing.Client(_fx.Emulator, "UnifiedTask").Validate(new VideoRequest { Prompt = "p" });
            Assert.Equal(("sora-2", 10, "16:9"), (lite.Model, lite.Duration.Value, lite.AspectRatio));
            var pro = Testing.Client(_fx.Emulator, "UnifiedTask").Validate(new VideoRequest { Prompt = "p", Model = "sora-2-pro-preview", Resolution = "1080p", Duration = 8 });
            Assert.Equal("1080p", pro.Resolution);
        }

        [Fact]
        public void Profile_defaults_apply_between_request_and_model_defaults()
        {
            var profile = Testing.Profile(_fx.Emulator, "OpenAI");
            profile.Duration = 12;
            profile.AspectRatio = "16:9";
            var client = Testing.Client(_fx.Emulator, "OpenAI", profile: profile);
            var v = client.Validate(new VideoRequest { Prompt = "p" });
            Assert.Equal((12, "16:9"), (v.Duration.Value, v.AspectRatio));
            var overridden = client.Validate(new VideoRequest { Prompt = "p", Duration = 4 });
            Assert.Equal(4, overridden.Duration);
        }

        [Theory]
        [InlineData("", "EmptyPrompt")]
        [InlineData("   ", "EmptyPrompt")]
        public void Refuses_empty_prompts(string prompt, string errorId)
        {
            var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = prompt }));
            Assert.Equal(errorId, e.ErrorId);
        }

        [Fact]
        public void Refuses_over_long_prompts_with_the_limit()
        {
            var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "UnifiedTask").Validate(new VideoRequest { Prompt = new string('x', 5001) }));
            Assert.Equal("PromptTooLong", e.ErrorId);
            Assert.Contains("5000", e.Message);
            var ok = Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = new string('x', 5001) });
            Assert.Equal(5001, ok.Prompt.Length);
            var e2 = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = new string('x', 32001) }));
            Assert.Contains("32000", e2.Message);
        }

        [Fact]
        public void Refuses_a_missing_image_file()
        {
            var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = "p", Image = "/no/such/image.png" }));
            Assert.Equal("ImageNotFound", e.ErrorId);
        }

        [Fact]
        public void A_url_only_dialect_refuses_a_local_path_clearly()
        {
            using (var dir = new TempDir())
            {
                var file = dir.File("frame.png");
                System.IO.File.WriteAllBytes(file, new byte[] { 1, 2, 3 });
                var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "UnifiedTask").Validate(new VideoRequest { Prompt = "p", Image = file }));
                Assert.Equal("ImageUrlRequired", e.ErrorId);
                Assert.Contains("URL", e.Message);
                var v = Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = "p", Image = file });
                Assert.Equal(file, v.ImagePath);
            }
        }

        [Theory]
        [InlineData("http://example.com/hook")]
        [InlineData("https://127.0.0.1/hook")]
        [InlineData("https://10.1.2.3/hook")]
        [InlineData("https://172.20.0.1/hook")]
        [InlineData("https://192.168.1.5/hook")]
        [InlineData("https://localhost/hook")]
        public void Refuses_callbacks_that_are_not_public_https(string callback)
        {
            var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "UnifiedTask").Validate(new VideoRequest { Prompt = "p", CallbackUri = new Uri(callback) }));
            Assert.Equal("InvalidCallbackUri", e.ErrorId);
        }

        [Fact]
        public async Task Accepts_a_public_https_callback_and_refuses_callbacks_where_the_dialect_has_none()
        {
            var unified = Testing.Client(_fx.Emulator, "UnifiedTask");
            var v = unified.Validate(new VideoRequest { Prompt = "p", CallbackUri = new Uri("https://hooks.example.com/done") });
            Assert.Contains("\"callback_url\":\"https://hooks.example.com/done\"", await unified.Dialect.BuildSubmit(unified.Profile, v).Content.ReadAsStringAsync());
            var e = Assert.Throws<SoraValidationException>(() => Testing.Client(_fx.Emulator, "OpenAI").Validate(new VideoRequest { Prompt = "p", CallbackUri = new Uri("https://hooks.example.com/done") }));
            Assert.Equal("CallbackNotSupported", e.ErrorId);
        }

        [Fact]
        public void Unknown_dialects_name_the_known_ones()
        {
            var e = Assert.Throws<SoraValidationException>(() => DialectRegistry.Get("Runway"));
            Assert.Equal("UnknownDialect", e.ErrorId);
            Assert.Contains("OpenAI", e.Message);
            Assert.Contains("UnifiedTask", e.Message);
        }

        [Theory]
        [InlineData("http://api.example.com", "InsecureBaseUri")]
        [InlineData("ftp://api.example.com", "InvalidBaseUri")]
        public void Refuses_base_uris_that_would_leak_the_key(string uri, string errorId)
        {
            var e = Assert.Throws<SoraValidationException>(() => ProfileStore.CheckBaseUri(new Uri(uri)));
            Assert.Equal(errorId, e.ErrorId);
            ProfileStore.CheckBaseUri(new Uri("http://127.0.0.1:8080/openai"));
            ProfileStore.CheckBaseUri(new Uri("http://localhost:8080/"));
            ProfileStore.CheckBaseUri(new Uri("https://api.example.com"));
        }

        [Fact]
        public async Task A_missing_api_key_is_a_clear_error_before_any_request()
        {
            var before = _fx.Emulator.State.Requests.Count;
            var profile = Testing.Profile(_fx.Emulator, "OpenAI");
            profile.ApiKeyEnvironmentVariable = "SORAPS_TEST_UNSET_" + Guid.NewGuid().ToString("N").Substring(0, 8).ToUpperInvariant();
            var client = new SoraClient(profile);
            var v = client.Validate(new VideoRequest { Prompt = "p" });
            var e = await Assert.ThrowsAsync<SoraConfigurationException>(() => client.SubmitAsync(v, Testing.Timeout()));
            Assert.Equal("ApiKeyMissing", e.ErrorId);
            Assert.Contains(profile.ApiKeyEnvironmentVariable, e.Message);
            Assert.Equal(before, _fx.Emulator.State.Requests.Count);
        }

        [Fact]
        public async Task The_key_is_read_from_the_profile_environment_variable()
        {
            var variable = "SORAPS_TEST_KEY_" + Guid.NewGuid().ToString("N").Substring(0, 8).ToUpperInvariant();
            Environment.SetEnvironmentVariable(variable, _fx.Emulator.Options.ApiKey);
            try
            {
                var profile = Testing.Profile(_fx.Emulator, "UnifiedTask");
                profile.ApiKeyEnvironmentVariable = variable;
                var client = new SoraClient(profile);
                var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "env key" }), Testing.Timeout());
                Assert.StartsWith("task-unified-", task.Id);
            }
            finally
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
        }
    }
}
