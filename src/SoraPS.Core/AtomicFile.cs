using System;
using System.IO;
using System.Threading;
using SoraPS.Core.Tasks;

namespace SoraPS.Core
{
    /// <summary>Crash-safe file writes and a simple cross-process lock.</summary>
    internal static class AtomicFile
    {
        public static string ReadAllText(string path)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                    using (var reader = new StreamReader(fs))
                        return reader.ReadToEnd();
                }
                catch (IOException) when (attempt < 20 && File.Exists(path))
                {
                    Thread.Sleep(25);
                }
            }
        }

        /// <summary>Raised with the temporary file's path once it is created and before anything is written to it (tests check its mode).</summary>
        internal static event Action<string>? TempOpened;

        public static void WriteAllText(string path, string text)
        {
            var dir = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' is not a file path.", nameof(path));
            var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                // Created 0600 (Unix): a key file is never readable by others, not even before it is filled.
                using (var fs = Compat.OpenPrivate(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    // Created exclusively, so a link planted at this name fails the open; the netstandard build on Unix
                    // creates it first and opens it after, so it checks the name again before writing.
                    if (IsLink(temp)) throw LinkRefused(temp, $"'{path}' was not written.");
                    TempOpened?.Invoke(temp);
                    using (var writer = new StreamWriter(fs, new System.Text.UTF8Encoding(false)))
                    {
                        writer.Write(text);
                        writer.Flush();
                        fs.Flush(true);
                    }
                }
                RestrictToUser(temp);
                Compat.MoveFile(temp, path, true);
                RemoveLeftovers(dir, Path.GetFileName(path));
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        /// <summary>
        /// Deletes the temporary files an earlier write of the same file left when its process was killed mid-write (each
        /// write's temporary is its own; these files' writers hold a lock or are the only writer, so none is in use).
        /// </summary>
        private static void RemoveLeftovers(string dir, string name)
        {
            try
            {
                foreach (var stale in Directory.GetFiles(dir, "." + name + ".*.tmp"))
                {
                    try { File.Delete(stale); }
                    catch (IOException) { }
                    catch (UnauthorizedAccessException) { }
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        /// <summary>
        /// True when <paramref name="path"/> is a symbolic link (or a junction): writing to it would write to the file it
        /// points to. False when nothing is there or it is a plain file (a cloud-sync placeholder on Windows is a plain file).
        /// </summary>
        public static bool IsLink(string path)
        {
            try
            {
#if NET
                return new FileInfo(path).LinkTarget != null;
#else
                var attributes = new FileInfo(path).Attributes;
                if ((int)attributes == -1 || (attributes & FileAttributes.ReparsePoint) == 0) return false;
                return !Compat.IsWindows || IsWindowsLink(path);
#endif
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                return false;
            }
        }

        /// <summary>The error for a file SoraPS will not write through: <paramref name="path"/> is a link.</summary>
        public static SoraException LinkRefused(string path, string what, object? target = null) =>
            new SoraException("PathIsLink", SoraErrorKind.Permission,
                $"'{path}' is a symbolic link; SoraPS will not write through it to the file it points to. {what}") { Target = target ?? path };

        /// <summary>Refuses <paramref name="path"/> when it is a link (see <see cref="IsLink"/>).</summary>
        public static void RefuseLink(string path, string what, object? target = null)
        {
            if (IsLink(path)) throw LinkRefused(path, what, target);
        }

        /// <summary>Removes a link at <paramref name="path"/> (the link itself; what it points to is untouched). True when one was there.</summary>
        public static bool RemoveLink(string path)
        {
            if (!IsLink(path)) return false;
            File.Delete(path);
            return true;
        }

#if !NET
        // A Windows reparse point is a link only for these two tags (cloud files, deduplicated files and the like are not).
        private const uint ReparseTagSymlink = 0xA000000C;
        private const uint ReparseTagMountPoint = 0xA0000003;

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, CharSet = System.Runtime.InteropServices.CharSet.Unicode)]
        private struct FindData
        {
            public uint Attributes;
            public System.Runtime.InteropServices.ComTypes.FILETIME Created;
            public System.Runtime.InteropServices.ComTypes.FILETIME Accessed;
            public System.Runtime.InteropServices.ComTypes.FILETIME Written;
            public uint SizeHigh;
            public uint SizeLow;
            public uint ReparseTag;
            public uint Reserved1;
            [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.ByValTStr, SizeConst = 260)]
            public string FileName;
            [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.ByValTStr, SizeConst = 14)]
            public string AlternateName;
        }

        [System.Runtime.InteropServices.DllImport("kernel32.dll", EntryPoint = "FindFirstFileW", CharSet = System.Runtime.InteropServices.CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr FindFirstFile(string fileName, out FindData data);

        [System.Runtime.InteropServices.DllImport("kernel32.dll", SetLastError = true)]
        [return: System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.Bool)]
        private static extern bool FindClose(IntPtr handle);

        private static bool IsWindowsLink(string path)
        {
            var handle = FindFirstFile(path, out var data);
            if (handle == new IntPtr(-1)) return true; // a reparse point whose tag cannot be read: taken as a link
            FindClose(handle);
            return data.ReparseTag == ReparseTagSymlink || data.ReparseTag == ReparseTagMountPoint;
        }
#endif

        /// <summary>Keeps config files readable by their owner only on Unix.</summary>
        public static void RestrictToUser(string path)
        {
            try { Compat.RestrictToOwner(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        /// <summary>An exclusive lock file held open; waits up to ten seconds for another process.</summary>
        public static IDisposable Lock(string lockPath)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(20 + Compat.Random.Next(30));
                }
            }
        }
    }
}
