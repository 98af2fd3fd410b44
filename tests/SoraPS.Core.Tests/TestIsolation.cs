using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using SoraPS.Core.Profiles;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// Runs when the test assembly loads, before any SoraPS code: the whole test process uses a private config
    /// folder, so no test reads or writes the real user's profiles, keys or journal, and no key of the user's
    /// (SORAPS_API_KEY, a stored key) can reach the emulator.
    /// </summary>
    internal static class TestIsolation
    {
        public static string ConfigHome { get; private set; }

        [ModuleInitializer]
        internal static void Isolate()
        {
            ConfigHome = Path.Combine(Path.GetTempPath(), "soraps-xunit-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(ConfigHome);
            Environment.SetEnvironmentVariable(ConfigPaths.ConfigHomeVariable, ConfigHome);
            Environment.SetEnvironmentVariable("SORAPS_PROFILE", null);
            Environment.SetEnvironmentVariable("SORAPS_API_KEY", null);
            AppDomain.CurrentDomain.ProcessExit += (s, e) => { try { Directory.Delete(ConfigHome, true); } catch (IOException) { } catch (UnauthorizedAccessException) { } };
        }
    }

    public sealed class TestIsolationTests
    {
        [Fact]
        public void The_test_process_never_uses_the_real_config_folder()
        {
            Assert.Equal(TestIsolation.ConfigHome, Environment.GetEnvironmentVariable(ConfigPaths.ConfigHomeVariable));
            Assert.StartsWith(Path.GetTempPath(), ConfigPaths.ConfigDirectory);
            Assert.Null(Environment.GetEnvironmentVariable("SORAPS_API_KEY"));
        }

        [Fact]
        public void The_suite_runs_against_the_intended_build_of_SoraPS_Core()
        {
            var framework = typeof(ConfigPaths).Assembly.GetCustomAttribute<TargetFrameworkAttribute>().FrameworkName;
#if CORE_NETSTANDARD
            Assert.Equal(".NETStandard,Version=v2.0", framework);
#else
            Assert.Equal(".NETCoreApp,Version=v8.0", framework);
#endif
        }
    }
}
