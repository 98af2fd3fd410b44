using System;
using System.IO;
using System.Linq;
using System.Text;
using SoraPS.Core.Budget;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>The catalog a client owns: models.json read once and again only when it changes; one price reader; one journal line reader.</summary>
    public sealed class ModelCatalogTests
    {
        private const string Relay = "{\"models\":[{\"dialect\":\"V2Task\",\"name\":\"relay-pro\",\"like\":\"sora-2-pro\",\"pricePerSecond\":0.05}]}";

        [Fact]
        public void An_unchanged_models_file_is_not_parsed_again_and_a_changed_one_is_seen()
        {
            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                var v2 = DialectRegistry.Get("V2Task");
                File.WriteAllText(catalog.Store.FilePath, Relay);
                Assert.Equal(0.05m, catalog.Price(v2, "relay-pro", 8, null)!.PerSecond);
                for (var i = 0; i < 5; i++)
                    Assert.Equal("relay-pro", catalog.Validate(v2, new VideoRequest { Prompt = "p", Model = "relay-pro" }, null).Spec.Name);
                Assert.Equal(1, catalog.Store.Parses);
                Assert.Same(catalog.Models(v2), catalog.Models(v2));

                // Another process rewrites the file (a longer text, a later time): the next lookup sees it.
                File.WriteAllText(catalog.Store.FilePath, Relay.Replace("0.05", "0.125").Replace("relay-pro", "relay-pro-2"));
                File.SetLastWriteTimeUtc(catalog.Store.FilePath, DateTime.UtcNow.AddSeconds(5));
                Assert.Equal(new[] { "sora-2", "sora-2-pro", "relay-pro-2" }, catalog.Models(v2).Select(m => m.Name));
                Assert.Equal(0.125m * 8, catalog.Price(v2, "relay-pro-2", 8, null)!.Amount);
                Assert.Equal("UnknownModel", Assert.Throws<SoraValidationException>(() => catalog.GetModel(v2, "relay-pro")).ErrorId);
                Assert.Equal(2, catalog.Store.Parses);

                // A write through a store of this process is seen even where time and length stay the same.
                var stamp = File.GetLastWriteTimeUtc(catalog.Store.FilePath);
                new ModelStore(dir.Path).Update(l => l[0].PricePerSecond = 0.250m);
                File.SetLastWriteTimeUtc(catalog.Store.FilePath, stamp);
                Assert.Equal(0.25m, catalog.Price(v2, "relay-pro-2", 4, null)!.PerSecond);
                Assert.Equal(3, catalog.Store.Parses);
            }
        }

        [Fact]
        public void A_client_validates_and_prices_with_its_own_catalog()
        {
            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                File.WriteAllText(catalog.Store.FilePath, Relay);
                var client = new SoraClient(new SoraProfile { Name = "v2", Dialect = "V2Task", BaseUri = new Uri("https://relay.example.com") }) { Catalog = catalog };
                var v = client.Validate(new VideoRequest { Prompt = "p", Model = "relay-pro", Duration = 10 });
                Assert.Equal(catalog.Store.FilePath, v.Spec.Source);
                Assert.Equal("about $0.50 at list price (10 s x $0.05/s)", client.EstimateCost(v));
                Assert.Equal(0.50m, Pricing.For(v)!.Amount);
                Assert.Equal(15, client.ParseDuration("15", "relay-pro"));
                // The current config folder's catalog knows nothing of this folder's models.
                Assert.Throws<SoraValidationException>(() => DialectRegistry.Get("V2Task").Validate(new VideoRequest { Prompt = "p", Model = "relay-pro" }, null));
            }
        }

        [Fact]
        public void Learned_models_follow_the_others_with_their_source_and_never_replace_one()
        {
            using (var dir = new TempDir())
            {
                var catalog = new ModelCatalog(dir.Path);
                var openai = DialectRegistry.Get("OpenAI");
                catalog.Learn(openai, new[]
                {
                    new ModelSpec("sora-2", new[] { 5 }, 5, new[] { "1:1" }, "1:1", new[] { "480p" }, "480p", 10, ImageInput.None),
                    new ModelSpec("sora-3", new[] { 6 }, 6, new[] { "16:9" }, "16:9", new[] { "720p" }, "720p", 100, ImageInput.None),
                }, "provider: openai");
                var models = catalog.Models(openai);
                Assert.Equal(new[] { "sora-2", "sora-2-pro", "sora-3" }, models.Select(m => m.Name));
                Assert.Equal(ModelSpec.BuiltIn, models[0].Source);
                Assert.Equal("provider: openai", models[2].Source);
                Assert.Equal(6, catalog.Validate(openai, new VideoRequest { Prompt = "p", Model = "sora-3" }, null).Duration);
            }
        }

        [Fact]
        public void Azure_error_bodies_read_inner_error_and_other_dialects_only_the_common_shape()
        {
            const string body = "{\"error\":{\"code\":\"content_filter\",\"message\":\"filtered\",\"inner_error\":{\"code\":\"ResponsibleAIPolicyViolation\"}}}";
            var response = new Http.ProviderResponse(400, body, new System.Collections.Generic.Dictionary<string, string>(), new Uri("https://r.example.com/x"));
            Assert.Equal("ResponsibleAIPolicyViolation", DialectRegistry.Get("AzureJobs").ParseError(response).InnerCode);
            var plain = DialectRegistry.Get("UnifiedTask").ParseError(response);
            Assert.Null(plain.InnerCode);
            Assert.Equal("content_filter", plain.ProviderCode);
            Assert.Contains("filtered", plain.Message);
        }

        [Fact]
        public void The_journal_line_reader_names_every_stored_field_of_an_entry()
        {
            var stored = typeof(JournalEntry).GetProperties()
                .Where(p => p.CanWrite && p.GetSetMethod() != null && p.Name != nameof(JournalEntry.More)).Select(p => p.Name).OrderBy(n => n);
            Assert.Equal(stored, JournalLineReader.Properties.OrderBy(n => n));
        }

        [Fact]
        public void An_entry_read_again_keeps_nothing_of_the_line_before()
        {
            var full = "{\"id\":\"a\",\"submissionId\":\"s\",\"profile\":\"p\",\"dialect\":\"OpenAI\",\"model\":\"sora-2\",\"duration\":8,\"resolution\":\"720p\"," +
                       "\"status\":\"Failed\",\"submittedAt\":\"2026-01-02T03:04:05+00:00\",\"event\":\"submitted\",\"estimatedCost\":0.8,\"currency\":\"USD\",\"prompt\":\"x\",\"more\":1}";
            foreach (var spendOnly in new[] { false, true })
            {
                var entry = new JournalEntry();
                Assert.Same(entry, JournalLineReader.Read(Encoding.UTF8.GetBytes(full), entry, spendOnly, new JournalNames(), out _));
                Assert.Equal(0.8m, entry.EstimatedCost);
                Assert.Equal(spendOnly ? null : "x", entry.Prompt);
                Assert.Throws<InvalidOperationException>(() => JournalLineReader.Read(Encoding.UTF8.GetBytes("{\"id\":\"b\",\"model\":1}"), entry, spendOnly, new JournalNames(), out _));
                Assert.Same(entry, JournalLineReader.Read(Encoding.UTF8.GetBytes("{\"id\":\"c\"}"), entry, spendOnly, new JournalNames(), out _));
                Assert.Equal("c", entry.Id);
                Assert.All(typeof(JournalEntry).GetProperties().Where(p => p.CanWrite && p.GetSetMethod() != null && p.Name != nameof(JournalEntry.Id)),
                    p => Assert.Null(p.GetValue(entry)));
            }
        }

        [Theory]
        [InlineData("{\"id\":\"t1\",\"profile\":\"p\",\"status\":\"Succeeded\",\"extra\":{\"a\":[1,2]},\"duration\":8}", null)]
        [InlineData("{\"id\":\"t1\",\"status\":\"succeeded\"}", null)]
        [InlineData("{\"profile\":\"p\"}", "no task id")]
        [InlineData("{\"id\":\"t1\",\"status\":\"Sleeping\"}", "throws")]
        [InlineData("{\"id\":\"t1\",\"status\":99}", "an unknown status")]
        [InlineData("[1]", "not an object")]
        [InlineData("{\"id\":\"t1\"} x", "throws")]
        [InlineData("{\"id\":\"t1\",\"duration\":\"8\"}", "throws")]
        [InlineData("{\"id\":\"t1\",// c\n}", "throws")]
        public void The_journal_and_the_ledger_read_a_line_alike(string line, string problem)
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            foreach (var spendOnly in new[] { false, true })
            {
                if (problem == "throws")
                {
                    Assert.ThrowsAny<Exception>(() => JournalLineReader.Read(bytes, spendOnly, new JournalNames(), out _));
                    continue;
                }
                var entry = JournalLineReader.Read(bytes, spendOnly, new JournalNames(), out var said);
                Assert.Equal(problem, said);
                if (problem != null) { Assert.Null(entry); continue; }
                Assert.Equal("t1", entry!.Id);
                Assert.Equal(SoraTaskStatus.Succeeded, entry.Status);
                if (line.Contains("extra")) Assert.Equal(spendOnly ? null : "{\"a\":[1,2]}", entry.More?["extra"].GetRawText());
            }
        }
    }
}
