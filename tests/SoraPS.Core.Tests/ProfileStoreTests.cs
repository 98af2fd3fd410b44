using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Profiles;
using Xunit;

namespace SoraPS.Core.Tests
{
    public sealed class ProfileStoreTests
    {
        private static SoraProfile P(string name, bool isDefault = false) => new SoraProfile
        {
            Name = name,
            Dialect = "openai",
            BaseUri = new Uri("https://relay.example.com"),
            ApiKeyEnvironmentVariable = "RELAY_KEY",
            IsDefault = isDefault,
        };

        [Fact]
        public void Round_trips_profiles_and_normalises_the_dialect_name()
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                store.Update(l => l.Add(P("main", true)));
                var loaded = new ProfileStore(dir.Path).Load().Single();
                Assert.Equal(("main", "OpenAI", "https://relay.example.com/", "RELAY_KEY", true),
                    (loaded.Name, loaded.Dialect, loaded.BaseUri.AbsoluteUri, loaded.ApiKeyEnvironmentVariable, loaded.IsDefault));
                var text = File.ReadAllText(store.FilePath);
                Assert.Contains("\"apiKeyEnvironmentVariable\": \"RELAY_KEY\"", text);
                Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
            }
        }

        [Fact]
        public void The_profile_file_is_readable_only_by_its_owner()
        {
            if (OperatingSystem.IsWindows()) return;
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                store.Update(l => l.Add(P("main")));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
            }
        }

        [Fact]
        public void Resolve_prefers_the_name_then_the_environment_then_the_default()
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                store.Update(l => { l.Add(P("a")); l.Add(P("b", true)); l.Add(P("c")); });
                Assert.Equal("a", store.Resolve("A").Name);
                Assert.Equal("b", store.Resolve(null).Name);
                Environment.SetEnvironmentVariable(ConfigPaths.ProfileVariable, "c");
                try { Assert.Equal("c", store.Resolve(null).Name); }
                finally { Environment.SetEnvironmentVariable(ConfigPaths.ProfileVariable, null); }
                var e = Assert.Throws<SoraConfigurationException>(() => store.Resolve("zzz"));
                Assert.Equal("ProfileNotFound", e.ErrorId);
                Assert.Contains("a, b, c", e.Message);
            }
        }

        [Fact]
        public void Without_a_default_several_profiles_need_a_choice_and_none_needs_registering()
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                Assert.Equal("NoProfile", Assert.Throws<SoraConfigurationException>(() => store.Resolve(null)).ErrorId);
                store.Update(l => l.Add(P("only")));
                Assert.Equal("only", store.Resolve(null).Name);
                store.Update(l => l.Add(P("second")));
                var e = Assert.Throws<SoraConfigurationException>(() => store.Resolve(null));
                Assert.Contains("none is the default", e.Message);
            }
        }

        [Fact]
        public void Invalid_profiles_are_refused_and_the_file_is_left_as_it_was()
        {
            using (var dir = new TempDir())
            {
                var store = new ProfileStore(dir.Path);
                store.Update(l => l.Add(P("good")));
                var before = File.ReadAllText(store.FilePath);
                var bad = P("bad");
                bad.BaseUri = new Uri("http://relay.example.com");
                Assert.Equal("InsecureBaseUri", Assert.Throws<SoraValidationException>(() => store.Update(l => l.Add(bad))).ErrorId);
                var key = P("key");
                key.ApiKeyEnvironmentVariable = "sk-live-abc 123";
                Assert.Equal("InvalidKeyReference", Assert.Throws<SoraValidationException>(() => store.Update(l => l.Add(key))).ErrorId);
                var model = P("model");
                model.Model = "sora-9";
                Assert.Equal("UnknownModel", Assert.Throws<SoraValidationException>(() => store.Update(l => l.Add(model))).ErrorId);
                Assert.Equal("ProfileExists", Assert.Throws<SoraConfigurationException>(() => store.Update(l => l.Add(P("GOOD")))).ErrorId);
                Assert.Equal(before, File.ReadAllText(store.FilePath));
            }
        }

        [Fact]
        public void A_corrupt_file_is_a_clear_error()
        {
            using (var dir = new TempDir())
            {
                File.WriteAllText(Path.Combine(dir.Path, ProfileStore.FileName), "{ not json");
                var e = Assert.Throws<SoraConfigurationException>(() => new ProfileStore(dir.Path).Load());
                Assert.Equal("ProfileStoreCorrupt", e.ErrorId);
            }
        }

        [Fact]
        public void Concurrent_writers_do_not_lose_each_others_changes()
        {
            using (var dir = new TempDir())
            {
                Parallel.For(0, 24, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
                    new ProfileStore(dir.Path).Update(l => l.Add(P("p" + i))));
                var names = new ProfileStore(dir.Path).Load().Select(p => p.Name).OrderBy(n => n).ToList();
                Assert.Equal(Enumerable.Range(0, 24).Select(i => "p" + i).OrderBy(n => n), names);
            }
        }

        [Fact]
        public void The_config_folder_follows_SORAPS_CONFIG_HOME_then_XDG_CONFIG_HOME_then_HOME()
        {
            // A pure function of the environment: the test never changes the process's own variables, which the
            // tests running beside it rely on to keep away from the real config folder.
            Func<string, string> env(params (string Name, string Value)[] vars) => n => vars.FirstOrDefault(v => v.Name == n).Value;
            Assert.Equal("/tmp/soraps-elsewhere", ConfigPaths.Resolve(env((ConfigPaths.ConfigHomeVariable, "/tmp/soraps-elsewhere"), ("HOME", "/home/u")), windows: false));
            Assert.Equal("/xdg/SoraPS", ConfigPaths.Resolve(env(("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/home/u")), windows: false));
            Assert.Equal("/home/u/.config/SoraPS", ConfigPaths.Resolve(env(("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/u")), windows: false));
            Assert.Equal("/home/u/.config/SoraPS", ConfigPaths.Resolve(env(("HOME", "/home/u")), windows: false));
        }
    }
}
