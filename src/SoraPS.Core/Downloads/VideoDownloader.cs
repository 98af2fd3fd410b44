using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Downloads
{
    public sealed class DownloadOptions
    {
        public bool Overwrite { get; set; }
        /// <summary>video (default), thumbnail or spritesheet where the dialect offers them.</summary>
        public string Variant { get; set; }
        /// <summary>Check the MP4 signature (off for thumbnails and spritesheets).</summary>
        public bool VerifyMp4 { get; set; } = true;
        public int BufferSize { get; set; } = 1024 * 1024;
        /// <summary>How long to wait for the response headers.</summary>
        public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(60);
        /// <summary>How long a read may stall before the download is abandoned.</summary>
        public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);
        /// <summary>How many times a broken download is resumed before giving up.</summary>
        public int MaxResumes { get; set; } = 3;
        public TimeSpan ResumeDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    }

    public sealed class DownloadProgress
    {
        public DownloadProgress(long received, long? total, TimeSpan elapsed)
        {
            BytesReceived = received;
            TotalBytes = total;
            Elapsed = elapsed;
        }

        public long BytesReceived { get; }
        public long? TotalBytes { get; }
        public TimeSpan Elapsed { get; }
        public double BytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesReceived / Elapsed.TotalSeconds : 0;
        public int? Percent => TotalBytes > 0 ? (int)(BytesReceived * 100 / TotalBytes.Value) : (int?)null;
    }

    public sealed class DownloadResult
    {
        public DownloadResult(string path, long bytes, TimeSpan elapsed)
        {
            Path = path;
            Bytes = bytes;
            Elapsed = elapsed;
        }

        public string Path { get; }
        public long Bytes { get; }
        public TimeSpan Elapsed { get; }
    }

    /// <summary>
    /// Streams a video to a temporary file beside the target, checks it, then moves it into place:
    /// the final name only ever holds a whole, verified file. A broken connection is resumed with an
    /// HTTP Range request where the server allows it (also from a .partial file an earlier, killed
    /// run left behind); on a final failure or Ctrl+C the temporary file is removed.
    /// </summary>
    public static class VideoDownloader
    {
        public const string PartialSuffix = ".partial";

        public static async Task<DownloadResult> DownloadAsync(SoraHttp http, Uri uri, string path, SoraTask task, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            var final = Path.GetFullPath(path);
            if (File.Exists(final) && !options.Overwrite)
                throw new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{final}' already exists. Use -Force to overwrite it.") { Target = final };
            Directory.CreateDirectory(Path.GetDirectoryName(final));
            var temp = final + PartialSuffix;
            var watch = Stopwatch.StartNew();
            var ok = false;
            FileStream target;
            try
            {
                target = new FileStream(temp, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException e)
            {
                throw new SoraException("DownloadInProgress", SoraErrorKind.InvalidParameter, $"'{temp}' is in use: another download of the same file is under way. ({e.Message})", e) { Target = task };
            }
            try
            {
                using (target)
                {
                    long? total = null;
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            total = await FetchAsync(http, uri, task, target, options, progress, watch, cancel).ConfigureAwait(false);
                            break;
                        }
                        catch (SoraNetworkException e) when (attempt < options.MaxResumes && !cancel.IsCancellationRequested)
                        {
                            http.Log.Verbose($"{e.Message} Resuming at {target.Length:N0} bytes (attempt {attempt + 2} of {options.MaxResumes + 1}).");
                            await Task.Delay(options.ResumeDelay, cancel).ConfigureAwait(false);
                        }
                    }
                    await target.FlushAsync(cancel).ConfigureAwait(false);
                    var received = target.Length;
                    if (total.HasValue && received != total.Value)
                        throw new SoraNetworkException("DownloadTruncated", SoraErrorKind.Network, $"The download of task {task?.Id} ended after {received} of {total.Value} bytes.");
                    if (options.VerifyMp4)
                    {
                        var head = new byte[12];
                        target.Position = 0;
                        var n = await target.ReadAsync(head, 0, head.Length, cancel).ConfigureAwait(false);
                        if (!IsMp4(head, n))
                            throw new SoraProtocolException($"The file downloaded for task {task?.Id} is not an MP4 video (no 'ftyp' box; {received} bytes).", null);
                    }
                }
                Compat.MoveFile(temp, final, options.Overwrite);
                ok = true;
                var size = new FileInfo(final).Length;
                progress?.Report(new DownloadProgress(size, size, watch.Elapsed));
                return new DownloadResult(final, size, watch.Elapsed);
            }
            finally
            {
                if (!ok) TryDelete(temp);
            }
        }

        /// <summary>The media type a download asks for: the MP4 video, or an image for a thumbnail or spritesheet.</summary>
        internal static string AcceptFor(string variant) =>
            string.IsNullOrEmpty(variant) || variant.Equals("video", StringComparison.OrdinalIgnoreCase) ? "video/mp4" : "image/*";

        /// <summary>One request: appends to <paramref name="target"/> from its current length. Returns the full size when known.</summary>
        private static async Task<long?> FetchAsync(SoraHttp http, Uri uri, SoraTask task, FileStream target, DownloadOptions options, IProgress<DownloadProgress> progress, Stopwatch watch, CancellationToken cancel)
        {
            var offset = target.Length;
            HttpRequestMessage Build()
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Accept.ParseAdd(AcceptFor(options.Variant));
                if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
                return request;
            }
            using (var response = await http.OpenStreamAsync(Build, cancel, options.HeaderTimeout).ConfigureAwait(false))
            {
                var status = (int)response.StatusCode;
                if (status == 416 && offset > 0)
                {
                    // The partial file is no use (longer than the video, or another version): start over.
                    target.SetLength(0);
                    throw new SoraNetworkException("DownloadRestart", SoraErrorKind.Network, $"The server refused to resume at byte {offset}.");
                }
                if (status == 403 || status == 404 || status == 410)
                {
                    var when = task?.ExpiresAt.HasValue == true ? $" (the provider gave it until {task.ExpiresAt.Value.ToLocalTime():u})" : "";
                    throw new SoraException("VideoExpired", SoraErrorKind.Expired,
                        $"The video link for task {task?.Id} answered {status}: it has expired or been removed{when}. Videos must be saved before their links expire; generate it again if needed.") { Target = task };
                }
                if (status == 401)
                    throw new SoraException("AuthenticationFailed", SoraErrorKind.Authentication, $"The provider refused the key when downloading task {task?.Id} (401).") { Target = task };
                if (status < 200 || status > 299)
                    throw new SoraException("DownloadFailed", ErrorIds.KindFromStatus(status), $"Downloading task {task?.Id} failed: the server answered {status} {response.ReasonPhrase}.") { Target = task };

                long? total;
                if (status == 206 && response.Content.Headers.ContentRange?.From == offset)
                {
                    total = response.Content.Headers.ContentRange.Length;
                    target.Position = offset;
                    http.Log.Verbose($"Resuming the download of task {task?.Id} at byte {offset:N0}.");
                }
                else
                {
                    // A plain 200 (no range support, or a first request): write from the start.
                    total = response.Content.Headers.ContentLength;
                    target.SetLength(0);
                    target.Position = 0;
                }
                var received = target.Position;
                using (var source = await Compat.ReadAsStreamAsync(response.Content, cancel).ConfigureAwait(false))
                {
                    var buffer = new byte[options.BufferSize];
                    var lastReport = TimeSpan.Zero;
                    while (true)
                    {
                        int read;
                        using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                        {
                            stall.CancelAfter(options.StallTimeout);
                            try
                            {
                                read = await source.ReadAsync(buffer, 0, buffer.Length, stall.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                            {
                                throw new SoraNetworkException("DownloadStalled", SoraErrorKind.Timeout,
                                    $"The download of task {task?.Id} stalled for {options.StallTimeout.TotalSeconds:0} s after {received:N0} bytes.");
                            }
                            catch (Exception e) when (e is IOException || e is HttpRequestException)
                            {
                                await target.FlushAsync(cancel).ConfigureAwait(false);
                                throw new SoraNetworkException("DownloadInterrupted", SoraErrorKind.Network,
                                    $"The download of task {task?.Id} broke after {received:N0} bytes: {e.Message}", e);
                            }
                        }
                        if (read == 0) break;
                        await target.WriteAsync(buffer, 0, read, cancel).ConfigureAwait(false);
                        received += read;
                        if (progress != null && watch.Elapsed - lastReport >= TimeSpan.FromMilliseconds(200))
                        {
                            lastReport = watch.Elapsed;
                            progress.Report(new DownloadProgress(received, total, watch.Elapsed));
                        }
                    }
                }
                if (total.HasValue && received < total.Value)
                {
                    await target.FlushAsync(cancel).ConfigureAwait(false);
                    throw new SoraNetworkException("DownloadTruncated", SoraErrorKind.Network,
                        $"The download of task {task?.Id} ended after {received:N0} of {total.Value:N0} bytes.");
                }
                return total;
            }
        }

        /// <summary>An ISO media file starts with a box whose type is 'ftyp'.</summary>
        public static bool IsMp4(byte[] head, int length) =>
            length >= 8 && head[4] == (byte)'f' && head[5] == (byte)'t' && head[6] == (byte)'y' && head[7] == (byte)'p';

        /// <summary>True when <paramref name="path"/> holds what looks like a whole MP4 (used by -SkipExisting).</summary>
        public static bool LooksLikeMp4(string path)
        {
            try
            {
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    var head = new byte[12];
                    var n = fs.Read(head, 0, head.Length);
                    return IsMp4(head, n);
                }
            }
            catch (IOException)
            {
                return false;
            }
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
