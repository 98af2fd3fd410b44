using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Declared settings, their checks and case, and model aliases.</summary>
    public sealed class SettingsAndAliasTests
    {
        private static SoraProfile P(string dialect, Dictionary<string, string> settings = null, Dictionary<string, string> aliases = null) => new SoraProfile
        {
            Name = "p",
            Dialect = dialect,
            BaseUri = new Uri("https://relay.example.com"),
            Settings = settings,
            ModelAlias = aliases,
        };

        [Fact]
        public void Every_dialect_declares_the_network_settings_and_its_own()
        {
            foreach (var d in DialectRegistry.Dialects)
            {
                Assert.Contains(d.Settings, s => s.Name == NetworkSettings.RequestTimeoutSec && s.Default == "100");
                Assert.Contains(d.Settings, s => s.Name == NetworkSettings.MaxRetries);
                Assert.Contains(d.Settings, s => s.Name == NetworkSettings.DownloadStallSec);
                Assert.All(d.Settings, s => Assert.False(string.IsNullOrWhiteSpace(s.Help)));
            }
            Assert.Contains(DialectRegistry.Get("UnifiedTask").Settings, s => s.Name == "CancelPath" && s.Default == "v1/tasks/{id}/cancel");
            Assert.Contains(DialectRegistry.Get("AzureJobs").Settings, s => s.Name == "ApiVersion" && s.Default == "preview");
            Assert.DoesNotContain(DialectRegistry.Get("OpenAI").Settings, s => s.Name == "QueryPath");
        }

        [Fact]
        public void An_unknown_setting_is_refused_naming_the_allowed_ones()
        {
            var e = Assert.Throws<SoraValidationException>(() => ProfileStore.Validate(P("OpenAI", new Dictionary<string, string> { ["QueryPath"] = "x/{id}" })));
            Assert.Equal("InvalidSetting", e.ErrorId);
            Assert.Contains("QueryPath", e.Message);
            Assert.Contains("RequestTimeoutSec, MaxRetries, DownloadStallSec", e.Message);
            Assert.Equal("InvalidSetting", Assert.Throws<SoraValidationException>(() =>
                ProfileStore.Validate(P("UnifiedTask", new Dictionary<string, string> { ["QueryPath"] = " " }))).ErrorId);
        }

        [Fact]
        public void Setting_names_are_case_insensitive_after_a_reload()
        {
            using (var dir = new TempDir())
            {
                new ProfileStore(dir.Path).Update(l => l.Add(P("UnifiedTask", new Dictionary<string, string> { ["querypath"] = "v9/jobs/{id}" })));
                Assert.Contains("\"QueryPath\"", File.ReadAllText(Path.Combine(dir.Path, ProfileStore.FileName)));
                // A file written with another spelling reads the same.
                var path = Path.Combine(dir.Path, ProfileStore.FileName);
                File.WriteAllText(path, File.ReadAllText(path).Replace("\"QueryPath\"", "\"querypath\""));
                var loaded = new ProfileStore(dir.Path).Load().Single();
                Assert.Equal("v9/jobs/{id}", loaded.Setting("QueryPath"));
                var request = DialectRegistry.Get("UnifiedTask").BuildQuery(loaded, "t1");
                Assert.Equal("https://relay.example.com/v9/jobs/t1", request.RequestUri.AbsoluteUri);
            }
        }

        [Fact]
        public async System.Threading.Tasks.Task A_model_alias_is_validated_and_priced_as_its_catalog_model_and_sent_verbatim()
        {
            var profile = P("OpenAI", aliases: new Dictionary<string, string> { ["my-sora"] = "sora-2-pro" });
            ProfileStore.Validate(profile);
            var dialect = DialectRegistry.Get("OpenAI");
            var v = dialect.Validate(new VideoRequest { Prompt = "p", Model = "MY-SORA", Resolution = "1024p", Duration = 8 }, profile);
            Assert.Equal("MY-SORA", v.Model);
            Assert.Equal("sora-2-pro", v.Spec.Name);
            Assert.Contains("$4.00", dialect.EstimateCost(v));
            var body = await dialect.BuildSubmit(profile, v).Content.ReadAsStringAsync();
            Assert.Contains("\"model\":\"MY-SORA\"", body);
            // The catalog model's rules apply: sora-2-pro has no 10 s.
            Assert.Equal("InvalidDuration", Assert.Throws<SoraValidationException>(() =>
                dialect.Validate(new VideoRequest { Prompt = "p", Model = "my-sora", Duration = 10 }, profile)).ErrorId);
            // A profile default model may be an alias.
            profile.Model = "my-sora";
            ProfileStore.Validate(profile);
            Assert.Equal("my-sora", dialect.Validate(new VideoRequest { Prompt = "p" }, profile).Model);
        }

        [Fact]
        public void An_alias_to_a_model_the_catalog_lacks_is_refused()
        {
            var e = Assert.Throws<SoraValidationException>(() => ProfileStore.Validate(P("OpenAI", aliases: new Dictionary<string, string> { ["x"] = "sora-9" })));
            Assert.Equal("UnknownModel", e.ErrorId);
            Assert.Equal("UnknownModel", Assert.Throws<SoraValidationException>(() =>
                DialectRegistry.Get("OpenAI").Validate(new VideoRequest { Prompt = "p", Model = "my-sora" }, P("OpenAI"))).ErrorId);
        }

        [Fact]
        public void Capabilities_are_checked_in_one_place()
        {
            foreach (var d in DialectRegistry.Dialects)
            {
                foreach (var op in Enum.GetValues<DialectOperation>())
                {
                    if (op == DialectOperation.None || d.Capabilities.Has(op)) continue;
                    var e = Assert.Throws<SoraValidationException>(() => d.Require(op, "Id"));
                    Assert.Equal(op + "NotSupported", e.ErrorId);
                    Assert.Contains(d.Name, e.Message);
                }
                Assert.Contains(d.Capabilities.Variants, v => v.IsVideo && v.Extension == ".mp4");
                Assert.Equal("VariantNotSupported", Assert.Throws<SoraValidationException>(() => d.Capabilities.Variant("poster", d.Name)).ErrorId);
            }
            Assert.True(DialectRegistry.Get("OneRouter").Capabilities.Has(DialectOperation.Synchronous));
            Assert.False(DialectRegistry.Get("OneRouter").Capabilities.Has(DialectOperation.Query));
        }
    }
}
