using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace SoraPS.Core.Profiles
{
    /// <summary>A stored provider profile: where to send requests, in which dialect, with which key.</summary>
    public sealed class SoraProfile
    {
        public string Name { get; set; }
        public string Dialect { get; set; }
        public Uri BaseUri { get; set; }
        /// <summary>Name of the environment variable that holds the API key (never the key itself).</summary>
        public string ApiKeyEnvironmentVariable { get; set; }
        /// <summary>Default model for this profile.</summary>
        public string Model { get; set; }
        public int? Duration { get; set; }
        public string AspectRatio { get; set; }
        public string Resolution { get; set; }
        /// <summary>How many requests may be in flight at once for this profile.</summary>
        public int? MaxConcurrency { get; set; }
        /// <summary>Dialect-specific settings (for example a query path).</summary>
        public Dictionary<string, string> Settings { get; set; }
        public bool IsDefault { get; set; }

        [JsonIgnore]
        public int EffectiveConcurrency => MaxConcurrency.HasValue && MaxConcurrency.Value > 0 ? MaxConcurrency.Value : 4;

        public SoraProfile Clone()
        {
            var c = (SoraProfile)MemberwiseClone();
            c.Settings = Settings == null ? null : new Dictionary<string, string>(Settings, StringComparer.OrdinalIgnoreCase);
            return c;
        }

        public override string ToString() => $"{Name} ({Dialect} {BaseUri})";
    }
}
