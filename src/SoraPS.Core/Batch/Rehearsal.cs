using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Batch
{
    /// <summary>
    /// Rehearsal: with SORAPS_REHEARSAL=1 the same script runs for free. Requests are validated by the real dialect's
    /// rules and mapped to the dialect's request (which is then dropped), and answered inside the module by a simulation:
    /// tasks progress over SORAPS_REHEARSAL_SECONDS (default 2) and end Succeeded with a small valid MP4, or Failed when
    /// the prompt says [fail]. Nothing goes over the network and no key is needed; the rehearsal keeps its own journal
    /// (and so its own spend and budgets) in the config folder's rehearsal/journal.
    /// </summary>
    public static class Rehearsal
    {
        public const string Variable = "SORAPS_REHEARSAL";
        public const string SecondsVariable = "SORAPS_REHEARSAL_SECONDS";
        /// <summary>Simulated task ids start with this.</summary>
        public const string IdPrefix = "rehearsal-";

        /// <summary>Is this process rehearsing (SORAPS_REHEARSAL is 1, true, yes or on)?</summary>
        public static bool Active
        {
            get
            {
                var v = Environment.GetEnvironmentVariable(Variable);
                return v != null && (v.Trim() == "1" || v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) ||
                                     v.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase) || v.Trim().Equals("on", StringComparison.OrdinalIgnoreCase));
            }
        }

        /// <summary>The rehearsal's journal folder, apart from the real one.</summary>
        public static string JournalDirectory => Path.Combine(ConfigPaths.ConfigDirectory, "rehearsal", "journal");

        /// <summary>How long a simulated task runs.</summary>
        internal static TimeSpan TaskTime
        {
            get
            {
                var v = Environment.GetEnvironmentVariable(SecondsVariable);
                return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && s <= 3600 ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(2);
            }
        }

        internal static SoraException NotSimulated(string what) =>
            new SoraConfigurationException("RehearsalNotSupported",
                $"{what} is not simulated in a rehearsal ({Variable} is set); nothing was sent. Unset {Variable} to run it for real.");

        private static readonly Regex IdPattern = new Regex(@"^rehearsal-(\d+)-(\d+)-([of])-[0-9a-f]+$", RegexOptions.CultureInvariant);

        /// <summary>A simulated submission: validated and mapped by the dialect, answered here. Its id carries what later reads need, so any process can follow it.</summary>
        internal static SoraTask Submit(SoraProfile profile, SoraDialect dialect, ValidatedRequest request)
        {
            using (dialect.BuildSubmit(profile, request)) { } // the dialect's own mapping runs (and may refuse); nothing is sent
            var now = DateTimeOffset.UtcNow;
            var fail = request.Prompt.IndexOf("[fail", StringComparison.OrdinalIgnoreCase) >= 0;
            var id = IdPrefix + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "-" +
                     ((long)TaskTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "-" + (fail ? "f" : "o") + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var task = new SoraTask(id, profile.Name, dialect.Name)
            {
                Model = request.Model,
                Prompt = request.Prompt,
                Duration = request.Duration,
                AspectRatio = request.AspectRatio,
                Resolution = request.Resolution,
                Status = SoraTaskStatus.Queued,
                ProviderStatus = "rehearsal queued",
                CreatedAt = now,
                RetrievedAt = now,
            };
            task.EstimatedTotal = TaskTime;
            task.PollAfter = Poll(TaskTime);
            return task;
        }

        private static TimeSpan Poll(TimeSpan total) => TimeSpan.FromMilliseconds(Math.Max(50, Math.Min(500, total.TotalMilliseconds / 4)));

        /// <summary>A simulated task's state now, from its id.</summary>
        internal static SoraTask Get(SoraProfile profile, SoraDialect dialect, string id)
        {
            var m = IdPattern.Match(id);
            if (!m.Success)
                throw new SoraException("TaskNotFound", SoraErrorKind.NotFound, $"Task {id} is not a rehearsal task ({IdPrefix}...); a rehearsal reads no real task.") { Target = id };
            var created = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            var total = TimeSpan.FromMilliseconds(long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            var fail = m.Groups[3].Value == "f";
            var now = DateTimeOffset.UtcNow;
            var elapsed = now - created;
            var task = new SoraTask(id, profile.Name, dialect.Name) { CreatedAt = created, RetrievedAt = now, EstimatedTotal = total, PollAfter = Poll(total) };
            if (elapsed >= total)
            {
                task.CompletedAt = created + total;
                if (fail)
                {
                    task.Status = SoraTaskStatus.Failed;
                    task.ProviderStatus = "rehearsal failed";
                    task.Error = new SoraTaskError(SoraErrorKind.ContentModeration, "rehearsal_failure", "The rehearsal failed this task because its prompt says [fail].");
                }
                else
                {
                    task.Status = SoraTaskStatus.Succeeded;
                    task.ProviderStatus = "rehearsal completed";
                    task.Progress = 100;
                    task.ExpiresAt = created + total + TimeSpan.FromHours(1);
                }
            }
            else
            {
                task.Status = elapsed < TimeSpan.FromTicks(total.Ticks / 5) ? SoraTaskStatus.Queued : SoraTaskStatus.Running;
                task.ProviderStatus = "rehearsal " + task.Status.ToString().ToLowerInvariant();
                task.Progress = (int)Math.Min(99, 100 * elapsed.TotalMilliseconds / Math.Max(1, total.TotalMilliseconds));
            }
            return task;
        }

        /// <summary>"Downloads" a simulated video: a small valid MP4 (or a 1x1 PNG thumbnail), written beside the target and moved into place.</summary>
        internal static DownloadResult Download(SoraTask task, string path, DownloadOptions options)
        {
            var started = DateTime.UtcNow;
            if (File.Exists(path) && !options.Overwrite)
                throw new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{path}' already exists; the video of task {task.Id} was not saved.") { Target = task };
            var video = string.IsNullOrEmpty(options.Variant) || options.Variant!.Equals("video", StringComparison.OrdinalIgnoreCase);
            var bytes = video ? Mp4(task.Duration ?? 4) : Png;
            VideoSidecar.WriteAtomically(path, bytes);
            return new DownloadResult(path, bytes.Length, DateTime.UtcNow - started);
        }

        private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAFgwJ/lYb9SQAAAABJRU5ErkJggg==");

        /// <summary>A small valid ISO base media file: 'ftyp', then 'moov' with a movie header of the task's length (no tracks), then a 'free' box.</summary>
        internal static byte[] Mp4(int seconds)
        {
            var ms = new MemoryStream();
            void U32(uint v) { ms.WriteByte((byte)(v >> 24)); ms.WriteByte((byte)(v >> 16)); ms.WriteByte((byte)(v >> 8)); ms.WriteByte((byte)v); }
            void Tag(string t) { foreach (var c in t) ms.WriteByte((byte)c); }
            U32(24); Tag("ftyp"); Tag("isom"); U32(0x200); Tag("isom"); Tag("mp41");
            U32(8 + 108); Tag("moov");
            U32(108); Tag("mvhd"); U32(0); U32(0); U32(0); U32(1000); U32((uint)Math.Max(0, seconds) * 1000);
            U32(0x00010000); ms.WriteByte(1); ms.WriteByte(0); ms.WriteByte(0); ms.WriteByte(0); U32(0); U32(0);
            foreach (var v in new uint[] { 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000 }) U32(v);
            for (var i = 0; i < 6; i++) U32(0);
            U32(1);
            U32(8 + 1024); Tag("free"); ms.Write(new byte[1024], 0, 1024);
            return ms.ToArray();
        }
    }
}
