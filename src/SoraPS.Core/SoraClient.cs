using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core
{
    /// <summary>
    /// Everything one profile can do: validate, submit, query, download. The cmdlets are thin
    /// layers over this; it knows nothing of PowerShell.
    /// </summary>
    public sealed class SoraClient
    {
        private readonly Lazy<SoraHttp> _http;
        private readonly SemaphoreSlim _submitGate;

        public SoraClient(SoraProfile profile, ISoraLog log = null, RetryPolicy retry = null, Func<SoraProfile, ApiCredential> credentials = null)
        {
            Profile = profile ?? throw new ArgumentNullException(nameof(profile));
            ProfileStore.CheckBaseUri(profile.BaseUri);
            Dialect = DialectRegistry.Get(profile.Dialect);
            _submitGate = new SemaphoreSlim(profile.EffectiveConcurrency);
            Log = log ?? NullLog.Instance;
            var resolve = credentials ?? (p => ApiCredential.Resolve(p));
            // The key is read when the first request needs it, so -WhatIf works without one.
            _http = new Lazy<SoraHttp>(() => new SoraHttp(profile.BaseUri, resolve(profile), Dialect.Auth, Log, RetryFor(profile, retry))
            {
                RequestTimeout = NetworkSettings.Seconds(profile, NetworkSettings.RequestTimeoutSec) ?? NetworkSettings.DefaultReadTimeout,
            }, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>The retry policy, with the profile's MaxRetries setting (when given) deciding the number of attempts.</summary>
        private static RetryPolicy RetryFor(SoraProfile profile, RetryPolicy given)
        {
            var retries = NetworkSettings.Count(profile, NetworkSettings.MaxRetries);
            if (!retries.HasValue) return given;
            var b = given ?? RetryPolicy.Default;
            return new RetryPolicy { MaxAttempts = retries.Value + 1, BaseDelay = b.BaseDelay, MaxDelay = b.MaxDelay, MaxHintedDelay = b.MaxHintedDelay };
        }

        public SoraProfile Profile { get; }
        public SoraDialect Dialect { get; }
        public ISoraLog Log { get; }
        public SoraHttp Http => _http.Value;

        /// <summary>Where submitted tasks are recorded (null: not recorded).</summary>
        public TaskJournal Journal { get; set; }

        /// <summary>Makes sure the key can be found; throws ApiKeyMissing otherwise.</summary>
        public void EnsureCredential() => _ = _http.Value;

        public ValidatedRequest Validate(VideoRequest request) => Dialect.Validate(request, Profile);

        public async Task<SoraTask> SubmitAsync(ValidatedRequest request, CancellationToken cancel)
        {
            ProviderResponse response;
            // The profile's concurrency limit counts requests in flight at the provider; parsing and
            // journaling the answer happen outside it, so the next submission starts at once.
            await _submitGate.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                response = await Http.SendAsync(() => Dialect.BuildSubmit(Profile, request), RequestKind.Submit, cancel, SubmitTimeout).ConfigureAwait(false);
            }
            catch (SoraNetworkException e) when (e.ErrorId == "SubmissionOutcomeUnknown" && Journal != null)
            {
                var local = TryJournal(() => Journal.RecordUnconfirmed(Profile.Name, Dialect.Name, request, e.Message));
                throw new SoraNetworkException(e.ErrorId, e.Kind,
                    e.Message + (local == null ? "" : $" It is recorded in the journal as {local} (Get-SoraTask -Status Unknown)."), e);
            }
            finally
            {
                _submitGate.Release();
            }
            if (!response.IsSuccess) throw Dialect.ParseError(response);
            SoraTask task;
            try
            {
                task = Parse(() => Dialect.ParseSubmit(response, request, Profile), response, "submission");
            }
            catch (SoraProtocolException e) when (Journal != null)
            {
                // Accepted (2xx) but unreadable: the provider may be generating it. Keep a record.
                var local = TryJournal(() => Journal.RecordUnconfirmed(Profile.Name, Dialect.Name, request, e.Message));
                throw new SoraProtocolException(e.Message + (local == null ? "" : $" The submission is recorded in the journal as {local}; check the provider before resubmitting."), e.RawBody, e);
            }
            // Recorded before anyone sees the task: a crash from here on never loses its id.
            TryJournal(() => { Journal?.Record(task, "submitted"); return task.Id; });
            Log.Verbose($"Submitted {task.Id} ({Dialect.Name}, {request.Describe()}).");
            return task;
        }

        private string TryJournal(Func<string> write)
        {
            try
            {
                return write();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                Log.Warning($"Could not write the task journal in '{Journal?.Directory}': {e.Message}");
                return null;
            }
        }

        /// <summary>How long a submission may take to be answered: the profile's RequestTimeoutSec, else the dialect's default.</summary>
        public TimeSpan SubmitTimeout
        {
            get
            {
                return NetworkSettings.Seconds(Profile, NetworkSettings.RequestTimeoutSec) ?? Dialect.SubmitTimeout;
            }
        }

        /// <summary>How many tasks one list request asks for.</summary>
        public int ListPageSize { get; set; } = 100;

        /// <summary>Every task the provider lists for this account, newest first, following its paging.</summary>
        public async Task<IReadOnlyList<SoraTask>> ListAsync(int max, CancellationToken cancel)
        {
            var all = new List<SoraTask>();
            string after = null;
            while (all.Count < max)
            {
                var cursor = after;
                var response = await Http.SendAsync(() => Dialect.BuildList(Profile, cursor, Math.Min(ListPageSize, max - all.Count)), RequestKind.Read, cancel).ConfigureAwait(false);
                if (!response.IsSuccess) throw Dialect.ParseError(response);
                string next = null;
                var page = Parse(() => Dialect.ParseList(response, Profile, out next), response, "task list");
                all.AddRange(page);
                if (string.IsNullOrEmpty(next) || page.Count == 0) break;
                after = next;
            }
            return all.Count > max ? all.GetRange(0, max) : all;
        }

        public async Task<SoraTask> GetAsync(string id, CancellationToken cancel)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new SoraValidationException("InvalidTaskId", "Id", "A task id is required.");
            if (Dialect.IsSynchronous)
                throw new SoraValidationException("QueryNotSupported", "Id", $"The {Dialect.Name} dialect answers with the finished video and has no task to query; the task object New-SoraVideo emitted already holds the video link.") { Target = id };
            var response = await Http.SendAsync(() => Dialect.BuildQuery(Profile, id), RequestKind.Read, cancel).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var error = Dialect.ParseError(response);
                error.Target = id;
                throw error;
            }
            return Parse(() => Dialect.ParseTask(response, Profile), response, "task query");
        }

        /// <summary>Reads the task's current state into the same object.</summary>
        public async Task<SoraTask> RefreshAsync(SoraTask task, CancellationToken cancel)
        {
            var fresh = await GetAsync(task.Id, cancel).ConfigureAwait(false);
            var before = task.Status;
            task.UpdateFrom(fresh);
            if (task.Status != before) TryJournal(() => { Journal?.Record(task, "status"); return null; });
            return task;
        }

        /// <summary>Asks the provider to stop the task, then reads its state back.</summary>
        public async Task<SoraTask> CancelAsync(SoraTask task, CancellationToken cancel)
        {
            if (Dialect.BuildCancel(Profile, task.Id) == null)
                throw new SoraValidationException("CancelNotSupported", "Id", $"The {Dialect.Name} dialect cannot stop a task.") { Target = task };
            var response = await Http.SendAsync(() => Dialect.BuildCancel(Profile, task.Id), RequestKind.Read, cancel).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var error = Dialect.ParseError(response);
                error.Target = task;
                throw error;
            }
            return await RefreshAsync(task, cancel).ConfigureAwait(false);
        }

        /// <summary>Deletes the task and its video at the provider; the journal keeps the record.</summary>
        public async Task DeleteAsync(SoraTask task, CancellationToken cancel)
        {
            if (Dialect.BuildDelete(Profile, task.Id) == null)
                throw new SoraValidationException("DeleteNotSupported", "Id", $"The {Dialect.Name} dialect cannot delete a task.") { Target = task };
            var response = await Http.SendAsync(() => Dialect.BuildDelete(Profile, task.Id), RequestKind.Read, cancel).ConfigureAwait(false);
            if (!response.IsSuccess && response.StatusCode != 404)
            {
                var error = Dialect.ParseError(response);
                error.Target = task;
                throw error;
            }
            task.Status = SoraTaskStatus.Expired;
            task.ProviderStatus = "deleted";
            task.VideoUri = null;
            TryJournal(() => { Journal?.Record(task, "deleted"); return null; });
        }

        public Task<DownloadResult> DownloadAsync(SoraTask task, string path, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            if (task.Status != SoraTaskStatus.Succeeded)
                throw new SoraException("TaskNotFinished", SoraErrorKind.InvalidParameter, $"Task {task.Id} is {task.Status}; only a succeeded task has a video to save.") { Target = task };
            var uri = Dialect.GetDownloadUri(Profile, task, options?.Variant);
            if (uri == null)
                throw new SoraProtocolException($"Task {task.Id} succeeded but the provider gave no video link.", task.Raw);
            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new SoraProtocolException($"The video link of task {task.Id} ('{uri}') is not an http(s) address; SoraPS does not fetch it.", task.Raw);
            options = options ?? new DownloadOptions();
            options.StallTimeout = NetworkSettings.Seconds(Profile, NetworkSettings.DownloadStallSec) ?? options.StallTimeout;
            options.HeaderTimeout = NetworkSettings.Seconds(Profile, NetworkSettings.RequestTimeoutSec) ?? options.HeaderTimeout;
            options.MaxResumes = NetworkSettings.Count(Profile, NetworkSettings.MaxRetries) ?? options.MaxResumes;
            return DownloadCoreAsync(task, uri, path, options, progress, cancel);
        }

        private async Task<DownloadResult> DownloadCoreAsync(SoraTask task, Uri uri, string path, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            var result = await VideoDownloader.DownloadAsync(Http, uri, path, task, options, progress, cancel).ConfigureAwait(false);
            if (string.IsNullOrEmpty(options.Variant) || options.Variant.Equals("video", StringComparison.OrdinalIgnoreCase))
            {
                task.SavedTo = result.Path;
                TryJournal(() => { Journal?.Record(task, "saved"); return null; });
            }
            return result;
        }

        /// <summary>Runs a dialect parser; anything it throws becomes a clear error that keeps the raw body.</summary>
        private T Parse<T>(Func<T> parse, ProviderResponse response, string what)
        {
            try
            {
                return parse();
            }
            catch (SoraException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new SoraProtocolException($"The {Dialect.Name} provider's {what} answer could not be read ({e.GetType().Name}: {e.Message}).", response.Body, e);
            }
        }
    }
}
