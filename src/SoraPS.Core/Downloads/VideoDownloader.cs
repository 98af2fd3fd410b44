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
        /// <summary>
        /// The saved file's extension follows what the server sent (a thumbnail sent as JPEG is saved as .jpg): for names
        /// SoraPS chose from the task id. Off: the given name is kept.
        /// </summary>
        public bool NameFromContent { get; set; }
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
            AtomicFile.RefuseLink(final, Unsaved(task), task);
            if (File.Exists(final) && !options.Overwrite)
                throw new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{final}' already exists.") { Target = final };
            Directory.CreateDirectory(Path.GetDirectoryName(final) ?? throw new ArgumentException($"'{final}' is not a file path.", nameof(path)));
            var temp = final + PartialSuffix;
            var recordPath = final + RecordSuffix;
            var watch = Stopwatch.StartNew();
            var ok = false;
            var target = OpenPartial(temp, task);
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                if (options.Timeout.HasValue) limit.CancelAfter(options.Timeout.Value);
                var token = limit.Token;
                try
                {
                    using (target)
                    {
                        var transfer = new Transfer(http, uri, task, target, recordPath, options, progress, watch);
                        transfer.AdoptOrClearPartial();
                        var total = await transfer.FetchWithResumesAsync(token).ConfigureAwait(false);
                        var extension = await transfer.VerifyAsync(total, token).ConfigureAwait(false);
                        if (extension != null && options.NameFromContent && !string.Equals(Path.GetExtension(final), extension, StringComparison.OrdinalIgnoreCase))
                        {
                            final = Path.ChangeExtension(final, extension);
                            AtomicFile.RefuseLink(final, Unsaved(task), task);
                            if (File.Exists(final) && !options.Overwrite)
                                throw new SoraException("FileExists", SoraErrorKind.InvalidParameter, $"'{final}' already exists; the file of task {task?.Id} was not saved.") { Target = task };
                        }
                    }
                    // A link planted while the file downloaded is refused too (a rename would replace the link, not follow it,
                    // but the name is then someone else's).
                    AtomicFile.RefuseLink(final, Unsaved(task), task);
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

        private static string Unsaved(SoraTask? task) => task == null ? "Nothing was saved." : $"The video of task {task.Id} was not saved.";

        /// <summary>
        /// Opens (or creates) the .partial file, which only one download at a time may hold. The file is SoraPS's own
        /// scratch: a link in its place is removed (its target untouched) and the download starts afresh. A new file is
        /// created exclusively, so a link planted after that check makes the open fail rather than be followed.
        /// </summary>
        private static FileStream OpenPartial(string temp, SoraTask? task)
        {
            FileStream stream;
            try
            {
                AtomicFile.RemoveLink(temp);
                try
                {
                    stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException) when (File.Exists(temp) && !AtomicFile.IsLink(temp))
                {
                    // An earlier run's .partial: resumed when its record matches.
                    stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
            }
            catch (IOException e) when (!AtomicFile.IsLink(temp))
            {
                throw new SoraException("DownloadInProgress", SoraErrorKind.InvalidParameter, $"'{temp}' is in use: another download of the same file is under way. ({e.Message})", e) { Target = task };
            }
            catch (IOException)
            {
                throw AtomicFile.LinkRefused(temp, Unsaved(task), task);
            }
            if (AtomicFile.IsLink(temp))
            {
                // Replaced by a link between the check and the open: nothing has been written; refuse.
                stream.Dispose();
                throw AtomicFile.LinkRefused(temp, Unsaved(task), task);
            }
            return stream;
        }

        /// <summary>The media type a download asks for: the MP4 video, or an image for a thumbnail or spritesheet.</summary>
        internal static string AcceptFor(string? variant) =>
            string.IsNullOrEmpty(variant) || string.Equals(variant, "video", StringComparison.OrdinalIgnoreCase) ? "video/mp4" : "image/*";

        /// <summary>
        /// One download into its .partial file: the requests (a first one, then resumes), and what the bytes
        /// already in the file are (<see cref="Known"/>, from the .partial.json record).
        /// </summary>
        private sealed class Transfer
        {
            private readonly SoraHttp _http;
            private readonly Uri _uri;
            private readonly SoraTask? _task;
            private readonly FileStream _target;
            private readonly string _recordPath;
            private readonly DownloadOptions _options;
            private readonly IProgress<DownloadProgress> _progress;
            private readonly Stopwatch _watch;

            public Transfer(SoraHttp http, Uri uri, SoraTask? task, FileStream target, string recordPath, DownloadOptions options, IProgress<DownloadProgress> progress, Stopwatch watch)
            {
                _http = http;
                _uri = uri;
                _task = task;
                _target = target;
                _recordPath = recordPath;
                _options = options;
                _progress = progress;
                _watch = watch;
            }

            /// <summary>What the bytes already in the file are (null: nothing to resume).</summary>
            public PartialRecord? Known;

            /// <summary>The media type the server named for the body (Content-Type), if it did.</summary>
            public string? ContentType;

            /// <summary>Keeps a .partial an earlier run left when its record matches this task and link; else empties it.</summary>
            public void AdoptOrClearPartial()
            {
                if (_target.Length == 0) return;
                var record = ReadRecord(_recordPath);
                var why = record == null ? "no record of what it holds"
                    : record.TaskId != _task?.Id ? $"it holds task {record.TaskId}"
                    : record.Url != _uri.AbsoluteUri ? "it came from another link"
                    : record.ETag == null && record.LastModified == null && record.Length == null ? "nothing to check it against"
                    : null;
                if (why == null)
                {
                    Known = record;
                    return;
                }
                _http.Log.Verbose($"Not resuming '{_target.Name}' ({_target.Length:N0} bytes) for task {_task?.Id}: {why}. Starting from zero.");
                _target.SetLength(0);
            }

            /// <summary>Fetches until the file is whole, resuming a broken download up to MaxResumes times. Returns the full size when known.</summary>
            public async Task<long?> FetchWithResumesAsync(CancellationToken token)
            {
                var restarted = false;
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        return await FetchAsync(token).ConfigureAwait(false);
                    }
                    catch (SoraNetworkException e) when (e.ErrorId == "DownloadRestart" && !restarted && !token.IsCancellationRequested)
                    {
                        // The server now serves something else: what we had is no use. The first restart is not
                        // counted as a failure; a server that keeps refusing to continue uses up the attempts.
                        _http.Log.Verbose(e.Message + " Starting from zero.");
                        restarted = true;
                        attempt--;
                    }
                    catch (SoraNetworkException e) when (attempt < _options.MaxResumes && !token.IsCancellationRequested)
                    {
                        _http.Log.Verbose($"{e.Message} Resuming at {_target.Length:N0} bytes (attempt {attempt + 2} of {_options.MaxResumes + 1}).");
                        await Task.Delay(_options.ResumeDelay, token).ConfigureAwait(false);
                    }
                }
            }

            /// <summary>
            /// Checks the whole file: its length against the size announced, and what came against what was asked (the
            /// MP4, or for another variant a picture). Returns the extension of what came, or null where nothing is checked.
            /// </summary>
            public async Task<string?> VerifyAsync(long? total, CancellationToken token)
            {
                await _target.FlushAsync(token).ConfigureAwait(false);
                var received = _target.Length;
                if (total.HasValue && received != total.Value)
                    throw new SoraNetworkException("DownloadTruncated", SoraErrorKind.Network, $"The download of task {_task?.Id} ended after {received} of {total.Value} bytes.");
                var picture = !_options.VerifyMp4 && !string.IsNullOrEmpty(_options.Variant) && !string.Equals(_options.Variant, "video", StringComparison.OrdinalIgnoreCase);
                if (!_options.VerifyMp4 && !picture) return null;
                var head = new byte[MediaCheck.HeadLength];
                _target.Position = 0;
                var n = await _target.ReadAsync(head, 0, head.Length, token).ConfigureAwait(false);
                return MediaCheck.Check(_options.VerifyMp4, ContentType, head, n, _task?.Id, received);
            }

            /// <summary>One request: appends to the file from its current length when that is safe. Returns the full size when known.</summary>
            private async Task<long?> FetchAsync(CancellationToken cancel)
            {
                var known = Known;
                var offset = known == null ? 0 : _target.Length;
                if (known == null && _target.Length > 0) _target.SetLength(0);
                using (var response = await _http.OpenStreamAsync(() => Request(offset, known), cancel, _options.HeaderTimeout).ConfigureAwait(false))
                {
                    var status = (int)response.StatusCode;
                    RefuseFailure(response, status, offset);
                    ContentType = response.Content.Headers.ContentType?.MediaType ?? ContentType;
                    var total = status == 206 && offset > 0 && known != null
                        ? ContinueAt(response, offset, known)
                        : StartOver(response, status);
                    var received = await CopyAsync(response, total, cancel).ConfigureAwait(false);
                    if (total.HasValue && received < total.Value)
                    {
                        await _target.FlushAsync(cancel).ConfigureAwait(false);
                        throw new SoraNetworkException("DownloadTruncated", SoraErrorKind.Network,
                            $"The download of task {_task?.Id} ended after {received:N0} of {total.Value:N0} bytes.");
                    }
                    return total;
                }
            }

            /// <summary>The GET of the video; from <paramref name="offset"/> on (only when resuming a known file), with If-Range.</summary>
            private HttpRequestMessage Request(long offset, PartialRecord? known)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, _uri);
                request.Headers.Accept.ParseAdd(AcceptFor(_options.Variant));
                if (offset > 0 && known != null)
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

            /// <summary>An answer that brings no video: a refused resume (start over), an expired link, a refused key, any other failure.</summary>
            private void RefuseFailure(HttpResponseMessage response, int status, long offset)
            {
                if (status == 416 && offset > 0)
                {
                    // The partial file is no use (longer than the video, or another version): start over.
                    _target.SetLength(0);
                    Known = null;
                    throw new SoraNetworkException("DownloadRestart", SoraErrorKind.Network, $"The server refused to resume at byte {offset}.");
                }
                if (status == 403 || status == 404 || status == 410)
                {
                    var when = _task?.ExpiresAt.HasValue == true ? $" (the provider gave it until {_task.ExpiresAt.Value.ToLocalTime():u})" : "";
                    throw new SoraException("VideoExpired", SoraErrorKind.Expired,
                        $"The video link for task {_task?.Id} answered {status}: it has expired or been removed{when}. Videos must be saved before their links expire; generate it again if needed.") { Target = _task };
                }
                if (status == 401)
                    throw new SoraException("AuthenticationFailed", SoraErrorKind.Authentication, $"The provider refused the key when downloading task {_task?.Id} (401).") { Target = _task };
                if (status < 200 || status > 299)
                {
                    var kind = ErrorIds.KindFromStatus(status);
                    throw new SoraException(kind == SoraErrorKind.Upstream ? ErrorIds.For(kind) : "DownloadFailed", kind, $"Downloading task {_task?.Id} failed: the server answered {status} {response.ReasonPhrase}.") { Target = _task };
                }
            }

            /// <summary>A 206 to a resume: continues at <paramref name="offset"/> if the server still serves the same version. Returns the full size.</summary>
            private long? ContinueAt(HttpResponseMessage response, long offset, PartialRecord known)
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
                    _target.SetLength(0);
                    Known = null;
                    throw new SoraNetworkException("DownloadRestart", SoraErrorKind.Network, $"The server would not continue task {_task?.Id}'s download at byte {offset:N0}: {mismatch}.");
                }
                _target.Position = offset;
                _http.Log.Verbose($"Resuming the download of task {_task?.Id} at byte {offset:N0}.");
                return range!.Length; // no mismatch: the range was given
            }

            /// <summary>
            /// A plain 200 (a first request, no range support, or a stale If-Range): write from the start, after
            /// recording what these bytes are. A 206 here must start at byte 0, and its Content-Range gives the whole
            /// length (its Content-Length is only this part's). Returns the full size when known.
            /// </summary>
            private long? StartOver(HttpResponseMessage response, int status)
            {
                var total = response.Content.Headers.ContentLength;
                if (status == 206)
                {
                    var range = response.Content.Headers.ContentRange;
                    if (range == null || (range.From ?? 0) != 0)
                        throw new SoraNetworkException("DownloadRestart", SoraErrorKind.Network, $"The server answered task {_task?.Id}'s download with the range {range?.ToString() ?? "(none)"} instead of the whole video.");
                    total = range.Length ?? total;
                }
                _target.SetLength(0);
                _target.Position = 0;
                WriteRecord(new PartialRecord
                {
                    TaskId = _task?.Id,
                    Profile = _task?.Profile,
                    Url = _uri.AbsoluteUri,
                    ETag = ETagOf(response),
                    LastModified = LastModifiedOf(response),
                    Length = total,
                });
                return total;
            }

            /// <summary>Writes the .partial.json record before the first byte; without it (or without a validator) there is no resume.</summary>
            private void WriteRecord(PartialRecord record)
            {
                try
                {
                    // Never through a link: the old record (or a link in its place) is removed and the new one created exclusively.
                    if (File.Exists(_recordPath) || AtomicFile.IsLink(_recordPath)) File.Delete(_recordPath);
                    var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record);
                    using (var fs = new FileStream(_recordPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                        fs.Write(bytes, 0, bytes.Length);
                    Known = record;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // Without a record the bytes cannot be trusted later: no resume, but the download goes on.
                    Known = null;
                    _http.Log.Verbose($"Could not write '{_recordPath}' ({e.Message}); a broken download will start from zero.");
                }
                if (Known != null && Known.ETag == null && Known.LastModified == null && Known.Length == null)
                    Known = null;
            }

            /// <summary>Copies the body to the file, reporting progress; a stall or a break is a SoraNetworkException (resumable). Returns the bytes now in the file.</summary>
            private async Task<long> CopyAsync(HttpResponseMessage response, long? total, CancellationToken cancel)
            {
                var received = _target.Position;
                using (var source = await Compat.ReadAsStreamAsync(response.Content, cancel).ConfigureAwait(false))
                {
                    var buffer = new byte[_options.BufferSize];
                    var lastReport = TimeSpan.Zero;
                    while (true)
                    {
                        var read = await ReadAsync(source, buffer, received, cancel).ConfigureAwait(false);
                        if (read == 0) break;
                        await _target.WriteAsync(buffer, 0, read, cancel).ConfigureAwait(false);
                        received += read;
                        if (_progress != null && _watch.Elapsed - lastReport >= TimeSpan.FromMilliseconds(200))
                        {
                            lastReport = _watch.Elapsed;
                            _progress.Report(new DownloadProgress(received, total, _watch.Elapsed));
                        }
                    }
                }
                return received;
            }

            /// <summary>One read, which may stall at most StallTimeout.</summary>
            private async Task<int> ReadAsync(Stream source, byte[] buffer, long received, CancellationToken cancel)
            {
                using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    stall.CancelAfter(_options.StallTimeout);
                    try
                    {
                        return await source.ReadAsync(buffer, 0, buffer.Length, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        throw new SoraNetworkException("DownloadStalled", SoraErrorKind.Timeout,
                            $"The download of task {_task?.Id} stalled for {_options.StallTimeout.TotalSeconds:0.#} s after {received:N0} bytes.");
                    }
                    catch (Exception e) when (e is IOException || e is HttpRequestException)
                    {
                        await _target.FlushAsync(cancel).ConfigureAwait(false);
                        throw new SoraNetworkException("DownloadInterrupted", SoraErrorKind.Network,
                            $"The download of task {_task?.Id} broke after {received:N0} bytes: {e.Message}", e);
                    }
                }
            }
        }

        private static PartialRecord? ReadRecord(string path)
        {
            try
            {
                // A link in the record's place says nothing about the .partial: removed, and the download starts afresh.
                if (AtomicFile.RemoveLink(path)) return null;
                return File.Exists(path) ? System.Text.Json.JsonSerializer.Deserialize<PartialRecord>(File.ReadAllText(path)) : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static string? ETagOf(HttpResponseMessage r) => r.Headers.ETag?.ToString();
        private static string? LastModifiedOf(HttpResponseMessage r) => r.Content.Headers.LastModified?.ToString("r", System.Globalization.CultureInfo.InvariantCulture);

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
