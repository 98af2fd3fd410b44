using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
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
        public int BufferSize { get; set; } = 128 * 1024;
        /// <summary>How long to wait for the response headers.</summary>
        public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(60);
        /// <summary>How long a read may stall before the download is abandoned.</summary>
        public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);
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
    /// the final name only ever holds a whole, verified file.
    /// </summary>
    public static class VideoDownloader
    {
        public const string PartialSuffix = ".partial";

        public static async Task<DownloadResult> DownloadAsync(SoraHttp http, Uri uri, string path, SoraTask task, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            var final = Path.GetFullPath(path);
            if (File.Exists(final) && !options.Overwrite)
                throw new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{final}' already exists. Use -Force to overwrite it.") { Target = final };
            var dir = Path.GetDirectoryName(final);
            Directory.CreateDirectory(dir);
            var temp = final + PartialSuffix;
            var watch = Stopwatch.StartNew();
            using (var response = await http.OpenStreamAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancel, options.HeaderTimeout).ConfigureAwait(false))
            {
                var status = (int)response.StatusCode;
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

                var total = response.Content.Headers.ContentLength;
                long received = 0;
                var ok = false;
                try
                {
                    using (var source = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false))
                    using (var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
                    {
                        var buffer = new byte[options.BufferSize];
                        var head = new byte[12];
                        var headLength = 0;
                        var lastReport = TimeSpan.Zero;
                        while (true)
                        {
                            int read;
                            using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                            {
                                stall.CancelAfter(options.StallTimeout);
                                try
                                {
                                    read = await source.ReadAsync(buffer.AsMemory(0, buffer.Length), stall.Token).ConfigureAwait(false);
                                }
                                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                                {
                                    throw new SoraNetworkException("DownloadStalled", SoraErrorKind.Timeout,
                                        $"The download of task {task?.Id} stalled for {options.StallTimeout.TotalSeconds:0} s after {received} bytes.");
                                }
                                catch (Exception e) when (e is IOException || e is HttpRequestException)
                                {
                                    throw new SoraNetworkException("DownloadInterrupted", SoraErrorKind.Network,
                                        $"The download of task {task?.Id} broke after {received} bytes: {e.Message}", e);
                                }
                            }
                            if (read == 0) break;
                            if (headLength < head.Length)
                            {
                                var n = Math.Min(read, head.Length - headLength);
                                Array.Copy(buffer, 0, head, headLength, n);
                                headLength += n;
                            }
                            await target.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
                            received += read;
                            if (progress != null && watch.Elapsed - lastReport >= TimeSpan.FromMilliseconds(200))
                            {
                                lastReport = watch.Elapsed;
                                progress.Report(new DownloadProgress(received, total, watch.Elapsed));
                            }
                        }
                        await target.FlushAsync(cancel).ConfigureAwait(false);
                        if (total.HasValue && received != total.Value)
                            throw new SoraNetworkException("DownloadTruncated", SoraErrorKind.Network,
                                $"The download of task {task?.Id} ended after {received} of {total.Value} bytes.");
                        if (options.VerifyMp4 && !IsMp4(head, headLength))
                            throw new SoraProtocolException($"The file downloaded for task {task?.Id} is not an MP4 video (no 'ftyp' box; {received} bytes).", null);
                    }
                    File.Move(temp, final, options.Overwrite);
                    ok = true;
                    progress?.Report(new DownloadProgress(received, total ?? received, watch.Elapsed));
                    return new DownloadResult(final, received, watch.Elapsed);
                }
                finally
                {
                    if (!ok) TryDelete(temp);
                }
            }
        }

        /// <summary>An ISO media file starts with a box whose type is 'ftyp'.</summary>
        public static bool IsMp4(byte[] head, int length) =>
            length >= 8 && head[4] == (byte)'f' && head[5] == (byte)'t' && head[6] == (byte)'y' && head[7] == (byte)'p';

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
