using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace SoraPS.Core.Tasks
{
    /// <summary>What the user asked for, before a dialect validates and maps it.</summary>
    public sealed class VideoRequest
    {
        public string? Prompt { get; set; }
        public string? Model { get; set; }
        public int? Duration { get; set; }
        public string? AspectRatio { get; set; }
        public string? Resolution { get; set; }
        /// <summary>An http(s) URL or a local file path.</summary>
        public string? Image { get; set; }
        /// <summary>Further image URLs, after <see cref="Image"/>, where the model takes several.</summary>
        public IList<string>? MoreImages { get; set; }
        public Uri? CallbackUri { get; set; }
        /// <summary>Extra body fields merged into the provider request as they are.</summary>
        public IDictionary<string, object?>? ProviderOptions { get; set; }
        /// <summary>Remix: the id of the task (or generation) whose video is the source.</summary>
        public string? RemixOf { get; set; }
        /// <summary>Edit: the id of the finished video to edit with the prompt (it keeps its length).</summary>
        public string? EditOf { get; set; }
        /// <summary>Extension: the id of the finished video to continue; <see cref="Duration"/> is the length added.</summary>
        public string? ExtendOf { get; set; }
        /// <summary>The length in seconds of the source video of an edit, when known (it prices the edit).</summary>
        public int? SourceDuration { get; set; }
        /// <summary>The id of an image file already uploaded to the provider, used as the input image.</summary>
        public string? ImageFileId { get; set; }
        /// <summary>Ids of characters (at most two) the video features.</summary>
        public IList<string>? Characters { get; set; }
        /// <summary>Remix strength 0..1: how far the result may move from the source.</summary>
        public double? RemixStrength { get; set; }
        /// <summary>Storyboard beats: what happens at which second.</summary>
        public IList<StoryboardBeat>? Storyboard { get; set; }
        /// <summary>The frame at which the input image appears (dialects that place images in time).</summary>
        public int? ImageFrame { get; set; }
        /// <summary>Blend: the generations to blend.</summary>
        public IList<string>? Blend { get; set; }
        /// <summary>The image the video ends on (an http(s) URL or a local file), where the dialect places a last frame.</summary>
        public string? LastFrame { get; set; }
        /// <summary>Images that guide the video without being a frame of it (URLs or local files), where the dialect takes references.</summary>
        public IList<string>? ReferenceImages { get; set; }
    }

    /// <summary>One storyboard beat: at <see cref="Time"/> seconds, <see cref="Description"/> happens.</summary>
    public sealed class StoryboardBeat
    {
        public StoryboardBeat(double time, string description)
        {
            Time = time;
            Description = description;
        }

        public double Time { get; }
        public string Description { get; }
        public override string ToString() => $"{Time:0.##}s: {Description}";
    }

    /// <summary>A request the dialect has checked: every value is allowed and defaults are filled in.</summary>
    public sealed class ValidatedRequest
    {
        internal ValidatedRequest(VideoRequest source, string model, Dialects.ModelSpec spec)
        {
            Source = source;
            Model = model;
            Spec = spec;
        }

        public VideoRequest Source { get; }
        public string Prompt => Source.Prompt ?? ""; // validated: never empty
        /// <summary>The model name as it is sent (an alias stays as the user gave it).</summary>
        public string Model { get; }
        /// <summary>The catalog model whose rules and prices the request follows.</summary>
        public Dialects.ModelSpec Spec { get; }
        /// <summary>Always set by validation (the request's, else the profile's, else the model's default).</summary>
        [NotNull]
        public int? Duration { get; internal set; }
        public string AspectRatio { get; internal set; } = ""; // set by validation
        public string Resolution { get; internal set; } = ""; // set by validation
        /// <summary>Set when the image is a remote URL.</summary>
        public Uri? ImageUri { get; internal set; }
        /// <summary>Every image URL in order (the first is <see cref="ImageUri"/>); several where the model takes them.</summary>
        public IReadOnlyList<Uri> ImageUris { get; internal set; } = Array.Empty<Uri>();
        /// <summary>Set when the image is a local file (full path).</summary>
        public string? ImagePath { get; internal set; }
        /// <summary>The dialect's operation name where it has several (for example storyboard, remix, edit, extend).</summary>
        public string? Operation { get; internal set; }
        /// <summary>How many videos the request makes (a count field such as Azure's n_variants); each is priced.</summary>
        public int Count { get; internal set; } = 1;
        /// <summary>
        /// The provider makes it at its source video's length (an edit; a remix where the dialect keeps the length):
        /// <see cref="Duration"/> is that length when known (from a task object, or looked up when it is sent), else null.
        /// </summary>
        public bool LengthFromSource { get; internal set; }
        /// <summary>Why the source's length could not be learned, when it was looked up and could not be.</summary>
        public string? SourceLengthProblem { get; internal set; }
        /// <summary>The video a remix, edit or extension starts from.</summary>
        public string? SourceId => Source.RemixOf ?? Source.EditOf ?? Source.ExtendOf;
        /// <summary>A short human description: what would be sent.</summary>
        public string Describe()
        {
            var parts = new List<string> { Model };
            if (Count > 1) parts.Add(Count + " videos");
            if (Duration.HasValue) parts.Add(Duration.Value + "s");
            else if (LengthFromSource) parts.Add("the source's length");
            if (!string.IsNullOrEmpty(AspectRatio)) parts.Add(AspectRatio);
            if (!string.IsNullOrEmpty(Resolution)) parts.Add(Resolution);
            if (ImageUris.Count > 1) parts.Add(ImageUris.Count + " images");
            else if (ImageUri != null) parts.Add("image " + ImageUri);
            if (ImagePath != null) parts.Add("image file " + ImagePath);
            if (!string.IsNullOrEmpty(Source.ImageFileId)) parts.Add("image file id " + Source.ImageFileId);
            if (!string.IsNullOrEmpty(Source.RemixOf)) parts.Add("remix of " + Source.RemixOf);
            if (!string.IsNullOrEmpty(Source.EditOf)) parts.Add("edit of " + Source.EditOf);
            if (!string.IsNullOrEmpty(Source.ExtendOf)) parts.Add("extension of " + Source.ExtendOf);
            if (Source.Characters != null && Source.Characters.Count > 0) parts.Add("characters " + string.Join(", ", Source.Characters));
            if (Source.Storyboard != null && Source.Storyboard.Count > 0) parts.Add(Source.Storyboard.Count + " storyboard beats");
            if (Source.Blend != null && Source.Blend.Count > 0) parts.Add("blend of " + string.Join(" + ", Source.Blend));
            if (!string.IsNullOrEmpty(Operation)) parts.Add("operation " + Operation);
            return string.Join(", ", parts);
        }
    }
}
