using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Sora 2 on Azure OpenAI's v1 API: submit, wait, save, list and delete against the emulator.</summary>
    public sealed class AzureOpenAITests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public AzureOpenAITests(EmulatorFixture fx) { _fx = fx; }

        private SoraClient Client()
        {
            var profile = Testing.Profile(_fx.Emulator, "AzureOpenAI");
            profile.ModelAlias = new Dictionary<string, string> { ["my-sora"] = "sora-2" };
            ProfileStore.Validate(profile);
            return Testing.Client(_fx.Emulator, "AzureOpenAI", profile: profile);
        }

        [Fact]
        public async Task Submit_wait_save_list_and_delete_through_a_deployment_name()
        {
            var client = Client();
            Assert.EndsWith("/azureopenai/openai", client.Profile.BaseUri.AbsoluteUri.TrimEnd('/'));
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a heron in the reeds", Model = "my-sora", Duration = 8 }), Testing.Timeout());
            Assert.Equal("AzureOpenAI", task.Dialect);
            Assert.Equal("my-sora", task.Model);
            Assert.Equal(8, task.Duration);

            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            Assert.EndsWith("/azureopenai/openai/v1/videos/" + task.Id + "/content", task.VideoUri.AbsoluteUri);

            using (var dir = new TempDir())
            {
                var result = await client.DownloadAsync(task, dir.File("heron.mp4"), new DownloadOptions(), null, Testing.Timeout());
                Assert.Equal(_fx.Emulator.State.Video, File.ReadAllBytes(result.Path));
                var thumb = await client.DownloadAsync(task, dir.File("heron.webp"), new DownloadOptions { Variant = "thumbnail", VerifyMp4 = false }, null, Testing.Timeout());
                Assert.True(new FileInfo(thumb.Path).Length > 0);
            }

            var listed = await client.ListAsync(50, Testing.Timeout());
            Assert.Contains(listed, t => t.Id == task.Id && t.Dialect == "AzureOpenAI");

            await client.DeleteAsync(task, Testing.Timeout());
            Assert.Equal("deleted", task.ProviderStatus);
            Assert.DoesNotContain(await client.ListAsync(50, Testing.Timeout()), t => t.Id == task.Id);

            var mine = _fx.Emulator.State.Requests.Where(r => r.Path.Contains("/videos") && r.Path.StartsWith("/azureopenai/", StringComparison.Ordinal)).ToList();
            Assert.Contains(mine, r => r.Method == "POST" && r.Path == "/azureopenai/openai/v1/videos" && r.Body.Contains("\"model\":\"my-sora\""));
            Assert.Contains(mine, r => r.Method == "DELETE");
            Assert.All(mine, r => Assert.True(r.Authorized));
            Assert.All(mine, r => Assert.True(r.Headers.ContainsKey("api-key")));
            Assert.All(mine, r => Assert.False(r.Headers.ContainsKey("Authorization")));
        }

        [Fact]
        public async Task A_deployment_is_checked_by_its_catalog_models_rules()
        {
            var client = Client();
            Assert.Equal("InvalidDuration", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Model = "my-sora", Duration = 10 })).ErrorId);
            Assert.Equal("InvalidResolution", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Model = "my-sora", Resolution = "1024p" })).ErrorId);
            Assert.Contains("$0.80", client.Dialect.EstimateCost(client.Validate(new VideoRequest { Prompt = "p", Model = "my-sora", Duration = 8 })));
            // An unknown deployment is the provider's to refuse; a name neither aliased nor in the catalog is refused first.
            Assert.Equal("UnknownModel", Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Model = "their-sora" })).ErrorId);
            await Task.CompletedTask;
        }

        [Theory]
        [InlineData("https://res.openai.azure.com/openai", "https://res.openai.azure.com/openai/v1/videos/v1")]
        [InlineData("https://res.openai.azure.com/openai/", "https://res.openai.azure.com/openai/v1/videos/v1")]
        [InlineData("https://res.openai.azure.com", "https://res.openai.azure.com/openai/v1/videos/v1")]
        [InlineData("https://res.openai.azure.com/openai/v1", "https://res.openai.azure.com/openai/v1/videos/v1")]
        public void Requests_go_below_openai_v1(string baseUri, string expected)
        {
            var profile = new SoraProfile { Name = "az", Dialect = "AzureOpenAI", BaseUri = new Uri(baseUri) };
            var dialect = DialectRegistry.Get("AzureOpenAI");
            Assert.Equal(expected, dialect.BuildQuery(profile, "v1").RequestUri.AbsoluteUri);
            Assert.Equal(Http.AuthScheme.ApiKeyHeader, dialect.Auth);
        }
    }
}
