using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Core
{
    /// <summary>The few platform calls that differ between the .NET 8 build (PowerShell 7) and the netstandard2.0 build (Windows PowerShell 5.1).</summary>
    internal static class Compat
    {
        private static readonly ThreadLocal<Random> Rng = new ThreadLocal<Random>(() => new Random(Guid.NewGuid().GetHashCode()));

        public static Random Random => Rng.Value;

        /// <summary>Moves a file into place, replacing the target when asked.</summary>
        public static void MoveFile(string source, string target, bool overwrite)
        {
#if NET
            File.Move(source, target, overwrite);
#else
            if (overwrite && File.Exists(target)) File.Replace(source, target, null, true);
            else File.Move(source, target);
#endif
        }

        public static bool IsWindows =>
#if NET
            OperatingSystem.IsWindows();
#else
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);
#endif

        /// <summary>Owner read/write only (Unix); Windows keeps the folder's ACL, which is per-user under %APPDATA%.</summary>
        public static void RestrictToOwner(string path)
        {
#if NET
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
#else
            // The netstandard2.0 build is for Windows PowerShell, but it can run on a Unix .NET too: chmod 0600 there.
            if (!IsWindows && chmod(path, Convert.ToInt32("600", 8)) != 0)
                throw new IOException("Could not restrict " + path + " to its owner (errno " + System.Runtime.InteropServices.Marshal.GetLastWin32Error() + ").");
#endif
        }

        /// <summary>
        /// Opens a file that, when this call creates it, is owner read/write only (0600) from its first
        /// byte on Unix: the mode is given to open(2), so there is no moment with wider permissions.
        /// (The netstandard2.0 build, for Windows PowerShell, relies on the folder's per-user ACL on Windows; when it
        /// runs on a Unix .NET it creates the file with open(2) and mode 0600 first.)
        /// </summary>
        public static FileStream OpenPrivate(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
        {
#if NET
            if (!OperatingSystem.IsWindows() && mode != FileMode.Open && mode != FileMode.Truncate)
                return new FileStream(path, new FileStreamOptions
                {
                    Mode = mode,
                    Access = access,
                    Share = share,
                    BufferSize = bufferSize,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
#else
            if (!IsWindows && (mode == FileMode.CreateNew || mode == FileMode.Create || mode == FileMode.OpenOrCreate) && !File.Exists(path) &&
                CreatePrivate(path, exclusive: mode == FileMode.CreateNew) && mode == FileMode.CreateNew)
                mode = FileMode.Open;
#endif
            return new FileStream(path, mode, access, share, bufferSize);
        }

#if !NET
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        private static extern int open(string path, int flags, int mode);

        [System.Runtime.InteropServices.DllImport("libc")]
        private static extern int close(int fd);

        /// <summary>Creates an empty file with mode 0600 (Linux and macOS flag values); false when it could not.</summary>
        private static bool CreatePrivate(string path, bool exclusive)
        {
            var mac = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX);
            int writeOnly = 1, create = mac ? 0x200 : 0x40, excl = mac ? 0x800 : 0x80;
            var fd = open(path, writeOnly | create | (exclusive ? excl : 0), Convert.ToInt32("600", 8));
            if (fd < 0) return false;
            close(fd);
            return true;
        }
#endif

        public static Task<Stream> ReadAsStreamAsync(HttpContent content, CancellationToken cancel) =>
#if NET
            content.ReadAsStreamAsync(cancel);
#else
            content.ReadAsStreamAsync();
#endif

        public static HttpMessageHandler CreateHandler()
        {
#if NET
            return new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(30),
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
                AllowAutoRedirect = false,
                MaxConnectionsPerServer = 32,
            };
#else
            return new HttpClientHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
                AllowAutoRedirect = false,
                MaxConnectionsPerServer = 32,
            };
#endif
        }
    }
}
