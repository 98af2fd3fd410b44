using System;
using System.Collections.Generic;
using System.Linq;

namespace SoraPS.Core.Dialects
{
    /// <summary>How a model takes an input image.</summary>
    public enum ImageInput
    {
        None,
        /// <summary>Only http(s) URLs the provider can fetch.</summary>
        UrlOnly,
        /// <summary>URLs or a local file uploaded with the request.</summary>
        UrlOrFile,
    }

    /// <summary>One row of a dialect's validation table: what one model accepts.</summary>
    public sealed class ModelSpec
    {
        public ModelSpec(string name, int[] durations, int defaultDuration, string[] aspectRatios, string defaultAspectRatio,
            string[] resolutions, string defaultResolution, int maxPromptLength, ImageInput image)
        {
            Name = name;
            Durations = durations;
            DefaultDuration = defaultDuration;
            AspectRatios = aspectRatios;
            DefaultAspectRatio = defaultAspectRatio;
            Resolutions = resolutions;
            DefaultResolution = defaultResolution;
            MaxPromptLength = maxPromptLength;
            Image = image;
        }

        public string Name { get; }
        public IReadOnlyList<int> Durations { get; }
        public int DefaultDuration { get; }
        public IReadOnlyList<string> AspectRatios { get; }
        public string DefaultAspectRatio { get; }
        public IReadOnlyList<string> Resolutions { get; }
        public string DefaultResolution { get; }
        public int MaxPromptLength { get; }
        public ImageInput Image { get; }
        /// <summary>How many input images a request may carry (several only as URLs).</summary>
        public int MaxImages { get; set; } = 1;
        /// <summary>The model only animates an input image: -Image is required.</summary>
        public bool RequiresImage { get; set; }
        /// <summary>Relative price factor per resolution (for -WhatIf estimates), when the provider publishes one.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, double>? ResolutionPriceFactor { get; set; }
        /// <summary>List price in US dollars per second of video, per resolution, when published.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, double>? UsdPerSecond { get; set; }
        /// <summary>List price in US dollars per video (whatever its length), per resolution, where the provider prices so.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, double>? UsdPerVideo { get; set; }
        /// <summary>Whether the model can generate audio with the video, where the provider says; null: not stated.</summary>
        public bool? GenerateAudio { get; set; }
        /// <summary>The pixel sizes (WIDTHxHEIGHT) the provider lists for the model, where it does.</summary>
        public IReadOnlyList<string>? ProviderSizes { get; set; }
        /// <summary>The lengths (seconds) an extension of one of this model's videos may add; null where the model cannot extend.</summary>
        public IReadOnlyList<int>? ExtendDurations { get; set; }
        /// <summary>The frames an image may be given for (first_frame, last_frame), where the provider lists them; null: not stated.</summary>
        public IReadOnlyList<string>? FrameImages { get; set; }
        /// <summary>The day the provider switched the model off, where it did (a relay may still serve the name).</summary>
        public DateTimeOffset? RetiredOn { get; set; }
        /// <summary>Where the model comes from: "built-in", the path of the user's models.json, or the provider and when ("provider openrouter 2026-12-04T16:40Z").</summary>
        public string Source { get; set; } = BuiltIn;
        public const string BuiltIn = "built-in";
        /// <summary>Other names that mean this model (for example dated snapshots).</summary>
        public Func<string, bool>? Matches { get; set; }

        public bool Accepts(string? model) =>
            model != null && (string.Equals(model, Name, StringComparison.OrdinalIgnoreCase) || (Matches?.Invoke(model) ?? false));

        public override string ToString() =>
            $"{Name}: {string.Join("/", Durations)} s; {string.Join(", ", AspectRatios)}; {string.Join(", ", Resolutions)}";

        internal static string List(IEnumerable<int> values) => string.Join(", ", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
