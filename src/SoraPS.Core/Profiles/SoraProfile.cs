using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace SoraPS.Core.Profiles
{
    /// <summary>A stored provider profile: where to send requests, in which dialect, with which key.</summary>
    public sealed class SoraProfile
    {
        public string? Name { get; set; }
        public string? Dialect { get; set; }
        public Uri? BaseUri { get; set; }
        /// <summary>Name of the environment variable that holds the API key (never the key itself).</summary>
        public string? ApiKeyEnvironmentVariable { get; set; }
        /// <summary>A SecretManagement secret that holds the key (the key itself is never stored here).</summary>
        public string? ApiKeySecret { get; set; }
        /// <summary>The SecretManagement vault of <see cref="ApiKeySecret"/> (default vault when empty).</summary>
        public string? Vault { get; set; }
        /// <summary>Set when a key is stored for this profile in the key file (see KeyStore).</summary>
        [JsonIgnore]
        public bool HasStoredKey { get; set; }
        /// <summary>Where the key comes from, for display; never the key.</summary>
        [JsonIgnore]
        public string KeySource =>
            !string.IsNullOrEmpty(ApiKeySecret) ? "secret " + ApiKeySecret + (string.IsNullOrEmpty(Vault) ? "" : " in vault " + Vault)
            : HasStoredKey ? (KeyStore.Encrypts ? "stored (DPAPI)" : "stored (file, mode 0600)")
            : "$env:" + (string.IsNullOrEmpty(ApiKeyEnvironmentVariable) ? ConfigPaths.ApiKeyVariable : ApiKeyEnvironmentVariable);
        /// <summary>Default model for this profile.</summary>
        public string? Model { get; set; }
        public int? Duration { get; set; }
        public string? AspectRatio { get; set; }
        public string? Resolution { get; set; }
        /// <summary>The most requests in flight at once for this profile (the ceiling of its adaptive limit).</summary>
        public int? MaxConcurrency { get; set; }
        /// <summary>How many of this profile's videos are downloaded at once (its MaxParallelDownloads setting, default 4).</summary>
        [JsonIgnore]
        public int MaxParallelDownloads => NetworkSettings.ParallelDownloads(this);
        /// <summary>Settings the dialect declares (for example a query path, or a network limit); names are case-insensitive.</summary>
        public Dictionary<string, string>? Settings { get; set; }
        /// <summary>
        /// Names the provider gives models, mapped to the catalog model whose rules and prices they follow
        /// (a relay's renamed model, an Azure deployment name). The name is sent as given.
        /// </summary>
        public Dictionary<string, string>? ModelAlias { get; set; }
        public bool IsDefault { get; set; }
        /// <summary>The most this profile may spend in one local calendar day, in the unit of the catalog's prices (null: no limit).</summary>
        public decimal? DailyBudget { get; set; }
        /// <summary>The most this profile may spend in one local calendar month (null: no limit).</summary>
        public decimal? MonthlyBudget { get; set; }
        /// <summary>A profile with a budget still submits to models the catalog has no price for (counted as 0).</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool AllowUnpricedModels { get; set; }

        [JsonIgnore]
        public int EffectiveConcurrency => MaxConcurrency.HasValue && MaxConcurrency.Value > 0 ? MaxConcurrency.Value : Http.AdaptiveLimiter.DefaultCeiling;

        /// <summary>A setting's value by name, whatever its case; null when not set.</summary>
        public string? Setting(string name) => Lookup(Settings, name);

        /// <summary>The catalog model a model name stands for: its alias target, else the name itself.</summary>
        [return: NotNullIfNotNull("model")]
        public string? CatalogModel(string? model)
        {
            var target = Lookup(ModelAlias, model);
            return target == null || target.Length == 0 ? model : target;
        }

        private static string? Lookup(Dictionary<string, string>? map, string? name)
        {
            if (map == null || name == null) return null;
            if (map.TryGetValue(name, out var v)) return v;
            foreach (var kv in map)
                if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) return kv.Value;
            return null;
        }

        public SoraProfile Clone()
        {
            var c = (SoraProfile)MemberwiseClone();
            c.Settings = Settings == null ? null : new Dictionary<string, string>(Settings, StringComparer.OrdinalIgnoreCase);
            c.ModelAlias = ModelAlias == null ? null : new Dictionary<string, string>(ModelAlias, StringComparer.OrdinalIgnoreCase);
            return c;
        }

        public override string ToString() => $"{Name} ({Dialect} {BaseUri})";
    }
}
