using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace SoraPS.Conformance.Tests
{
    public sealed class OpenRouterValidator : IAsyncLifetime
    {
        public PrismValidator Validator { get; private set; }

        public async Task InitializeAsync() => Validator = await PrismValidator.StartAsync(Locations.Spec("openrouter-videos.published.yaml"));

        public Task DisposeAsync()
        {
            Validator?.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The validator on OpenRouter's spec accepts what the spec allows and refuses what it does not, so the OpenRouter
    /// conformance run cannot pass everything: a frame image (allOf of an image part and frame_type) is closed as a whole.
    /// </summary>
    public sealed class OpenRouterValidatorTests : IClassFixture<OpenRouterValidator>
    {
        private readonly OpenRouterValidator _v;
        public OpenRouterValidatorTests(OpenRouterValidator v) => _v = v;

        private static WireRequest Post(string json, string auth = "Bearer redacted")
        {
            var r = new WireRequest { Method = "POST", Path = "/api/v1/videos", Body = Encoding.UTF8.GetBytes(json) };
            r.Headers["Content-Type"] = "application/json; charset=utf-8";
            if (auth != null) r.Headers["Authorization"] = auth;
            return r;
        }

        private const string Frame = "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://i.example.com/a.png\"},\"frame_type\":\"first_frame\"}";

        [Fact]
        public async Task A_request_the_spec_allows_passes()
        {
            var ok = await _v.Validator.ValidateAsync(Post("{\"model\":\"google/veo-3.1\",\"prompt\":\"p\",\"duration\":8,\"resolution\":\"720p\",\"aspect_ratio\":\"16:9\",\"frame_images\":[" + Frame + "],\"generate_audio\":true,\"seed\":1}"));
            Assert.Empty(ok);
        }

        [Theory]
        [InlineData("{\"model\":\"m\",\"prompt\":\"p\",\"duration\":\"8\"}", "duration")]
        [InlineData("{\"model\":\"m\",\"prompt\":\"p\",\"durations\":8}", "durations")]
        [InlineData("{\"prompt\":\"p\"}", "model")]
        [InlineData("{\"model\":\"m\",\"frame_images\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}]}", "frame_type")]
        [InlineData("{\"model\":\"m\",\"frame_images\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"},\"frame_type\":\"first_frame\",\"weight\":1}]}", "weight")]
        [InlineData("{\"model\":\"m\",\"resolution\":\"999p\"}", "resolution")]
        public async Task A_request_the_spec_does_not_allow_is_refused(string json, string why)
        {
            var found = await _v.Validator.ValidateAsync(Post(json));
            Assert.True(found.Count > 0, $"A body with a bad {why} passed: {json}");
        }

        [Fact]
        public async Task A_request_without_the_key_is_refused()
        {
            Assert.NotEmpty(await _v.Validator.ValidateAsync(Post("{\"model\":\"m\",\"prompt\":\"p\"}", auth: null)));
            Assert.Empty(await _v.Validator.ValidateAsync(new WireRequest { Method = "GET", Path = "/api/v1/videos/job-1/content", Query = "?index=1", Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Authorization"] = "Bearer redacted", ["Accept"] = "video/mp4" } }));
        }
    }
}
