using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SoraPS.Core.Dialects;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Downloads
{
    /// <summary>What to do with a file that is already where a task's file would go.</summary>
    public enum ExistingFile
    {
        /// <summary>Nothing is there, or it may be overwritten.</summary>
        Write,
        /// <summary>A whole file is there and the caller asked to keep such files.</summary>
        Skip,
        /// <summary>A file is there and may not be overwritten (FileExists).</summary>
        Refuse,
    }

    /// <summary>
    /// Where a task's file is saved and what happens to a file already there: file names from the task id and the
    /// variant's extension, folder or single-file targets, the existing-file rule and a writable-folder check.
    /// </summary>
    public static class SavePolicy
    {
        /// <summary>The file name of a task's variant: the id made safe, the variant's name for other variants, its extension.</summary>
        public static string FileName(SoraTask task, DownloadVariant variant) =>
            SafeFileName(task.Id) + (variant.IsVideo ? "" : "." + variant.Name) + variant.Extension;

        public static string SafeFileName(string id)
        {
            var bad = Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }).ToArray();
            var chars = id.Select(c => bad.Contains(c) || char.IsControl(c) ? '_' : c).ToArray();
            var s = new string(chars).Trim('.', ' ');
            return s.Length == 0 ? "video" : s.Length > 150 ? s.Substring(0, 150) : s;
        }

        /// <summary>
        /// The file for a task: in <paramref name="resolved"/> when it is (or looks like) a folder, else that file itself,
        /// which takes one task only (<paramref name="written"/>: the files this run already chose).
        /// </summary>
        public static string Target(string resolved, string given, SoraTask task, DownloadVariant variant, ICollection<string> written)
        {
            var looksLikeFolder = Directory.Exists(resolved) || given.EndsWith("/", StringComparison.Ordinal) || given.EndsWith("\\", StringComparison.Ordinal) ||
                                  string.IsNullOrEmpty(Path.GetExtension(resolved));
            if (looksLikeFolder) return Path.Combine(resolved, FileName(task, variant));
            if (written.Contains(resolved))
                throw new SoraException("PathIsSingleFile", SoraErrorKind.InvalidParameter,
                    $"'{given}' names one file and already holds another task's video; a folder is needed to save several tasks.") { Target = task };
            return resolved;
        }

        /// <summary>
        /// The rule for a file already at <paramref name="target"/>: overwritten when <paramref name="overwrite"/>; kept when
        /// <paramref name="skipExisting"/> and it is whole (a video must look like a whole MP4); refused otherwise.
        /// </summary>
        public static ExistingFile ForExisting(string target, DownloadVariant variant, bool overwrite, bool skipExisting)
        {
            if (!File.Exists(target)) return ExistingFile.Write;
            if (skipExisting && !overwrite && (!variant.IsVideo || VideoDownloader.LooksLikeMp4(target))) return ExistingFile.Skip;
            return overwrite ? ExistingFile.Write : ExistingFile.Refuse;
        }

        public static SoraException Exists(string target, SoraTask task) =>
            new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{target}' already exists; the video of task {task.Id} was not saved.") { Target = task };

        /// <summary>
        /// Creates the destination folder and proves it takes a new file before anything is downloaded, so a
        /// read-only folder is reported as what it is (PermissionDenied, naming the folder).
        /// </summary>
        public static void EnsureWritableFolder(string folder, SoraTask task)
        {
            try
            {
                Directory.CreateDirectory(folder);
                var probe = Path.Combine(folder, ".soraps-probe-" + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            }
            catch (Exception e) when (e is UnauthorizedAccessException || e is IOException)
            {
                throw new SoraException("DestinationNotWritable", SoraErrorKind.Permission,
                    $"Cannot write to the folder '{folder}' ({e.Message}); the video of task {task.Id} was not saved.", e) { Target = task };
            }
        }
    }
}
