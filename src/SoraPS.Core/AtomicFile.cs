using System;
using System.IO;
using System.Threading;

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
