using System;
using System.Collections.Generic;
using System.Linq;
using SoraPS.Core.Profiles;

namespace SoraPS.Core.Dialects
{
    /// <summary>One model of the catalog as Get-SoraModel shows it: its rules, what its dialect can do with it, its price and source.</summary>
    public sealed class SoraModelInfo
    {
        public const string UsdPerSecond = "USD per second";
        public const string UsdPerVideo = "USD per video";

        public string Dialect { get; private set; } = "";
        public string Name { get; private set; } = "";
        public int[] Durations { get; private set; } = Array.Empty<int>();
        public int DefaultDuration { get; private set; }
        public string[] Resolutions { get; private set; } = Array.Empty<string>();
        public string? DefaultResolution { get; private set; }
        /// <summary>"RESOLUTION ASPECT = WIDTHxHEIGHT" for every pair the provider names a size for.</summary>
        public string[] Sizes { get; private set; } = Array.Empty<string>();
        public string[] AspectRatios { get; private set; } = Array.Empty<string>();
        public string? DefaultAspectRatio { get; private set; }
        /// <summary>None, UrlOnly or UrlOrFile.</summary>
        public string? ImageInput { get; private set; }
        public bool RequiresImage { get; private set; }
        /// <summary>How many images a request may carry; null when the provider states no limit.</summary>
        public int? MaxImages { get; private set; }
        public int MaxPromptLength { get; private set; }
        public bool Remix { get; private set; }
        public bool Edit { get; private set; }
        public bool Extend { get; private set; }
        /// <summary>Price per second by resolution (in <see cref="PriceUnit"/>); null when no price is known.</summary>
        public IReadOnlyDictionary<string, decimal>? PricePerSecond { get; private set; }
        public string? PriceUnit { get; private set; }
        /// <summary>Price per video by resolution (whatever its length), where the provider prices so; null otherwise.</summary>
        public IReadOnlyDictionary<string, decimal>? PricePerVideo { get; private set; }
        /// <summary>Whether the model can generate audio, where the provider says; null: not stated.</summary>
        public bool? GenerateAudio { get; private set; }
        /// <summary>Relative price per resolution where the provider publishes only that.</summary>
        public IReadOnlyDictionary<string, double>? PriceFactor { get; private set; }
        /// <summary>The day the provider switched the model off (OpenAI's sora-2 and sora-2-pro: 2026-09-24); null while it serves it.</summary>
        public DateTimeOffset? RetiredOn { get; private set; }
        /// <summary>"built-in", the path of the models.json the model comes from, or the provider and when it was learned ("provider openrouter 2026-12-04T16:40Z").</summary>
        public string? Source { get; private set; }
        /// <summary>With a profile: the profile's model aliases that follow this model.</summary>
        public string[] Aliases { get; private set; } = Array.Empty<string>();

        public static SoraModelInfo From(SoraDialect dialect, ModelSpec spec, SoraProfile? profile = null)
        {
            var sizes = new List<string>();
            foreach (var r in spec.Resolutions)
                foreach (var a in spec.AspectRatios)
                {
                    var size = dialect.SizeOf(a, r);
                    if (size != null) sizes.Add(r + " " + a + " = " + size);
                }
            if (sizes.Count == 0 && spec.ProviderSizes != null) sizes.AddRange(spec.ProviderSizes);
            return new SoraModelInfo
            {
                Dialect = dialect.Name,
                Name = spec.Name,
                Durations = spec.Durations.ToArray(),
                DefaultDuration = spec.DefaultDuration,
                Resolutions = spec.Resolutions.ToArray(),
                DefaultResolution = spec.DefaultResolution,
                Sizes = sizes.ToArray(),
                AspectRatios = spec.AspectRatios.ToArray(),
                DefaultAspectRatio = spec.DefaultAspectRatio,
                ImageInput = spec.Image.ToString(),
                RequiresImage = spec.RequiresImage,
                MaxImages = spec.Image == Dialects.ImageInput.None ? 0 : spec.MaxImages == int.MaxValue ? (int?)null : spec.MaxImages,
                MaxPromptLength = spec.MaxPromptLength,
                Remix = dialect.Capabilities.Has(DialectOperation.Remix),
                Edit = dialect.Capabilities.Has(DialectOperation.Edit),
                Extend = dialect.Capabilities.Has(DialectOperation.Extend),
                PricePerSecond = spec.UsdPerSecond?.ToDictionary(kv => kv.Key, kv => (decimal)kv.Value, StringComparer.OrdinalIgnoreCase),
                PriceUnit = spec.UsdPerSecond != null ? UsdPerSecond : spec.UsdPerVideo != null ? UsdPerVideo : null,
                PricePerVideo = spec.UsdPerVideo?.ToDictionary(kv => kv.Key, kv => (decimal)kv.Value, StringComparer.OrdinalIgnoreCase),
                GenerateAudio = spec.GenerateAudio,
                PriceFactor = spec.ResolutionPriceFactor,
                Source = spec.Source,
                RetiredOn = spec.RetiredOn,
                Aliases = profile?.ModelAlias == null ? Array.Empty<string>()
                    : profile.ModelAlias.Where(kv => spec.Accepts(kv.Value)).Select(kv => kv.Key).OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToArray(),
            };
        }

        /// <summary>
        /// The catalog's models: of one dialect (or of the profile's, or all), optionally only those named
        /// (a profile's alias names its model; wildcards allowed). A plain name no model answers to is UnknownModel.
        /// </summary>
        public static IEnumerable<SoraModelInfo> Query(string? dialect, SoraProfile? profile, IReadOnlyList<string>? names)
        {
            var dialects = !string.IsNullOrEmpty(dialect) ? new[] { DialectRegistry.Get(dialect) }
                : profile != null ? new[] { DialectRegistry.Get(profile.Dialect) }
                : DialectRegistry.Dialects.ToArray();
            var shown = profile != null && dialects.Length == 1 && string.Equals(dialects[0].Name, profile.Dialect, StringComparison.OrdinalIgnoreCase) ? profile : null;
            var all = dialects.SelectMany(d => Catalog.ModelCatalog.Current.Models(d).Select(s => (Dialect: d, Spec: s))).ToList();
            if (names == null || names.Count == 0)
            {
                foreach (var x in all) yield return From(x.Dialect, x.Spec, shown);
                yield break;
            }
            foreach (var n in names)
            {
                var target = shown?.CatalogModel(n) ?? n;
                var pattern = target.IndexOfAny(new[] { '*', '?' }) >= 0
                    ? new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(target).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
                        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)
                    : null;
                var found = all.Where(x => pattern != null ? pattern.IsMatch(x.Spec.Name) : x.Spec.Accepts(target)).ToList();
                if (found.Count == 0 && pattern == null)
                    throw new SoraValidationException("UnknownModel", "Name",
                        $"No model '{n}' in the {(dialects.Length == 1 ? dialects[0].Name + " dialect's" : "")} catalog. Known: {string.Join(", ", all.Select(x => x.Spec.Name).Distinct())}." +
                        (dialects.Length == 1 ? " " + Catalog.ModelCatalog.Fix(dialects[0], shown?.Name, n, all.Select(x => x.Spec).ToList()) : "")) { Target = n };
                foreach (var x in found) yield return From(x.Dialect, x.Spec, shown);
            }
        }
    }
}
