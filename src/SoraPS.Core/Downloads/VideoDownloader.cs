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
        public string? Variant { get; set; }
        /// <summary>high or low where the dialect offers a choice (AzureJobs); null: the provider's default.</summary>
        public string? Quality { get; set; }
        /// <summary>Which of a task's videos to fetch (0: the first; see <see cref="Tasks.SoraTask.VideoUris"/>).</summary>
        public int Output { get; set; }
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
        /// <summary>The whole download, resumes included, ends with DownloadTimeout after this long (null: no limit).</summary>
        public TimeSpan? Timeout { get; set; }
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
    /// What a .partial file holds, written beside it (<c>&lt;file&gt;.partial.json</c>) before its first
    /// byte: which task and which remote resource (URL, validator, length). A .partial is resumed only
    /// when this record matches the task, the URL and what the server says it now serves.
    /// </summary>
    public sealed class PartialRecord
    {
        public string? TaskId { get; set; }
        public string? Profile { get; set; }
        public string? Url { get; set; }
        public string? ETag { get; set; }
        public string? LastModified { get; set; }
        public long? Length { get; set; }
    }

    /// <summary>
    /// Streams a video to a temporary file beside the target, checks it, then moves it into place:
    /// the final name only ever holds a whole, verified file. A broken connection is resumed with an
    /// HTTP Range request (with If-Range, and the answer's validator and Content-Range checked) where
    /// the server allows it, also from a .partial file an earlier, killed run left for the same task and
    /// resource; anything else starts from zero. On a final failure or Ctrl+C the temporary file is removed.
    /// </summary>
    public static class VideoDownloader
    {
        public const string PartialSuffix = ".partial";
        public const string RecordSuffix = ".partial.json";

        public static async Task<DownloadResult> DownloadAsync(SoraHttp http, Uri uri, string path, SoraTask? task, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            var final = Path.GetFullPath(path);
            if (File.Exists(final) && !options.Overwrite)
                throw new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{final}' already exists.") { Target = final };
            Directory.CreateDirectory(Path.GetDirectoryName(final) ?? throw new ArgumentException($"'{final}' is not a file path.", nameof(path)));
            var temp = final + PartialSuffix;
            var recordPath = final + RecordSuffix;
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
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                if (options.Timeout.HasValue) limit.CancelAfter(options.Timeout.Value);
                var token = limit.Token;
                try
                {
                    using (target)
                    {
                        var state = new ResumeState(recordPath, task, uri);
                        if (target.Length > 0)
                        {
                            var record = ReadRecord(recordPath);
                            var why = record == null ? "no record of what it holds"
                                : record.TaskId != task?.Id ? $"it holds task {record.TaskId}"
                                : record.Url != uri.AbsoluteUri ? "it came from another link"
                                : record.ETag == null && record.LastModified == null && record.Length == null ? "nothing to check it against"
                                : null;
                            if (why == null)
                            {
                                state.Known = record;
                            }
                            else
                            {
                                http.Log.Verbose($"Not resuming '{temp}' ({target.Length:N0} bytes) for task {task?.Id}: {why}. Starting from zero.");
                                target.SetLength(0);
                            }
                        }
                        long? total = null;
                        var restarted = false;
                        for (var attempt = 0; ; attempt++)
                        {
                            try
                            {
                                total = await FetchAsync(http, uri, task, target, state, options, progress, watch, token).ConfigureAwait(false);
                                break;
                            }
                            catch (SoraNetworkException e) when (e.ErrorId == "DownloadRestart" && !restarted && !token.IsCancellationRequested)
                            {
                                // The server now serves something else: what we had is no use. The first restart is not
                                // counted as a failure; a server that keeps refusing to continue uses up the attempts.
                                http.Log.Verbose(e.Message + " Starting from zero.");
                                restarted = true;
                                attempt--;
                            }
                            catch (SoraNetworkException e) when (attempt < options.MaxResumes && !token.IsCancellationRequested)
                            {
                                http.Log.Verbose($"{e.Message} Resuming at {target.Length:N0} bytes (attempt {attempt + 2} of {options.MaxResumes + 1}).");
                                await Task.Delay(options.ResumeDelay, token).ConfigureAwait(false);
                            }
                        }
                        await target.FlushAsync(token).ConfigureAwait(false);
                        var received = target.Length;
                        if (total.HasValue && received != total.Value)
                            throw new SoraNetworkException("DownloadTruncated", SoraErrorKind.Network, $"The download of task {task?.Id} ended after {received} of {total.Value} bytes.");
                        if (options.VerifyMp4)
                        {
                            var head = new byte[12];
                            target.Position = 0;
                            var n = await target.ReadAsync(head, 0, head.Length, token).ConfigureAwait(false);
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
                catch (OperationCanceledException e) when (!cancel.IsCancellationRequested && token.IsCancellationRequested)
                {
                    throw new SoraNetworkException("DownloadTimeout", SoraErrorKind.Timeout,
                        $"The download of task {task?.Id} did not finish within its time limit of {options.Timeout?.TotalSeconds:0.#} s; nothing was saved.", e) { Target = task };
                }
                finally
                {
                    if (!ok) TryDelete(temp);
                    TryDelete(recordPath);
                }
            }
        }

        /// <summary>The media type a download asks for: the MP4 video, or an image for a thumbnail or spritesheet.</summary>
        internal static string AcceptFor(string? variant) =>
            string.IsNullOrEmpty(variant) || string.Equals(variant, "video", StringComparison.OrdinalIgnoreCase) ? "video/mp4" : "image/*";

        private sealed class ResumeState
        {
            public ResumeState(string recordPath, SoraTask? task, Uri uri)
            {
                RecordPath = recordPath;
                Task = task;
                Uri = uri;
            }

            public readonly string RecordPath;
            public readonly SoraTask? Task;
            public readonly Uri Uri;
            /// <summary>What the bytes already in the file are (null: nothing to resume).</summary>
            public PartialRecord? Known;
        }

        private static PartialRecord? ReadRecord(string path)
        {
            try
            {
                return File.Exists(path) ? System.Text.Json.JsonSerializer.Deserialize<PartialRecord>(File.ReadAllText(path)) : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static string? ETagOf(HttpResponseMessage r) => r.Headers.ETag?.ToString();
        private static string? LastModifiedOf(HttpResponseMessage r) => r.Content.Headers.LastModified?.ToString("r", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>One request: appends to <paramref name="target"/> from its current length when that is safe. Returns the full size when known.</summary>
        private static async Task<long?> FetchAsync(SoraHttp http, Uri uri, SoraTask? task, FileStream target, ResumeState state, DownloadOptions options, IProgress<DownloadProgress> progress, Stopwatch watch, CancellationToken cancel)
        {
            var known = state.Known;
            var offset = known == null ? 0 : target.Length;
            if (known == null && target.Length > 0) target.SetLength(0);
            HttpRequestMessage Build()
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Accept.ParseAdd(AcceptFor(options.Variant));
                if (offset > 0 && known != null) // offset > 0 only when resuming a known file
                {
                    request.Headers.Range = new RangeHeaderValue(offset, null);
                    // If-Range: the server sends the rest only if it still serves the same version, else all of it.
                    if (known.ETag != null && !known.ETag.StartsWith("W/", StringComparison.Ordinal) && EntityTagHeaderValue.TryParse(known.ETag, out var tag))
                        request.Headers.IfRange = new RangeConditionHeaderValue(tag);
                    else if (known.LastModified != null && DateTimeOffset.TryParse(known.LastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date))
                        request.Headers.IfRange = new RangeConditionHeaderValue(date);
                }
                return request;
            }
            using (var response = await http.OpenStreamAsync(Build, cancel, options.HeaderTimeout).ConfigureAwait(false))
            {
                var status = (int)response.StatusCode;
                if (status == 416 && offset > 0)
                {
                    // The partial file is no use (longer than the video, or another version): start over.
                    target.SetLength(0);
                    state.Known = null;
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
                {
                    var kind = ErrorIds.KindFromStatus(status);
                    throw new SoraException(kind == SoraErrorKind.Upstream ? ErrorIds.For(kind) : "DownloadFailed", kind, $"Downloading task {task?.Id} failed: the server answered {status} {response.ReasonPhrase}.") { Target = task };
                }

                long? total;
                if (status == 206 && offset > 0 && known != null)
                {
                    var range = response.Content.Headers.ContentRange;
                    var etag = ETagOf(response);
                    var modified = LastModifiedOf(response);
                    var mismatch = range == null || range.From != offset ? $"it answered with the range {range?.ToString() ?? "(none)"}"
                        : known.Length.HasValue && range.Length.HasValue && range.Length != known.Length ? $"the video is now {range.Length:N0} bytes, not {known.Length:N0}"
                        : known.ETag != null && etag != null && etag != known.ETag ? $"its version changed ({known.ETag} -> {etag})"
                        : known.ETag == null && known.LastModified != null && modified != null && modified != known.LastModified ? $"it changed on {modified}"
                        : null;
                    if (mismatch != null)
                    {
                        target.SetLength(0);
                        state.Known = null;
                        throw new SoraNetworkException("DownloadRestart", SoraErrorKind.Network, $"The server would not continue task {task?.Id}'s download at byte {offset:N0}: {mismatch}.");
                    }
                    total = range!.Length; // no mismatch: the range was given
                    target.Position = offset;
                    http.Log.Verbose($"Resuming the download of task {task?.Id} at byte {offset:N0}.");
                }
                else
                {
                    // A plain 200 (a first request, no range support, or a stale If-Range): write from the start,
                    // after recording what these bytes are. A 206 here must start at byte 0, and its Content-Range
                    // gives the whole length (its Content-Length is only this part's).
                    total = response.Content.Headers.ContentLength;
                    if (status == 206)
                    {
                        var range = response.Content.Headers.ContentRange;
                        if (range == null || (range.From ?? 0) != 0)
                            throw new SoraNetworkException("DownloadRestart", SoraErrorKind.Network, $"The server answered task {task?.Id}'s download with the range {range?.ToString() ?? "(none)"} instead of the whole video.");
                        total = range.Length ?? total;
                    }
                    target.SetLength(0);
                    target.Position = 0;
                    var record = new PartialRecord
                    {
                        TaskId = state.Task?.Id,
                        Profile = state.Task?.Profile,
                        Url = state.Uri.AbsoluteUri,
                        ETag = ETagOf(response),
                        LastModified = LastModifiedOf(response),
                        Length = total,
                    };
                    try
                    {
                        File.WriteAllText(state.RecordPath, System.Text.Json.JsonSerializer.Serialize(record));
                        state.Known = record;
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        // Without a record the bytes cannot be trusted later: no resume, but the download goes on.
                        state.Known = null;
                        http.Log.Verbose($"Could not write '{state.RecordPath}' ({e.Message}); a broken download will start from zero.");
                    }
                    if (state.Known != null && state.Known.ETag == null && state.Known.LastModified == null && state.Known.Length == null)
                        state.Known = null;
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
                                    $"The download of task {task?.Id} stalled for {options.StallTimeout.TotalSeconds:0.#} s after {received:N0} bytes.");
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
