using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;

namespace SoraPS.Core.Dialects
{
    /// <summary>What a dialect's provider can do, beyond submitting a generation.</summary>
    [Flags]
    public enum DialectOperation
    {
        None = 0,
        Submit = 1,
        Query = 2,
        List = 4,
        Cancel = 8,
        Delete = 16,
        Remix = 32,
        Edit = 64,
        Extend = 128,
        Storyboard = 256,
        Blend = 512,
        Callback = 1024,
        /// <summary>The submission answers only when the video is ready (no task to poll).</summary>
        Synchronous = 2048,
        /// <summary>Reusable characters made from an uploaded video, and generations that feature them.</summary>
        Characters = 4096,
        /// <summary>An input image given as the id of a file already uploaded to the provider.</summary>
        ImageFileId = 8192,
        /// <summary>The task list can be read oldest first.</summary>
        ListOrder = 16384,
        /// <summary>A remix's strength (-RemixStrength) is sent.</summary>
        RemixStrength = 32768,
        /// <summary>The frame an input image appears at (-ImageFrame) is sent.</summary>
        ImageFrame = 65536,
        /// <summary>An image the video ends on (-LastFrame) is sent.</summary>
        LastFrame = 131072,
        /// <summary>Reference images that guide the video (-ReferenceImage) are sent.</summary>
        ReferenceImages = 262144,
    }

    /// <summary>One file a finished task offers: its name, file extension and how its bytes are checked.</summary>
    public sealed class DownloadVariant
    {
        public DownloadVariant(string name, string extension, bool isVideo)
        {
            Name = name;
            Extension = extension;
            IsVideo = isVideo;
        }

        public string Name { get; }
        /// <summary>The file extension with its dot (".mp4").</summary>
        public string Extension { get; }
        /// <summary>The video itself: checked for the MP4 signature and recorded in the journal as the task's file.</summary>
        public bool IsVideo { get; }

        public static readonly DownloadVariant Video = new DownloadVariant("video", ".mp4", true);
        public static readonly DownloadVariant Thumbnail = new DownloadVariant("thumbnail", ".webp", false);
        public static readonly DownloadVariant Spritesheet = new DownloadVariant("spritesheet", ".jpg", false);

        /// <summary>True for an empty name or "video": the default variant.</summary>
        public static bool IsDefault([NotNullWhen(false)] string? name) => name == null || name.Length == 0 || name.Equals(Video.Name, StringComparison.OrdinalIgnoreCase);

        public override string ToString() => Name;
    }

    /// <summary>
    /// A dialect's one statement of what it can do: its operations, the files a finished task offers and the
    /// kinds of input image its models take. <see cref="Require"/> is the one place a missing capability is refused.
    /// </summary>
    public sealed class DialectCapabilities
    {
        public DialectCapabilities(DialectOperation operations, params DownloadVariant[] variants)
        {
            Operations = operations | DialectOperation.Submit;
            Variants = variants == null || variants.Length == 0 ? new[] { DownloadVariant.Video } : variants;
        }

        public DialectOperation Operations { get; }
        public IReadOnlyList<DownloadVariant> Variants { get; }
        /// <summary>The qualities a download can ask for (the provider's quality query parameter); empty when it has none.</summary>
        public IReadOnlyList<string> Qualities { get; set; } = Array.Empty<string>();

        /// <summary>The quality by name (empty: the provider's default, null), or QualityNotSupported naming those there are.</summary>
        public string? Quality(string? name, string dialect)
        {
            if (string.IsNullOrEmpty(name)) return null;
            var found = Qualities.FirstOrDefault(q => q.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (found != null) return found;
            throw new SoraValidationException("QualityNotSupported", "Quality",
                Qualities.Count == 0 ? $"The {dialect} dialect has no download quality to choose; leave -Quality out."
                                     : $"The {dialect} dialect offers qualities {string.Join(", ", Qualities)}; not '{name}'.");
        }

        public bool Has(DialectOperation operation) => (Operations & operation) == operation;

        /// <summary>Refuses an operation the dialect does not have, with the error id scripts test for.</summary>
        public void Require(DialectOperation operation, string dialect, string parameter, object? target = null)
        {
            if (Has(operation)) return;
            throw new SoraValidationException(operation + "NotSupported", parameter, $"The {dialect} dialect {Missing(operation)}.") { Target = target };
        }

        /// <summary>The variant by name (empty: the video), or VariantNotSupported naming those there are.</summary>
        public DownloadVariant Variant(string? name, string dialect)
        {
            if (DownloadVariant.IsDefault(name)) return Variants.First(v => v.IsVideo);
            var found = Variants.FirstOrDefault(v => v.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (found != null) return found;
            throw new SoraValidationException("VariantNotSupported", "Variant",
                Variants.Count == 1 ? $"The {dialect} dialect offers only the video itself; not '{name}'."
                                    : $"The {dialect} dialect offers variants {string.Join(", ", Variants.Select(v => v.Name))}; not '{name}'.");
        }

        private static string Missing(DialectOperation operation)
        {
            switch (operation)
            {
                case DialectOperation.Query: return "answers with the finished video and has no task to query";
                case DialectOperation.List: return "has no task list";
                case DialectOperation.Cancel: return "cannot stop a task";
                case DialectOperation.Delete: return "cannot delete a task";
                case DialectOperation.Remix: return "cannot remix a video";
                case DialectOperation.Edit: return "cannot edit a video";
                case DialectOperation.Extend: return "cannot extend a video";
                case DialectOperation.Storyboard: return "has no storyboard; describe the beats in the prompt instead";
                case DialectOperation.Blend: return "cannot blend videos";
                case DialectOperation.Callback: return "has no completion callback";
                case DialectOperation.Characters: return "has no characters";
                case DialectOperation.ImageFileId: return "cannot take an image by file id; give -Image a URL or a file";
                case DialectOperation.ListOrder: return "lists its tasks only in its own order";
                case DialectOperation.RemixStrength: return "cannot send a remix strength";
                case DialectOperation.ImageFrame: return "cannot place the image at a frame; it is the first frame";
                case DialectOperation.LastFrame: return "cannot send an image for the last frame";
                case DialectOperation.ReferenceImages: return "cannot send reference images";
                default: return "cannot " + operation.ToString().ToLowerInvariant();
            }
        }
    }
}
