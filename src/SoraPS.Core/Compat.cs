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

        public static Random Random => Rng.Value!; // the factory always makes one

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
        /// (On Windows both builds rely on the folder's per-user ACL under %APPDATA%.)
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
            // The netstandard2.0 build on a Unix .NET: create the file with mode 0600 through open(2) itself,
            // then open the FileStream on the file that now exists.
            if (!IsWindows && mode != FileMode.Open && mode != FileMode.Truncate && CanOpenWithMode)
            {
                CreatePrivate(path, exclusive: mode == FileMode.CreateNew);
                if (mode == FileMode.CreateNew || mode == FileMode.OpenOrCreate) mode = FileMode.Open;
                else if (mode == FileMode.Create) mode = FileMode.Truncate;
            }
#endif
            return new FileStream(path, mode, access, share, bufferSize);
        }

#if !NET
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int open_(string path, int flags, int mode);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);

        // open(2) is variadic: passing the mode as a fixed argument is right on x64 and Linux arm64, not on Apple arm64.
        private static bool CanOpenWithMode =>
            !(System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX)
              && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64);

        private static void CreatePrivate(string path, bool exclusive)
        {
            var mac = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX);
            int wronly = 1, create = mac ? 0x200 : 0x40, excl = mac ? 0x800 : 0x80;
            var fd = open_(path, wronly | create | (exclusive ? excl : 0), Convert.ToInt32("600", 8));
            if (fd < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastWin32Error();
                throw new IOException((errno == 17 ? "The file already exists: " : "Could not create ") + path + " (errno " + errno + ").");
            }
            close(fd);
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
