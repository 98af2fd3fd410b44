using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// A catalog learned from the provider's model list (OpenRouter's GET /api/v1/videos/models): the parser, prices
    /// kept only where their unit is certain, the models kept in models.json per dialect (replaced on every update,
    /// the user's registered models untouched), and the errors that name the command that fixes them.
    /// </summary>
    public sealed class ProviderModelTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public ProviderModelTests(EmulatorFixture fx) { _fx = fx; }

        private static readonly SoraDialect OpenRouter = DialectRegistry.Get("OpenRouter");

        /// <summary>The example of the spec's VideoModelsListResponse, and models with each kind of pricing_skus.</summary>
        private const string List = @"{""data"":[
 {""allowed_passthrough_parameters"":[],""canonical_slug"":""google/veo-3.1"",""created"":1700000000,""description"":""Google video generation model"",
  ""generate_audio"":true,""id"":""google/veo-3.1"",""name"":""Veo 3.1"",""pricing_skus"":{""generate"":""0.50""},""seed"":null,
  ""supported_aspect_ratios"":[""16:9""],""supported_durations"":[5,8],""supported_frame_images"":[""first_frame"",""last_frame""],
  ""supported_resolutions"":[""720p""],""supported_sizes"":null,""upscale_factor"":null,""creativity"":null},
 {""id"":""acme/per-second"",""canonical_slug"":""acme/per-second"",""name"":""Acme"",""created"":1,""generate_audio"":false,""seed"":true,
  ""allowed_passthrough_parameters"":[],""upscale_factor"":null,""creativity"":null,
  ""supported_resolutions"":[""720p"",""1080p""],""supported_aspect_ratios"":[""16:9"",""9:16""],""supported_sizes"":[""1280x720"",""1920x1080""],
  ""supported_durations"":[4,8],""supported_frame_images"":[],""pricing_skus"":{""per-video-second"":""0.50"",""per-video-second-1080p"":""0.75""}},
 {""id"":""acme/per-video"",""canonical_slug"":""acme/per-video"",""name"":""Acme Clip"",""created"":1,""generate_audio"":null,""seed"":null,
  ""allowed_passthrough_parameters"":[],""upscale_factor"":null,""creativity"":null,
  ""supported_resolutions"":[""720p""],""supported_aspect_ratios"":[""1:1""],""supported_sizes"":null,
  ""supported_durations"":[5,10],""supported_frame_images"":[""first_frame""],""pricing_skus"":{""per-video"":""1.20""}},
 {""id"":""acme/mixed"",""canonical_slug"":""acme/mixed"",""name"":""Acme Mixed"",""created"":1,""generate_audio"":true,""seed"":null,
  ""allowed_passthrough_parameters"":[],""upscale_factor"":null,""creativity"":null,
  ""supported_resolutions"":[""720p""],""supported_aspect_ratios"":[""16:9""],""supported_sizes"":null,
  ""supported_durations"":[6],""supported_frame_images"":null,""pricing_skus"":{""per-video"":""0.10"",""video_seconds"":""0.20""}},
 {""id"":""acme/audio"",""canonical_slug"":""acme/audio"",""name"":""Acme Audio"",""created"":1,""generate_audio"":true,""seed"":null,
  ""allowed_passthrough_parameters"":[],""upscale_factor"":null,""creativity"":null,
  ""supported_resolutions"":[""720p"",""1080p""],""supported_aspect_ratios"":[""16:9""],""supported_sizes"":null,
  ""supported_durations"":[8],""supported_frame_images"":null,""pricing_skus"":{""video_seconds_720p"":""0.20"",""video_seconds_1080p"":""0.30"",""video_seconds_with_audio"":""0.40"",""video_tokens"":""9""}},
 {""id"":""acme/upscaler"",""canonical_slug"":""acme/upscaler"",""name"":""Acme Upscaler"",""created"":1,""generate_audio"":null,""seed"":null,
  ""allowed_passthrough_parameters"":[],""upscale_factor"":{""min"":1,""max"":4},""creativity"":[1,2],
  ""supported_resolutions"":null,""supported_aspect_ratios"":null,""supported_sizes"":null,
  ""supported_durations"":null,""supported_frame_images"":null,""pricing_skus"":null}
]}";

        private static IReadOnlyList<UserModel> Parse(string body = List) =>
            OpenRouter.ParseModelList(new Http.ProviderResponse(200, body, new Dictionary<string, string>(), new Uri("https://openrouter.ai/api/v1/videos/models")), new SoraProfile { Name = "or", Dialect = "OpenRouter" });

        private static UserModel Learned(string name, params int[] durations) => new UserModel
        {
            Dialect = "OpenRouter", Name = name, Durations = durations, AspectRatios = new[] { "16:9" }, Resolutions = new[] { "720p" },
            Source = "provider openrouter 2026-12-04T16:40Z",
        };

        [Fact]
        public void The_model_list_is_read_as_the_spec_shapes_it()
        {
            var models = Parse();
            Assert.Equal(new[] { "google/veo-3.1", "acme/per-second", "acme/per-video", "acme/mixed", "acme/audio", "acme/upscaler" }, models.Select(m => m.Name));
            var veo = models[0];
            Assert.Equal("OpenRouter", veo.Dialect);
            Assert.Equal(new[] { 5, 8 }, veo.Durations);
            Assert.Equal(new[] { "720p" }, veo.Resolutions);
            Assert.Equal(new[] { "16:9" }, veo.AspectRatios);
            Assert.Equal(new[] { "first_frame", "last_frame" }, veo.FrameImages);
            Assert.True(veo.GenerateAudio);
            Assert.Null(veo.Sizes);
            Assert.Equal(new[] { "1280x720", "1920x1080" }, models[1].Sizes);
            Assert.Empty(models[1].FrameImages!);
            Assert.Equal("None", models[1].ImageInput);
            Assert.Equal("UrlOrFile", models[2].ImageInput);
            Assert.Null(models[3].FrameImages);
            // A model without durations, resolutions or aspect ratios (an upscaler) has no rules to learn.
            Assert.Null(models[5].Durations);
            Assert.Equal("UnexpectedResponse", Assert.Throws<SoraProtocolException>(() => Parse("{\"models\":[]}")).ErrorId);
        }

        [Fact]
        public void A_price_is_kept_only_where_its_unit_is_certain()
        {
            var models = Parse().ToDictionary(m => m.Name);
            // "generate" names no unit: unpriced.
            Assert.Null(models["google/veo-3.1"].PricesPerSecond);
            Assert.Null(models["google/veo-3.1"].PricesPerVideo);
            // Per second, by resolution where a key names one.
            Assert.Equal(0.50m, models["acme/per-second"].PricesPerSecond!["720p"]);
            Assert.Equal(0.75m, models["acme/per-second"].PricesPerSecond!["1080p"]);
            Assert.Null(models["acme/per-second"].PricesPerVideo);
            // Per video.
            Assert.Equal(1.20m, models["acme/per-video"].PricesPerVideo!["720p"]);
            Assert.Null(models["acme/per-video"].PricesPerSecond);
            // Two units at once: what a video costs is not certain.
            Assert.Null(models["acme/mixed"].PricesPerSecond);
            Assert.Null(models["acme/mixed"].PricesPerVideo);
            // Audio priced higher: the higher price (SoraPS cannot tell whether audio is on); tokens are no unit SoraPS prices.
            Assert.Equal(0.40m, models["acme/audio"].PricesPerSecond!["720p"]);
            Assert.Equal(0.40m, models["acme/audio"].PricesPerSecond!["1080p"]);
            Assert.Null(models["acme/upscaler"].PricesPerSecond);

            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                var parsed = Parse();
                foreach (var m in parsed) m.Source = ProviderModels.Source(OpenRouter, DateTimeOffset.UtcNow);
                var update = catalog.Remember(OpenRouter, parsed);
                // The upscaler has no durations, resolutions or aspect ratios to validate a request with: left out, and said so.
                Assert.DoesNotContain(update.Learned, m => m.Name == "acme/upscaler");
                Assert.Contains(update.Skipped, s => s.StartsWith("acme/upscaler", StringComparison.Ordinal));
                Assert.Equal(8 * 0.75m, catalog.Price(OpenRouter, "acme/per-second", 8, "1080p")!.Amount);
                Assert.Equal(1.20m, catalog.Price(OpenRouter, "acme/per-video", 10, null)!.Amount);
                Assert.Equal(1.20m, catalog.Price(OpenRouter, "acme/per-video", 5, null)!.Amount);
                Assert.Null(catalog.Price(OpenRouter, "acme/mixed", 6, null));
                Assert.Null(catalog.Price(OpenRouter, "google/veo-3.1", 8, null));
                var v = catalog.Validate(OpenRouter, new VideoRequest { Prompt = "p", Model = "acme/per-video", Duration = 10 }, null);
                Assert.Contains("$1.20", catalog.EstimateCost(OpenRouter, v));
                var info = SoraModelInfo.From(OpenRouter, catalog.GetModel(OpenRouter, "acme/per-video"));
                Assert.Equal("USD per video", info.PriceUnit);
                Assert.Equal(1.20m, info.PricePerVideo!["720p"]);
                Assert.Equal("USD per second", SoraModelInfo.From(OpenRouter, catalog.GetModel(OpenRouter, "acme/per-second")).PriceUnit);
            }
        }

        [Fact]
        public async Task The_provider_list_is_read_through_the_pipeline_and_its_models_validate_with_their_source()
        {
            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                var client = Testing.Client(_fx.Emulator, "OpenRouter", profile: OpenRouterTests.Profile(_fx.Emulator, "or"));
                client.Catalog = catalog;
                var at = new DateTimeOffset(2026, 12, 4, 16, 40, 31, TimeSpan.Zero);
                var read = await ProviderModels.ReadAsync(client, at, Testing.Timeout());
                Assert.Contains(read, m => m.Name == "alibaba/wan-2.7");
                Assert.DoesNotContain(read, m => m.Name == "openai/sora-2-pro");
                Assert.All(read, m => Assert.Equal("provider openrouter 2026-12-04T16:40Z", m.Source));

                var update = catalog.Remember(OpenRouter, read);
                Assert.Equal(read.Select(m => m.Name), update.Learned.Select(m => m.Name));
                var wan = catalog.GetModel(OpenRouter, "alibaba/wan-2.7");
                Assert.Equal("provider openrouter 2026-12-04T16:40Z", wan.Source);
                Assert.Equal(new[] { 5, 10 }, wan.Durations);
                // A duration the provider does not list is refused before anything is sent.
                var e = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "p", Model = "alibaba/wan-2.7", Duration = 6 }));
                Assert.Equal("InvalidDuration", e.ErrorId);
                // A learned model of a built-in's name takes its place, with the provider's price.
                var fast = catalog.GetModel(OpenRouter, "google/veo-3.1-fast");
                Assert.StartsWith("provider openrouter", fast.Source);
                Assert.Equal(0.15m * 8, catalog.Price(OpenRouter, "google/veo-3.1-fast", 8, "720p")!.Amount);
                // It is kept in models.json and read back strictly.
                var again = new ModelCatalog(dir.Path + Path.DirectorySeparatorChar);
                Assert.Equal("provider openrouter 2026-12-04T16:40Z", again.Store.Load().First(m => m.Name == "alibaba/wan-2.7").Source);
            }
        }

        [Fact]
        public async Task The_model_list_read_is_retried_on_429_and_an_unreadable_one_is_UnexpectedResponse()
        {
            var client = Testing.Client(_fx.Emulator, "OpenRouter", profile: OpenRouterTests.Profile(_fx.Emulator, "or"));
            var limited = _fx.Emulator.State.AddFault(new Emulator.Fault { Method = "GET", Path = "/videos/models", Kind = Emulator.FaultKind.Status, Status = 429, Times = 1 });
            var read = await ProviderModels.ReadAsync(client, Testing.Timeout());
            Assert.Equal(1, limited.Hits);
            Assert.Contains(read, m => m.Name == "google/veo-3.1-fast");

            var broken = _fx.Emulator.State.AddFault(new Emulator.Fault { Method = "GET", Path = "/videos/models", Kind = Emulator.FaultKind.MalformedJson, Times = 1 });
            var e = await Assert.ThrowsAsync<SoraProtocolException>(() => ProviderModels.ReadAsync(client, Testing.Timeout()));
            Assert.Equal("UnexpectedResponse", e.ErrorId);
            Assert.Equal(1, broken.Hits);
        }

        [Fact]
        public void Learning_again_replaces_what_was_learned_for_the_dialect_and_never_touches_registered_models()
        {
            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                catalog.Store.Update(l =>
                {
                    l.Add(new UserModel { Dialect = "OpenRouter", Name = "acme/b", Like = "google/veo-3.1", Durations = new[] { 7 } });
                    l.Add(new UserModel { Dialect = "V2Task", Name = "relay-pro", Like = "sora-2-pro" });
                });
                var first = catalog.Remember(OpenRouter, new[] { Learned("acme/a", 4), Learned("acme/b", 5) });
                Assert.Equal(new[] { "acme/a" }, first.Learned.Select(m => m.Name));
                Assert.Contains(first.Skipped, s => s.Contains("acme/b"));
                Assert.Equal(new[] { 7 }, catalog.GetModel(OpenRouter, "acme/b").Durations);
                Assert.Equal(catalog.Store.FilePath, catalog.GetModel(OpenRouter, "acme/b").Source);

                catalog.Remember(OpenRouter, new[] { Learned("acme/c", 6), Learned("acme/b", 5) });
                var names = catalog.Models(OpenRouter).Select(m => m.Name).ToList();
                Assert.DoesNotContain("acme/a", names);
                Assert.Contains("acme/c", names);
                Assert.Equal(new[] { 7 }, catalog.GetModel(OpenRouter, "acme/b").Durations);
                Assert.Equal(new[] { "acme/b", "relay-pro", "acme/c" }, catalog.Store.Load().Select(m => m.Name));
                Assert.Null(catalog.Store.Load()[0].Source);
            }
        }

        [Fact]
        public async Task A_dialect_without_a_model_list_says_so_and_sends_nothing()
        {
            var client = Testing.Client(_fx.Emulator, "OpenAI");
            var before = _fx.Emulator.State.Requests.Count;
            var e = await Assert.ThrowsAsync<SoraValidationException>(() => ProviderModels.ReadAsync(client, DateTimeOffset.UtcNow, Testing.Timeout()));
            Assert.Equal("ModelListNotSupported", e.ErrorId);
            Assert.Contains("OpenAI", e.Message);
            Assert.Contains("Register-SoraModel -Dialect OpenAI -Name", e.Message);
            Assert.Contains("-Like", e.Message);
            Assert.Equal(before, _fx.Emulator.State.Requests.Count);
            Assert.False(DialectRegistry.Get("OpenAI").HasModelList);
            Assert.True(OpenRouter.HasModelList);
        }

        [Fact]
        public void UnknownModel_names_the_command_that_adds_the_model()
        {
            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                var withList = Assert.Throws<SoraValidationException>(() =>
                    catalog.GetModel(OpenRouter, "acme/new", new SoraProfile { Name = "or", Dialect = "OpenRouter" }));
                Assert.Equal("UnknownModel", withList.ErrorId);
                Assert.Contains("Update-SoraModel -Profile or", withList.Message);

                var without = Assert.Throws<SoraValidationException>(() =>
                    catalog.GetModel(DialectRegistry.Get("OpenAI"), "sora-9", new SoraProfile { Name = "oa", Dialect = "OpenAI" }));
                Assert.Equal("UnknownModel", without.ErrorId);
                Assert.Contains("Register-SoraModel -Dialect OpenAI -Name sora-9 -Like sora-2", without.Message);

                var query = Assert.Throws<SoraValidationException>(() => SoraModelInfo.Query("V2Task", null, new[] { "nope" }).ToList());
                Assert.Contains("Register-SoraModel -Dialect V2Task -Name nope -Like sora-2", query.Message);
            }
        }
    }
}
