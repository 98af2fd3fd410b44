using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoraPS.Core.Dialects;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Batch
{
    /// <summary>
    /// The prompt beside the video: <c>&lt;video&gt;.json</c> next to a saved video (Save-SoraVideo -Sidecar), with what
    /// was asked, what it cost, when, and the file's SHA-256. Export-SoraGallery reads these back.
    /// </summary>
    public sealed class VideoSidecar
    {
        internal static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
        };

        public int Version { get; set; } = 1;
        public string? Id { get; set; }
        public string? Key { get; set; }
        public string? Prompt { get; set; }
        public string? RevisedPrompt { get; set; }
        public string? Profile { get; set; }
        public string? Dialect { get; set; }
        public string? Model { get; set; }
        public int? Duration { get; set; }
        public string? AspectRatio { get; set; }
        public string? Resolution { get; set; }
        /// <summary>WIDTHxHEIGHT where the dialect names sizes, else aspect ratio and resolution.</summary>
        public string? Size { get; set; }
        /// <summary>The provider options sent (secret-looking ones left out).</summary>
        public Dictionary<string, JsonElement>? Options { get; set; }
        public string? Status { get; set; }
        public DateTimeOffset? SubmittedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
        public decimal? EstimatedCost { get; set; }
        /// <summary>The cost the provider reported, where it reports one.</summary>
        public decimal? ReportedCost { get; set; }
        public string? Currency { get; set; }
        /// <summary>The video's file name (in the sidecar's folder).</summary>
        public string? File { get; set; }
        public long? Bytes { get; set; }
        public string? Sha256 { get; set; }
        public string? ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
        public DateTimeOffset? SavedAt { get; set; }

        /// <summary>Where the sidecar of a video goes: the video's path and ".json".</summary>
        public static string PathFor(string videoPath) => videoPath + ".json";

        /// <summary>The sidecar of a task whose video is at <paramref name="videoPath"/> (hashed here), from the task and its journal entry.</summary>
        public static VideoSidecar From(SoraTask task, JournalEntry? entry, SoraDialect? dialect, string? videoPath)
        {
            var aspect = task.AspectRatio ?? entry?.AspectRatio;
            var resolution = task.Resolution ?? entry?.Resolution;
            var s = new VideoSidecar
            {
                Id = task.Id,
                Key = task.Key ?? entry?.Key,
                Prompt = task.Prompt ?? entry?.Prompt,
                RevisedPrompt = task.RevisedPrompt,
                Profile = task.Profile ?? entry?.Profile,
                Dialect = task.Dialect ?? entry?.Dialect,
                Model = task.Model ?? entry?.Model,
                Duration = task.Duration ?? entry?.Duration,
                AspectRatio = aspect,
                Resolution = resolution,
                Size = SizeOf(dialect, aspect, resolution),
                Options = entry?.Options,
                Status = task.Status.ToString(),
                SubmittedAt = entry?.SubmittedAt ?? task.CreatedAt,
                CompletedAt = task.CompletedAt ?? entry?.CompletedAt,
                EstimatedCost = entry?.EstimatedCost,
                ReportedCost = Reported(entry),
                Currency = entry?.Currency,
                ErrorCode = task.Error?.Code,
                ErrorMessage = task.Error?.Message,
            };
            if (videoPath != null && System.IO.File.Exists(videoPath))
            {
                s.File = Path.GetFileName(videoPath);
                s.Bytes = new FileInfo(videoPath).Length;
                s.Sha256 = BatchKey.FileHash(videoPath);
                s.SavedAt = DateTimeOffset.UtcNow;
            }
            return s;
        }

        private static string? SizeOf(SoraDialect? dialect, string? aspect, string? resolution)
        {
            if (string.IsNullOrEmpty(aspect) || string.IsNullOrEmpty(resolution)) return null;
            return dialect?.SizeOf(aspect!, resolution!) ?? aspect + " " + resolution;
        }

        /// <summary>A provider-reported cost the journal kept beside its own fields (actualCost, reportedCost or cost).</summary>
        private static decimal? Reported(JournalEntry? entry)
        {
            if (entry?.More == null) return null;
            foreach (var name in new[] { "actualCost", "reportedCost", "cost" })
                if (entry.More.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d)) return d;
            return null;
        }

        /// <summary>The sidecar as written: indented JSON, secrets redacted.</summary>
        public string ToJson() => Redactor.Redact(JsonSerializer.Serialize(this, Json)) ?? "{}";

        /// <summary>Writes the sidecar next to the video, atomically (a temporary file moved into place).</summary>
        public void Write(string videoPath) => WriteAtomically(PathFor(videoPath), ToJson());

        /// <summary>Reads a sidecar, or null when it is missing or not one.</summary>
        public static VideoSidecar? Read(string sidecarPath)
        {
            try
            {
                var s = JsonSerializer.Deserialize<VideoSidecar>(System.IO.File.ReadAllText(sidecarPath, Encoding.UTF8), Json);
                return s?.Id == null ? null : s;
            }
            catch (Exception e) when (e is JsonException || e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                return null;
            }
        }

        /// <summary>A text file written whole or not at all: a temporary file beside it, moved over it.</summary>
        internal static void WriteAtomically(string path, string text) => WriteAtomically(path, new UTF8Encoding(false).GetBytes(text));

        /// <summary>A file written whole or not at all.</summary>
        internal static void WriteAtomically(string path, byte[] bytes)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            Directory.CreateDirectory(dir);
            var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    fs.Write(bytes, 0, bytes.Length);
                    fs.Flush(true);
                }
                Compat.MoveFile(temp, path, true);
            }
            finally
            {
                if (System.IO.File.Exists(temp)) System.IO.File.Delete(temp);
            }
        }
    }
}
