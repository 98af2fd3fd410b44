using System;
using System.Globalization;

namespace SoraPS.Core.Profiles
{
    /// <summary>
    /// The network limits a profile's Settings may set (Register-SoraProfile -Setting @{...}). Each has a
    /// documented default; a value that is not a number in range is refused when the profile is stored.
    /// </summary>
    public static class NetworkSettings
    {
        /// <summary>Seconds one request may take (submissions: the dialect's default, 120 s or 20 min on OneRouter; other requests 100 s; a download's answer headers 60 s).</summary>
        public const string RequestTimeoutSec = "RequestTimeoutSec";
        /// <summary>How many times a failed read (status, list, download) is tried again (default 4 for requests, 3 resumes for a download).</summary>
        public const string MaxRetries = "MaxRetries";
        /// <summary>Seconds a download may receive nothing before it is abandoned or resumed (default 60).</summary>
        public const string DownloadStallSec = "DownloadStallSec";

        public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(100);
        public const int DefaultMaxRetries = 4;
        public static readonly TimeSpan DefaultDownloadStall = TimeSpan.FromSeconds(60);

        public static double? Number(SoraProfile profile, string name)
        {
            string value = null;
            if (profile?.Settings == null || !profile.Settings.TryGetValue(name, out value) || string.IsNullOrWhiteSpace(value)) return null;
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) && !double.IsInfinity(d) ? d : (double?)null;
        }

        public static TimeSpan? Seconds(SoraProfile profile, string name)
        {
            var v = Number(profile, name);
            return v > 0 ? TimeSpan.FromSeconds(v.Value) : (TimeSpan?)null;
        }

        public static int? Count(SoraProfile profile, string name)
        {
            var v = Number(profile, name);
            return v >= 0 ? (int)Math.Min(100, Math.Floor(v.Value)) : (int?)null;
        }

        /// <summary>Refuses a limit that is not a number in range (before it is stored).</summary>
        public static void Validate(SoraProfile profile)
        {
            if (profile?.Settings == null) return;
            foreach (var name in new[] { RequestTimeoutSec, DownloadStallSec })
            {
                if (!profile.Settings.TryGetValue(name, out var raw) || raw == null) continue;
                var v = Number(profile, name);
                if (v == null || v <= 0 || v > 86400)
                    throw new SoraValidationException("InvalidSetting", "Setting", $"The setting {name} takes a number of seconds above 0 (at most 86400); '{raw}' is not one.");
            }
            if (profile.Settings.TryGetValue(MaxRetries, out var retries) && retries != null)
            {
                var v = Number(profile, MaxRetries);
                if (v == null || v < 0 || v > 100 || v != Math.Floor(v.Value))
                    throw new SoraValidationException("InvalidSetting", "Setting", $"The setting {MaxRetries} takes a whole number from 0 to 100; '{retries}' is not one.");
            }
        }
    }
}
