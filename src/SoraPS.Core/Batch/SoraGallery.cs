using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Batch
{
    /// <summary>One card of the gallery: a task, its video and poster files, and what it asked for and cost.</summary>
    public sealed class GalleryItem
    {
        public string? Id { get; set; }
        public string? Prompt { get; set; }
        public string? Profile { get; set; }
        public string? Model { get; set; }
        public int? Duration { get; set; }
        public string? Size { get; set; }
        public decimal? Cost { get; set; }
        public bool CostEstimated { get; set; }
        public string? Currency { get; set; }
        public string Status { get; set; } = "Unknown";
        public string? ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
        /// <summary>The video file (full path), when saved.</summary>
        public string? VideoPath { get; set; }
        /// <summary>A thumbnail saved beside the video (full path), shown as the video's poster.</summary>
        public string? PosterPath { get; set; }

        public bool Succeeded => string.Equals(Status, nameof(SoraTaskStatus.Succeeded), StringComparison.OrdinalIgnoreCase);
        public bool Failed => Status != null && (string.Equals(Status, nameof(SoraTaskStatus.Failed), StringComparison.OrdinalIgnoreCase) ||
                                                 string.Equals(Status, nameof(SoraTaskStatus.Cancelled), StringComparison.OrdinalIgnoreCase) ||
                                                 string.Equals(Status, nameof(SoraTaskStatus.Expired), StringComparison.OrdinalIgnoreCase));

        /// <summary>A card from a video's sidecar.</summary>
        public static GalleryItem FromSidecar(VideoSidecar s, string sidecarPath)
        {
            var video = s.File == null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sidecarPath)) ?? ".", s.File);
            if (video == null && sidecarPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) video = Path.GetFullPath(sidecarPath.Substring(0, sidecarPath.Length - 5));
            return Card(s, s.Id, s.Status ?? "Succeeded", s.ErrorCode, s.ErrorMessage, video != null && File.Exists(video) ? video : null, video);
        }

        /// <summary>A card from a task (its sidecar, when its video has one, and its journal entry fill in the rest).</summary>
        public static GalleryItem FromTask(SoraTask task, JournalEntry? entry, SoraDialect? dialect)
        {
            var video = task.SavedTo != null && File.Exists(task.SavedTo) ? Path.GetFullPath(task.SavedTo) : null;
            var sidecar = video == null ? null : VideoSidecar.Read(VideoSidecar.PathFor(video));
            if (sidecar != null && sidecar.Id == task.Id)
            {
                var fromSidecar = FromSidecar(sidecar, VideoSidecar.PathFor(video!));
                fromSidecar.Status = task.Status.ToString();
                return fromSidecar;
            }
            var s = VideoSidecar.From(task, entry, dialect, null);
            return Card(s, task.Id, task.Status.ToString(), task.Error?.Code ?? task.Error?.Kind.ToString(), task.Error?.Message, video, video);
        }

        /// <summary>A card from a sidecar's fields (read from disk or made from a task); the poster is looked for beside <paramref name="posterOf"/>.</summary>
        private static GalleryItem Card(VideoSidecar s, string? id, string status, string? errorCode, string? errorMessage, string? video, string? posterOf) => new GalleryItem
        {
            Id = id,
            Prompt = s.Prompt,
            Profile = s.Profile,
            Model = s.Model,
            Duration = s.Duration,
            Size = s.Size,
            Cost = s.ReportedCost ?? s.EstimatedCost,
            CostEstimated = s.ReportedCost == null && s.EstimatedCost != null,
            Currency = s.Currency,
            Status = status,
            ErrorCode = errorCode,
            ErrorMessage = errorMessage,
            VideoPath = video,
            PosterPath = posterOf == null ? null : SoraGallery.FindPoster(posterOf),
        };
    }

    /// <summary>
    /// A night at a glance: one self-contained HTML page (inline styles, no scripts, nothing fetched from the
    /// network) with a card per task (the video with its poster, prompt, model, duration, size, cost, status, and
    /// for failures the error id and reason) and totals at the top. Every text is HTML-escaped.
    /// </summary>
    public static class SoraGallery
    {
        private static readonly string[] PosterExtensions = { ".webp", ".jpg", ".jpeg", ".png" };

        /// <summary>A thumbnail saved beside the video (&lt;name&gt;.thumbnail.webp/.jpg/.png), or null.</summary>
        public static string? FindPoster(string videoPath)
        {
            var dir = Path.GetDirectoryName(videoPath) ?? ".";
            var stem = Path.GetFileNameWithoutExtension(videoPath);
            foreach (var ext in PosterExtensions)
            {
                var p = Path.Combine(dir, stem + ".thumbnail" + ext);
                if (File.Exists(p)) return p;
            }
            return null;
        }

        /// <summary>The cards of a folder: every video's sidecar (sub-folders too), and videos without one by file name.</summary>
        public static IReadOnlyList<GalleryItem> ReadFolder(string folder)
        {
            var items = new List<GalleryItem>();
            var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var json in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
            {
                var s = VideoSidecar.Read(json);
                if (s == null) continue;
                var item = GalleryItem.FromSidecar(s, json);
                if (item.VideoPath != null) covered.Add(item.VideoPath);
                items.Add(item);
            }
            foreach (var mp4 in Directory.EnumerateFiles(folder, "*.mp4", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
            {
                var full = Path.GetFullPath(mp4);
                if (covered.Contains(full)) continue;
                items.Add(new GalleryItem { Id = Path.GetFileNameWithoutExtension(mp4), Status = "Succeeded", VideoPath = full, PosterPath = FindPoster(full) });
            }
            return items;
        }

        private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

        /// <summary>A file's address relative to the page (percent-escaped), so the folder can be moved or served as it is.</summary>
        internal static string RelativeUrl(string pageFolder, string file)
        {
            var folder = Path.GetFullPath(pageFolder);
            if (!folder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)) folder += Path.DirectorySeparatorChar;
            var rel = new Uri(folder).MakeRelativeUri(new Uri(Path.GetFullPath(file)));
            return rel.IsAbsoluteUri ? rel.AbsoluteUri : rel.OriginalString;
        }

        private static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

        /// <summary>The page for <paramref name="items"/>, as written to <paramref name="pagePath"/> (file links are relative to it).</summary>
        public static string Render(IReadOnlyList<GalleryItem> items, string pagePath, string? title = null)
        {
            var pageFolder = Path.GetDirectoryName(Path.GetFullPath(pagePath)) ?? ".";
            title = string.IsNullOrWhiteSpace(title) ? "SoraPS gallery" : title;
            var succeeded = items.Count(i => i.Succeeded);
            var failed = items.Count(i => i.Failed);
            var seconds = items.Where(i => i.Succeeded).Sum(i => i.Duration ?? 0);
            var costs = items.Where(i => i.Cost.HasValue).GroupBy(i => i.Currency ?? "USD").Select(g => Money(g.Sum(i => i.Cost!.Value)) + " " + g.Key).ToList();
            var sb = new StringBuilder(4096 + items.Count * 900);
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
              .Append("<title>").Append(E(title)).Append("</title>\n<style>\n")
              .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#15171a;color:#e8e8e8}\n")
              .Append("header{position:sticky;top:0;background:#1f2226;padding:12px 20px;border-bottom:1px solid #333;z-index:1}\n")
              .Append("h1{font-size:20px;margin:0 0 6px}\n.totals{display:flex;flex-wrap:wrap;gap:18px;font-size:14px}\n.totals b{font-size:18px;display:block}\n")
              .Append("main{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px;padding:16px 20px}\n")
              .Append(".card{background:#1f2226;border:1px solid #333;border-radius:8px;overflow:hidden;display:flex;flex-direction:column}\n")
              .Append(".card.failed{border-color:#a33}\n.card video,.card .novideo{width:100%;aspect-ratio:16/9;background:#000;display:block}\n")
              .Append(".card .novideo{display:flex;align-items:center;justify-content:center;color:#888;font-size:13px}\n")
              .Append(".body{padding:10px 12px;font-size:13px}\n.prompt{white-space:pre-wrap;word-break:break-word;margin:0 0 8px;font-size:14px}\n")
              .Append("dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0}\ndt{color:#999}\ndd{margin:0;word-break:break-all}\n")
              .Append(".status-Succeeded{color:#6c6}\n.status-Failed,.status-Cancelled,.status-Expired{color:#e66}\n.error{color:#e99;margin-top:6px;white-space:pre-wrap}\n")
              .Append("</style>\n</head>\n<body>\n<header>\n<h1>").Append(E(title)).Append("</h1>\n<div class=\"totals\">")
              .Append("<div><b id=\"total-count\">").Append(items.Count.ToString(CultureInfo.InvariantCulture)).Append("</b>tasks</div>")
              .Append("<div><b id=\"total-succeeded\">").Append(succeeded.ToString(CultureInfo.InvariantCulture)).Append("</b>succeeded</div>")
              .Append("<div><b id=\"total-failed\">").Append(failed.ToString(CultureInfo.InvariantCulture)).Append("</b>failed</div>")
              .Append("<div><b id=\"total-seconds\">").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append("</b>seconds of video</div>")
              .Append("<div><b id=\"total-cost\">").Append(E(costs.Count == 0 ? "-" : string.Join(" + ", costs))).Append("</b>cost</div>")
              .Append("</div>\n</header>\n<main>\n");
            foreach (var i in items)
            {
                sb.Append("<article class=\"card").Append(i.Failed ? " failed" : "").Append("\" data-id=\"").Append(E(i.Id)).Append("\">\n");
                if (i.VideoPath != null)
                {
                    sb.Append("<video controls preload=\"none\" src=\"").Append(E(RelativeUrl(pageFolder, i.VideoPath))).Append('"');
                    if (i.PosterPath != null) sb.Append(" poster=\"").Append(E(RelativeUrl(pageFolder, i.PosterPath))).Append('"');
                    sb.Append("></video>\n");
                }
                else sb.Append("<div class=\"novideo\">").Append(i.Failed ? "no video" : "not saved").Append("</div>\n");
                sb.Append("<div class=\"body\">\n<p class=\"prompt\">").Append(E(i.Prompt)).Append("</p>\n<dl>")
                  .Append("<dt>Status</dt><dd class=\"status-").Append(E(i.Status)).Append("\">").Append(E(i.Status)).Append("</dd>")
                  .Append("<dt>Model</dt><dd>").Append(E(i.Model)).Append("</dd>")
                  .Append("<dt>Duration</dt><dd>").Append(i.Duration.HasValue ? i.Duration.Value.ToString(CultureInfo.InvariantCulture) + " s" : "").Append("</dd>")
                  .Append("<dt>Size</dt><dd>").Append(E(i.Size)).Append("</dd>")
                  .Append("<dt>Cost</dt><dd>").Append(i.Cost.HasValue ? E(Money(i.Cost.Value) + " " + (i.Currency ?? "USD") + (i.CostEstimated ? " (estimated)" : "")) : "").Append("</dd>")
                  .Append("<dt>Task</dt><dd>").Append(E(i.Id)).Append("</dd>");
                if (!string.IsNullOrEmpty(i.Profile)) sb.Append("<dt>Profile</dt><dd>").Append(E(i.Profile)).Append("</dd>");
                sb.Append("</dl>\n");
                if (i.ErrorCode != null || i.ErrorMessage != null)
                    sb.Append("<div class=\"error\"><b class=\"error-id\">").Append(E(i.ErrorCode)).Append("</b> ").Append(E(i.ErrorMessage)).Append("</div>\n");
                sb.Append("</div>\n</article>\n");
            }
            sb.Append("</main>\n</body>\n</html>\n");
            return sb.ToString();
        }

        /// <summary>Renders and writes the page atomically.</summary>
        public static void Write(IReadOnlyList<GalleryItem> items, string pagePath, string? title = null) =>
            VideoSidecar.WriteAtomically(pagePath, Render(items, pagePath, title));
    }
}
