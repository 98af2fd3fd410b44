using System;
using System.IO;
using System.Linq;
using SoraPS.Core.Dialects;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Damaged configuration files and values that do not say what they mean are clear errors, never guesses.</summary>
    public sealed class HostileInputTests
    {
        [Theory]
        [InlineData("{ not json", "not valid JSON")]
        [InlineData("[]", "array")]
        [InlineData("\"profiles\"", "string")]
        [InlineData("null", "null")]
        [InlineData("{\"version\":1}", "no \"profiles\"")]
        [InlineData("{\"version\":1,\"profiles\":null}", "null")]
        [InlineData("{\"version\":1,\"profiles\":{\"name\":\"a\"}}", "object")]
        [InlineData("{\"version\":1,\"profiles\":[null]}", "profile #1")]
        [InlineData("{\"version\":1,\"profiles\":[42]}", "profile #1")]
        [InlineData("{\"version\":1,\"profiles\":[{}]}", "profile #1 has no name")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":null,\"dialect\":\"OpenAI\",\"baseUri\":\"https://a.example.com\"}]}", "no name")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"baseUri\":\"https://a.example.com\"}]}", "no dialect")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"dialect\":\"OpenAI\"}]}", "no absolute baseUri")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"dialect\":\"OpenAI\",\"baseUri\":\"relative/path\"}]}", "no absolute baseUri")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"dialect\":\"OpenAI\",\"baseUri\":\"https://a.example.com\",\"duration\":\"eight\"}]}", "profile #1")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"dialect\":\"OpenAI\",\"baseUri\":\"https://a.example.com\",\"isDefault\":\"yes\"}]}", "profile #1")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"dialect\":\"OpenAI\",\"baseUri\":\"https://a.example.com\",\"settings\":[1,2]}]}", "profile #1")]
        [InlineData("{\"version\":1,\"profiles\":[{\"name\":[\"a\"],\"dialect\":\"OpenAI\",\"baseUri\":\"https://a.example.com\"}]}", "profile #1")]
        public void A_damaged_profile_file_is_ProfileStoreCorrupt_naming_the_file_and_the_fault(string text, string fault)
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                File.WriteAllText(store.FilePath, text);
                foreach (var act in new Action[] { () => store.Load(), () => store.Resolve(null), () => store.Resolve("a"), () => store.Find("a") })
                {
                    var e = Assert.Throws<SoraConfigurationException>(act);
                    Assert.Equal("ProfileStoreCorrupt", e.ErrorId);
                    Assert.Contains(store.FilePath, e.Message);
                    Assert.Contains(fault, e.Message);
                }
                // A write never replaces the damaged file.
                var u = Assert.Throws<SoraConfigurationException>(() => store.Update(l => l.Add(new SoraProfile { Name = "b", Dialect = "OpenAI", BaseUri = new Uri("https://b.example.com") })));
                Assert.Equal("ProfileStoreCorrupt", u.ErrorId);
                Assert.Equal(text, File.ReadAllText(store.FilePath));
            }
        }

        [Fact]
        public void Profiles_written_in_another_letter_case_are_read_not_lost()
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                File.WriteAllText(store.FilePath, "{\"Version\":1,\"Profiles\":[{\"Name\":\"kept\",\"Dialect\":\"OpenAI\",\"BaseUri\":\"https://a.example.com\"}]}");
                Assert.Equal("kept", store.Load().Single().Name);
                store.Update(l => l.Add(new SoraProfile { Name = "added", Dialect = "OpenAI", BaseUri = new Uri("https://b.example.com") }));
                Assert.Equal(new[] { "kept", "added" }, new ProfileStore(dir.Path).Load().Select(p => p.Name).ToArray());
            }
        }

        [Fact]
        public void An_empty_profile_file_is_no_profiles()
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                File.WriteAllText(store.FilePath, "  \n");
                Assert.Empty(store.Load());
            }
        }

        [Theory]
        [InlineData("garbage", "not a JSON object")]
        [InlineData("[]", "not a JSON object")]
        [InlineData("null", "null")]
        [InlineData("{\"main\":null}", "'main' is null")]
        [InlineData("{\"main\":42}", "not a JSON object")]
        [InlineData("{\"main\":{\"Protection\":\"None\"}}", "'main' has no Data")]
        [InlineData("{\"main\":{\"Protection\":\"Rot13\",\"Data\":\"x\"}}", "Protection 'Rot13'")]
        public void A_damaged_key_file_is_KeyStoreCorrupt_naming_the_file(string text, string fault)
        {
            using (var dir = new TempDir())
            {
                var keys = new KeyStore(dir.Path);
                File.WriteAllText(keys.FilePath, text);
                foreach (var act in new Action[] { () => keys.Get("main"), () => keys.Profiles(), () => keys.Set("other", "k"), () => keys.Remove("main") })
                {
                    var e = Assert.Throws<SoraConfigurationException>(act);
                    Assert.Equal("KeyStoreCorrupt", e.ErrorId);
                    Assert.Contains(keys.FilePath, e.Message);
                    Assert.Contains(fault, e.Message);
                }
                Assert.Equal(text, File.ReadAllText(keys.FilePath));

                // The credential of a profile that reads the damaged file is the same clear error.
                var profile = new SoraProfile { Name = "main", Dialect = "OpenAI", BaseUri = new Uri("https://a.example.com"), ApiKeyEnvironmentVariable = "SORAPS_TEST_UNSET_KEY" };
                var c = Assert.Throws<SoraConfigurationException>(() => ApiCredential.Resolve(profile, null, keys));
                Assert.Equal("KeyStoreCorrupt", c.ErrorId);
            }
        }

        [Theory]
        [InlineData("8", 8)]
        [InlineData(" 12 ", 12)]
        [InlineData("8.0", 8)]
        [InlineData("", null)]
        [InlineData("0", null)]
        [InlineData(null, null)]
        public void Durations_in_whole_seconds_are_read(string text, int? expected)
        {
            var dialect = DialectRegistry.Get("OpenAI");
            Assert.Equal(expected, dialect.ParseDuration(text, null, null));
        }

        [Theory]
        [InlineData("12 seconds")]
        [InlineData("twelve")]
        [InlineData("7.5")]
        [InlineData("-8")]
        [InlineData("1e1")]
        [InlineData("8s")]
        public void Durations_that_are_not_whole_seconds_are_InvalidDuration_naming_value_and_allowed(string text)
        {
            var dialect = DialectRegistry.Get("OpenAI");
            var e = Assert.Throws<SoraValidationException>(() => dialect.ParseDuration(text, "sora-2", null));
            Assert.Equal("InvalidDuration", e.ErrorId);
            Assert.Contains("'" + text + "'", e.Message);
            Assert.Contains("4, 8, 12", e.Message);
        }

        [Fact]
        public void Numeric_durations_are_never_rounded()
        {
            var dialect = DialectRegistry.Get("UnifiedTask");
            Assert.Equal(10, dialect.ParseDuration(10, "sora-2", null));
            Assert.Equal(15, dialect.ParseDuration(15.0, "sora-2", null));
            var e = Assert.Throws<SoraValidationException>(() => dialect.ParseDuration(7.5, "sora-2", null));
            Assert.Contains("'7.5'", e.Message);
            Assert.Contains("10, 15", e.Message);
            Assert.Throws<SoraValidationException>(() => dialect.ParseDuration(double.NaN, "sora-2", null));
            Assert.Throws<SoraValidationException>(() => dialect.ParseDuration(1e300, "sora-2", null));
        }
    }
}
