using System;
using System.IO;
using System.Runtime.InteropServices;

namespace SoraPS.Core.Profiles
{
    /// <summary>Where SoraPS keeps its files. SORAPS_CONFIG_HOME overrides everything (tests use it).</summary>
    public static class ConfigPaths
    {
        public const string ConfigHomeVariable = "SORAPS_CONFIG_HOME";
        public const string ProfileVariable = "SORAPS_PROFILE";
        public const string ApiKeyVariable = "SORAPS_API_KEY";

        public static string ConfigDirectory
        {
            get
            {
                var overridden = Environment.GetEnvironmentVariable(ConfigHomeVariable);
                if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    var appData = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
                    return Path.Combine(appData, "SoraPS");
                }
                var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
                if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "SoraPS");
                var home = Environment.GetEnvironmentVariable("HOME");
                if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                return Path.Combine(home, ".config", "SoraPS");
            }
        }
    }
}
