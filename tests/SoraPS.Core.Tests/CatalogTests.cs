using System;
using System.IO;
using System.Linq;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>The model catalog: user models in models.json over the built-in tables, and values a dialect cannot send.</summary>
    public sealed class CatalogTests
    {
        [Fact]
        public void A_user_model_overrides_a_built_in_one_and_a_new_one_is_added()
        {
            using (var dir = new TempDir())
            {
                var store = new ModelStore(dir.Path);
                store.Update(l =>
                {
                    l.Add(new UserModel { Dialect = "v2task", Name = "sora-2", Durations = new[] { 4, 8 } });
                    l.Add(new UserModel { Dialect = "V2Task", Name = "relay-pro", Like = "sora-2-pro", Resolutions = new[] { "1080p" }, PricePerSecond = 0.05m });
                });
                var v2 = DialectRegistry.Get("V2Task");
                var catalog = store.Catalog(v2);
                Assert.Equal(new[] { "sora-2", "sora-2-pro", "relay-pro" }, catalog.Select(m => m.Name));
                Assert.Equal(new[] { 4, 8 }, catalog[0].Durations);
                Assert.Equal(4, catalog[0].DefaultDuration);
                Assert.Equal(store.FilePath, catalog[0].Source);
                Assert.Equal(ModelSpec.BuiltIn, catalog[1].Source);
                Assert.Equal(new[] { 4, 8, 10, 12, 15, 25 }, catalog[2].Durations);
                Assert.Equal(0.05, catalog[2].UsdPerSecond["1080p"], 6);
                Assert.Contains("\"pricePerSecond\": 0.05", File.ReadAllText(store.FilePath));
                // Other dialects are untouched.
                Assert.Same(DialectRegistry.Get("OpenAI").Models, store.Catalog(DialectRegistry.Get("OpenAI")));
            }
        }

        [Theory]
        [InlineData("[]", "no object")]
        [InlineData("{\"models\":{}}", "\"models\" is not a list")]
        [InlineData("{\"models\":[{\"dialect\":\"V2Task\",\"name\":\"x\",\"durations\":\"ten\"}]}", "model #1: \"durations\" is not a list of whole numbers")]
        [InlineData("{\"models\":[{\"dialect\":\"Nope\",\"name\":\"x\"}]}", "'Nope' is not a dialect")]
        [InlineData("{\"models\":[{\"dialect\":\"V2Task\",\"name\":\"fresh\"}]}", "-Like")]
        [InlineData("{\"models\":[{\"dialect\":\"V2Task\",\"name\":\"sora-2\",\"price\":1}]}", "unknown field \"price\"")]
        [InlineData("{\"models\":[{\"dialect\":\"V2Task\",\"name\":\"sora-2\",\"durations\":[0]}]}", "above 0")]
        [InlineData("{\"models\":[", "not valid JSON")]
        public void A_damaged_file_is_refused_naming_the_file_and_the_fault(string text, string fault)
        {
            using (var dir = new TempDir())
            {
                var store = new ModelStore(dir.Path);
                File.WriteAllText(store.FilePath, text);
                var e = Assert.Throws<SoraConfigurationException>(() => store.Load());
                Assert.Equal("ModelStoreCorrupt", e.ErrorId);
                Assert.Contains(store.FilePath, e.Message);
                Assert.Contains(fault, e.Message);
                Assert.Throws<SoraConfigurationException>(() => store.Update(l => l.Clear()));
                Assert.Equal(text, File.ReadAllText(store.FilePath));
            }
        }

        [Fact]
        public void Model_info_shows_sizes_capabilities_prices_and_aliases()
        {
            var openai = DialectRegistry.Get("OpenAI");
            var profile = new Profiles.SoraProfile { Name = "p", Dialect = "OpenAI", ModelAlias = new System.Collections.Generic.Dictionary<string, string> { ["relay-pro"] = "sora-2-pro" } };
            var info = SoraModelInfo.Query(null, profile, new[] { "relay-pro" }).Single();
            Assert.Equal("sora-2-pro", info.Name);
            Assert.Equal(new[] { "relay-pro" }, info.Aliases);
            Assert.Contains("1024p 16:9 = 1792x1024", info.Sizes);
            Assert.True(info.Remix);
            // OpenAI edits and extends its videos; a dialect that cannot says so.
            Assert.True(info.Edit);
            Assert.True(info.Extend);
            var v2 = SoraModelInfo.Query("V2Task", null, new[] { "sora-2" }).Single();
            Assert.False(v2.Edit);
            Assert.False(v2.Extend);
            Assert.Equal(0.50m, info.PricePerSecond["1024p"]);
            Assert.Equal("USD per second", info.PriceUnit);
            Assert.Equal(2, SoraModelInfo.Query("OpenAI", null, new[] { "sora-2*" }).Count());
            Assert.Equal("UnknownModel", Assert.Throws<SoraValidationException>(() => SoraModelInfo.Query("V2Task", null, new[] { "nope" }).ToList()).ErrorId);
        }

        [Theory]
        [InlineData("OpenAI", "RemixStrengthNotSupported")]
        [InlineData("AzureOpenAI", "RemixStrengthNotSupported")]
        [InlineData("SoraWeb", "RemixStrengthWithoutRemix")]
        public void A_remix_strength_the_dialect_cannot_send_is_refused_not_dropped(string dialect, string errorId)
        {
            var d = DialectRegistry.Get(dialect);
            var profile = new Profiles.SoraProfile { Name = "p", Dialect = dialect, BaseUri = new Uri("https://x.example.com") };
            var request = new VideoRequest { Prompt = "p", RemixStrength = 0.3, RemixOf = dialect == "SoraWeb" ? null : "video_1" };
            Assert.Equal(errorId, Assert.Throws<SoraValidationException>(() => d.Validate(request, profile)).ErrorId);
        }

        [Fact]
        public void Every_dialect_refuses_an_image_frame_it_cannot_send()
        {
            foreach (var d in DialectRegistry.Dialects.Where(x => !x.Capabilities.Has(DialectOperation.ImageFrame)))
            {
                var profile = new Profiles.SoraProfile { Name = "p", Dialect = d.Name, BaseUri = new Uri("https://x.example.com") };
                var e = Assert.Throws<SoraValidationException>(() => d.Validate(new VideoRequest { Prompt = "p", ImageFrame = 3, Image = "https://img.example.com/a.png" }, profile));
                Assert.Equal("ImageFrameNotSupported", e.ErrorId);
            }
        }

        [Fact]
        public async System.Threading.Tasks.Task V2Task_sends_several_images_and_checks_its_documented_flags()
        {
            var d = DialectRegistry.Get("V2Task");
            var profile = new Profiles.SoraProfile { Name = "p", Dialect = "V2Task", BaseUri = new Uri("https://x.example.com") };
            var options = new System.Collections.Generic.Dictionary<string, object> { ["Watermark"] = false, ["private"] = true };
            var v = d.Validate(new VideoRequest { Prompt = "p", Image = "https://i.example.com/a.png", MoreImages = new[] { "https://i.example.com/b.png" }, ProviderOptions = options }, profile);
            var body = await d.BuildSubmit(profile, v).Content.ReadAsStringAsync();
            Assert.Contains("\"images\":[\"https://i.example.com/a.png\",\"https://i.example.com/b.png\"]", body);
            Assert.Contains("\"watermark\":false", body);
            Assert.Contains("\"private\":true", body);
            Assert.Equal("InvalidProviderOption", Assert.Throws<SoraValidationException>(() => d.Validate(new VideoRequest { Prompt = "p",
                ProviderOptions = new System.Collections.Generic.Dictionary<string, object> { ["watermark"] = "no" } }, profile)).ErrorId);
            Assert.Equal("ImageUrlRequired", Assert.Throws<SoraValidationException>(() => d.Validate(new VideoRequest { Prompt = "p",
                Image = "https://i.example.com/a.png", MoreImages = new[] { "b.png" } }, profile)).ErrorId);
            var openai = DialectRegistry.Get("OpenAI");
            Assert.Equal("TooManyImages", Assert.Throws<SoraValidationException>(() => openai.Validate(new VideoRequest { Prompt = "p",
                Image = "https://i.example.com/a.png", MoreImages = new[] { "https://i.example.com/b.png" } }, new Profiles.SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://x.example.com") })).ErrorId);
        }

        [Theory]
        [InlineData("AzureJobs")]
        [InlineData("AzureOpenAI")]
        public void Azure_content_filter_errors_are_moderation_and_keep_their_fields(string dialect)
        {
            const string body = "{\"error\":{\"code\":\"content_filter\",\"message\":\"filtered\",\"param\":\"prompt\",\"type\":\"invalid_request_error\"," +
                                "\"inner_error\":{\"code\":\"ResponsibleAIPolicyViolation\",\"revised_prompt\":\"A calm scene\",\"error_details\":{}}}}";
            var e = DialectRegistry.Get(dialect).ParseError(new Http.ProviderResponse(400, body, new System.Collections.Generic.Dictionary<string, string>(), new Uri("https://r.openai.azure.com/x")));
            Assert.Equal("ContentModerationFailed", e.ErrorId);
            Assert.Equal("ResponsibleAIPolicyViolation", e.InnerCode);
            Assert.Equal("A calm scene", e.RevisedPrompt);
            Assert.Equal("prompt", e.Param);
            Assert.Equal("invalid_request_error", e.ErrorType);
        }

        [Fact]
        public void AzureJobs_asks_for_a_quality_and_other_dialects_refuse_one()
        {
            var azure = DialectRegistry.Get("AzureJobs");
            var profile = new Profiles.SoraProfile { Name = "a", Dialect = "AzureJobs", BaseUri = new Uri("https://r.openai.azure.com") };
            var task = new SoraTask("task_1", "a", "AzureJobs") { GenerationId = "gen_1", Status = SoraTaskStatus.Succeeded };
            Assert.EndsWith("/content/video?api-version=preview&quality=low", azure.GetDownloadUri(profile, task, null, "LOW").AbsoluteUri);
            Assert.DoesNotContain("quality", azure.GetDownloadUri(profile, task, null, null).AbsoluteUri);
            Assert.Equal("QualityNotSupported", Assert.Throws<SoraValidationException>(() => azure.GetDownloadUri(profile, task, null, "medium")).ErrorId);
            Assert.Equal("QualityNotSupported", Assert.Throws<SoraValidationException>(() =>
                DialectRegistry.Get("OpenAI").Capabilities.Quality("low", "OpenAI")).ErrorId);
        }
    }
}
