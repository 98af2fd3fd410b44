using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Edits, extensions, characters, an image by file id and the list's order: mapping, refusals and flows against the emulator.</summary>
    public sealed class EditsTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public EditsTests(EmulatorFixture fx) { _fx = fx; }

        private static readonly SoraProfile OpenAIProfile = new SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com") };

        private static JsonElement Body(HttpRequestMessage m) => JsonDocument.Parse(m.Content.ReadAsStringAsync().Result).RootElement;

        private SoraClient Client(string dialect)
        {
            var profile = Testing.Profile(_fx.Emulator, dialect);
            if (dialect == "AzureOpenAI") profile.ModelAlias = new Dictionary<string, string> { ["my-sora"] = "sora-2" };
            ProfileStore.Validate(profile);
            return Testing.Client(_fx.Emulator, dialect, profile: profile);
        }

        [Fact]
        public void An_edit_posts_the_source_and_prompt_to_edits()
        {
            var d = DialectRegistry.Get("OpenAI");
            var v = d.Validate(new VideoRequest { Prompt = "Make it snow", EditOf = "video_1", SourceDuration = 8 }, OpenAIProfile);
            var m = d.BuildSubmit(OpenAIProfile, v);
            Assert.Equal("https://api.example.com/v1/videos/edits", m.RequestUri.AbsoluteUri);
            var body = Body(m);
            Assert.Equal(new[] { "prompt", "video" }, body.EnumerateObject().Select(p => p.Name).OrderBy(n => n));
            Assert.Equal("video_1", body.GetProperty("video").GetProperty("id").GetString());
            Assert.Equal("edit", v.Operation);
            Assert.Equal("video_1", v.SourceId);
            // Priced like a generation of the source's length.
            Assert.Contains("$0.80", d.EstimateCost(v));
            var unknownLength = d.Validate(new VideoRequest { Prompt = "Make it snow", EditOf = "video_1" }, OpenAIProfile);
            Assert.Contains("source video's length", d.EstimateCost(unknownLength));
        }

        [Fact]
        public void An_extension_posts_seconds_as_a_string_from_the_catalog()
        {
            var d = DialectRegistry.Get("AzureOpenAI");
            var profile = new SoraProfile { Name = "a", Dialect = "AzureOpenAI", BaseUri = new Uri("https://r.openai.azure.com/openai") };
            var v = d.Validate(new VideoRequest { Prompt = "A heron lands", ExtendOf = "video_2", Duration = 16 }, profile);
            var m = d.BuildSubmit(profile, v);
            Assert.Equal("https://r.openai.azure.com/openai/v1/videos/extensions", m.RequestUri.AbsoluteUri);
            var body = Body(m);
            Assert.Equal("video_2", body.GetProperty("video").GetProperty("id").GetString());
            Assert.Equal("16", body.GetProperty("seconds").GetString());
            Assert.Equal("extend", v.Operation);
            Assert.Contains("$1.60", d.EstimateCost(v));
            var e = Assert.Throws<SoraValidationException>(() => d.Validate(new VideoRequest { Prompt = "p", ExtendOf = "video_2", Duration = 6 }, profile));
            Assert.Equal("InvalidDuration", e.ErrorId);
            Assert.Contains("4, 8, 12, 16, 20", e.Message);
        }

        [Fact]
        public void File_id_and_characters_map_to_input_reference_and_characters()
        {
            var d = DialectRegistry.Get("OpenAI");
            var v = d.Validate(new VideoRequest { Prompt = "Mia waves", ImageFileId = "file-123", Characters = new[] { "char_1", "char_2" } }, OpenAIProfile);
            var body = Body(d.BuildSubmit(OpenAIProfile, v));
            Assert.Equal("file-123", body.GetProperty("input_reference").GetProperty("file_id").GetString());
            Assert.Equal(new[] { "char_1", "char_2" }, body.GetProperty("characters").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
            var list = d.BuildList(OpenAIProfile, null, 10, ascending: true);
            Assert.Contains("order=asc", list.RequestUri.Query);
            Assert.Contains("order=desc", d.BuildList(OpenAIProfile, null, 10).RequestUri.Query);
        }

        [Theory]
        [InlineData("UnifiedTask", "EditOf", "EditNotSupported")]
        [InlineData("V2Task", "ExtendOf", "ExtendNotSupported")]
        [InlineData("AzureJobs", "Character", "CharactersNotSupported")]
        [InlineData("SoraWeb", "ImageFileId", "ImageFileIdNotSupported")]
        public void Dialects_without_the_capability_refuse_before_any_request(string dialect, string parameter, string errorId)
        {
            var d = DialectRegistry.Get(dialect);
            var profile = new SoraProfile { Name = "x", Dialect = dialect, BaseUri = new Uri("https://relay.example.com") };
            var r = new VideoRequest { Prompt = "p" };
            switch (parameter)
            {
                case "EditOf": r.EditOf = "v1"; break;
                case "ExtendOf": r.ExtendOf = "v1"; break;
                case "Character": r.Characters = new[] { "char_1" }; break;
                case "ImageFileId": r.ImageFileId = "file-1"; break;
            }
            var e = Assert.Throws<SoraValidationException>(() => d.Validate(r, profile));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(dialect, e.Message);
            Assert.False(d.Capabilities.Has(DialectOperation.ListOrder) && dialect != "OpenAI");
        }

        [Fact]
        public void Combinations_that_mean_nothing_are_refused()
        {
            var d = DialectRegistry.Get("OpenAI");
            string Id(VideoRequest r) => Assert.Throws<SoraValidationException>(() => d.Validate(r, OpenAIProfile)).ErrorId;
            Assert.Equal("ConflictingSources", Id(new VideoRequest { Prompt = "p", EditOf = "a", ExtendOf = "b" }));
            Assert.Equal("DurationWithEdit", Id(new VideoRequest { Prompt = "p", EditOf = "a", Duration = 8 }));
            Assert.Equal("EditWithImage", Id(new VideoRequest { Prompt = "p", EditOf = "a", ImageFileId = "file-1" }));
            Assert.Equal("ConflictingImages", Id(new VideoRequest { Prompt = "p", ImageFileId = "file-1", Image = "https://x.example.com/a.png" }));
            Assert.Equal("TooManyCharacters", Id(new VideoRequest { Prompt = "p", Characters = new[] { "a", "b", "c" } }));
        }

        [Theory]
        [InlineData("OpenAI")]
        [InlineData("AzureOpenAI")]
        public async Task Edit_extend_characters_file_id_and_order_against_the_emulator(string dialect)
        {
            var client = Client(dialect);
            using (var dir = new TempDir())
            {
                client.Journal = new TaskJournal(Path.Combine(dir.Path, "journal"));
                var model = dialect == "AzureOpenAI" ? "my-sora" : null;
                var source = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "A quiet lake", Model = model, Duration = 8 }), Testing.Timeout());
                Testing.WaitFor(client, source);
                var edit = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "Make it snow", Model = model, EditOf = source.Id, SourceDuration = source.Duration }), Testing.Timeout());
                var extension = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "A heron lands", Model = model, ExtendOf = source.Id, Duration = 4 }), Testing.Timeout());
                Testing.WaitFor(client, edit);
                Testing.WaitFor(client, extension);
                Assert.Equal(SoraTaskStatus.Succeeded, edit.Status);
                Assert.Equal(8, edit.Duration);
                Assert.Equal(12, extension.Duration);

                var journaled = client.Journal.Read(new JournalFilter { Id = edit.Id }).Single();
                Assert.Equal("edit", journaled.Operation);
                Assert.Equal(source.Id, journaled.SourceId);
                var ext = client.Journal.Read(new JournalFilter { Id = extension.Id }).Single();
                Assert.Equal("extend", ext.Operation);
                Assert.Equal(source.Id, ext.SourceId);

                var clip = dir.File("mia.mp4");
                File.WriteAllBytes(clip, _fx.Emulator.State.Video);
                var mia = await client.CreateCharacterAsync(clip, "Mia", Testing.Timeout());
                Assert.StartsWith("char_", mia.Id);
                Assert.Equal("Mia", mia.Name);
                Assert.NotNull(mia.CreatedAt);
                Assert.Equal(client.Profile.Name, mia.Profile);
                var again = await client.GetCharacterAsync(mia.Id, Testing.Timeout());
                Assert.Equal("Mia", again.Name);
                var missing = await Assert.ThrowsAsync<SoraApiException>(() => client.GetCharacterAsync("char_missing", Testing.Timeout()));
                Assert.Equal(404, missing.StatusCode);
                Assert.Equal("InvalidCharacterName", Assert.Throws<SoraValidationException>(() => client.CheckCharacter(clip, new string('n', 81))).ErrorId);

                var cast = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "Mia waves", Model = model, Characters = new[] { mia.Id }, ImageFileId = "file-123" }), Testing.Timeout());
                Assert.False(string.IsNullOrEmpty(cast.Id));

                var oldest = await client.ListAsync(100, true, Testing.Timeout());
                var newest = await client.ListAsync(100, false, Testing.Timeout());
                Assert.True(oldest.First().CreatedAt <= oldest.Last().CreatedAt);
                Assert.Equal(newest.Select(t => t.Id).Reverse(), oldest.Select(t => t.Id));
                Assert.Contains(_fx.Emulator.State.Requests, r => r.Method == "GET" && r.Query != null && r.Query.Contains("order=asc"));
            }
        }
    }
}
