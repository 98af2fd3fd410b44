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
        /// <summary>An id at least this long is taken as unique across providers; a shorter one is named with its profile.</summary>
        public const int DistinctIdLength = 16;
        private const int MaxNameLength = 150;

        /// <summary>
        /// The file name of a task's variant: the task's name (<see cref="TaskName"/>), the variant's name for other
        /// variants, its extension.
        /// </summary>
        public static string FileName(SoraTask task, DownloadVariant variant) =>
            TaskName(task) + (variant.IsVideo ? "" : "." + variant.Name) + variant.Extension;

        /// <summary>
        /// A name no other task's file has: the id made safe, with the profile before it where ids can collide (relays
        /// number tasks 1, 2, 3: an id shorter than <see cref="DistinctIdLength"/> characters), and a hash of the whole
        /// id where it had to be cut or made safe, so two ids never share a name.
        /// </summary>
        public static string TaskName(SoraTask task)
        {
            var id = task.Id ?? "";
            var name = id.Length < DistinctIdLength && !string.IsNullOrEmpty(task.Profile) ? task.Profile + "-" + id : id;
            var safe = SafeFileName(name);
            if (safe == name) return safe;
            // Made safe or cut: two ids could now meet in one name, so the whole id's hash tells them apart.
            var hash = Hash(task.Profile + "\n" + id);
            return (safe.Length > MaxNameLength - 9 ? safe.Substring(0, MaxNameLength - 9) : safe) + "-" + hash;
        }

        private static string Hash(string text)
        {
            var data = System.Text.Encoding.UTF8.GetBytes(text);
#if NETSTANDARD2_0
            byte[] bytes;
            using (var sha = System.Security.Cryptography.SHA256.Create()) bytes = sha.ComputeHash(data);
            return BitConverter.ToString(bytes, 0, 4).Replace("-", "").ToLowerInvariant();
#else
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data), 0, 4).ToLowerInvariant();
#endif
        }

        public static string SafeFileName(string id)
        {
            var bad = Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }).ToArray();
            var chars = id.Select(c => bad.Contains(c) || char.IsControl(c) ? '_' : c).ToArray();
            var s = new string(chars).Trim('.', ' ');
            return s.Length == 0 ? "video" : s.Length > MaxNameLength ? s.Substring(0, MaxNameLength) : s;
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
        /// <paramref name="skipExisting"/> and it is whole (a video must be a whole MP4: its boxes fill the file exactly, so a
        /// cut head is not kept); refused otherwise.
        /// </summary>
        public static ExistingFile ForExisting(string target, DownloadVariant variant, bool overwrite, bool skipExisting)
        {
            if (!File.Exists(target)) return ExistingFile.Write;
            if (skipExisting && !overwrite && (!variant.IsVideo || Mp4.IsWhole(target))) return ExistingFile.Skip;
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
