using System;
using System.Collections.Generic;

namespace SoraPS.Core.Profiles
{
    /// <summary>
    /// The network limits every dialect's profiles may set (Register-SoraProfile -Setting @{...}), declared
    /// with their defaults; a value that is not a number in range is refused when the profile is stored.
    /// </summary>
    public static class NetworkSettings
    {
        public const string RequestTimeoutSec = "RequestTimeoutSec";
        public const string MaxRetries = "MaxRetries";
        public const string DownloadStallSec = "DownloadStallSec";
        public const string MaxParallelDownloads = "MaxParallelDownloads";

        /// <summary>How many downloads of one profile run at once when the profile does not say.</summary>
        public const int DefaultParallelDownloads = 4;

        public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(100);

        /// <summary>The settings common to all dialects.</summary>
        public static readonly IReadOnlyList<SettingDeclaration> Declarations = new[]
        {
            new SettingDeclaration(RequestTimeoutSec, SettingType.Seconds, "100",
                "Seconds one request may take (submissions: the dialect's default, 120 s or 20 min on OneRouter; a download's answer headers 60 s)."),
            new SettingDeclaration(MaxRetries, SettingType.Count, "4",
                "How many times a failed read (status, list, download) is tried again (a broken download resumes 3 times)."),
            new SettingDeclaration(DownloadStallSec, SettingType.Seconds, "60",
                "Seconds a download may receive nothing before it is resumed or abandoned."),
            new SettingDeclaration(MaxParallelDownloads, SettingType.Limit, "4",
                "How many videos of this profile Save-SoraVideo downloads at once (1 to 100)."),
        };

        public static TimeSpan? Seconds(SoraProfile? profile, string name)
        {
            var v = SettingDeclaration.Number(profile?.Setting(name));
            return v > 0 ? TimeSpan.FromSeconds(v.Value) : (TimeSpan?)null;
        }

        /// <summary>The profile's MaxParallelDownloads, else <see cref="DefaultParallelDownloads"/>.</summary>
        public static int ParallelDownloads(SoraProfile? profile) =>
            Count(profile, MaxParallelDownloads) is int n && n >= 1 ? n : DefaultParallelDownloads;

        public static int? Count(SoraProfile? profile, string name)
        {
            var v = SettingDeclaration.Number(profile?.Setting(name));
            return v >= 0 ? (int)Math.Min(100, Math.Floor(v.Value)) : (int?)null;
        }
    }
}
