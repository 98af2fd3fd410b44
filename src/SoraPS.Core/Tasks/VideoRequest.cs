using System;
using System.Collections.Generic;

namespace SoraPS.Core.Tasks
{
    /// <summary>What the user asked for, before a dialect validates and maps it.</summary>
    public sealed class VideoRequest
    {
        public string Prompt { get; set; }
        public string Model { get; set; }
        public int? Duration { get; set; }
        public string AspectRatio { get; set; }
        public string Resolution { get; set; }
        /// <summary>An http(s) URL or a local file path.</summary>
        public string Image { get; set; }
        public Uri CallbackUri { get; set; }
        /// <summary>Extra body fields merged into the provider request as they are.</summary>
        public IDictionary<string, object> ProviderOptions { get; set; }
        /// <summary>Remix: the id of the task whose video is the source.</summary>
        public string RemixOf { get; set; }
    }

    /// <summary>A request the dialect has checked: every value is allowed and defaults are filled in.</summary>
    public sealed class ValidatedRequest
    {
        internal ValidatedRequest(VideoRequest source, string model)
        {
            Source = source;
            Model = model;
        }

        public VideoRequest Source { get; }
        public string Prompt => Source.Prompt;
        public string Model { get; }
        public int? Duration { get; internal set; }
        public string AspectRatio { get; internal set; }
        public string Resolution { get; internal set; }
        /// <summary>Set when the image is a remote URL.</summary>
        public Uri ImageUri { get; internal set; }
        /// <summary>Set when the image is a local file (full path).</summary>
        public string ImagePath { get; internal set; }
        /// <summary>A short human description: what would be sent.</summary>
        public string Describe()
        {
            var parts = new List<string> { Model };
            if (Duration.HasValue) parts.Add(Duration.Value + "s");
            if (!string.IsNullOrEmpty(AspectRatio)) parts.Add(AspectRatio);
            if (!string.IsNullOrEmpty(Resolution)) parts.Add(Resolution);
            if (ImageUri != null) parts.Add("image " + ImageUri);
            if (ImagePath != null) parts.Add("image file " + ImagePath);
            if (!string.IsNullOrEmpty(Source.RemixOf)) parts.Add("remix of " + Source.RemixOf);
            return string.Join(", ", parts);
        }
    }
}
