using System;
using System.IO;
using System.Runtime.InteropServices;

namespace SoraPS.Core.Profiles
{
    /// <summary>
    /// Where SoraPS keeps its files. SORAPS_CONFIG_HOME overrides everything (tests use it); it must be an absolute
    /// path, since a relative one would follow the working folder and give a job started elsewhere another journal
    /// and budget.
    /// </summary>
    public static class ConfigPaths
    {
        public const string ConfigHomeVariable = "SORAPS_CONFIG_HOME";
        public const string ProfileVariable = "SORAPS_PROFILE";
        public const string ApiKeyVariable = "SORAPS_API_KEY";

        public static string ConfigDirectory => Resolve(Environment.GetEnvironmentVariable, RuntimeInformation.IsOSPlatform(OSPlatform.Windows));

        /// <summary>The config folder for a given environment (a pure function, so it is testable without changing the process).</summary>
        internal static string Resolve(Func<string, string?> environment, bool windows)
        {
            var overridden = environment(ConfigHomeVariable);
            if (!string.IsNullOrWhiteSpace(overridden))
            {
                if (!Path.IsPathRooted(overridden) || overridden!.StartsWith("~", StringComparison.Ordinal))
                    throw new SoraConfigurationException("ConfigHomeNotAbsolute",
                        $"{ConfigHomeVariable} is '{overridden}', a relative path: it would follow the working folder, so a job started elsewhere would use another journal and budget. Set it to an absolute path.");
                return Path.GetFullPath(overridden);
            }
            if (windows)
            {
                var appData = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
                return Path.Combine(appData, "SoraPS");
            }
            var xdg = environment("XDG_CONFIG_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "SoraPS");
            var home = environment("HOME");
            if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home, ".config", "SoraPS");
        }
    }
}
