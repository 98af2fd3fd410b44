using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Budget;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core
{
    /// <summary>What bounds a submission besides the caller's token (see <see cref="SoraClient.SubmitAsync(ValidatedRequest, Batch.SubmissionOnce?, SubmitLimits?, CancellationToken)"/>).</summary>
    public sealed class SubmitLimits
    {
        /// <summary>The command's time limit (null: none).</summary>
        public DateTimeOffset? Deadline { get; set; }

        /// <summary>Cancelled when submissions not yet sent are to be dropped (the pipeline stopped); one already out runs on.</summary>
        public CancellationToken Unsent { get; set; }
    }

    /// <summary>
    /// Everything one profile can do: validate, submit, query, download. The cmdlets are thin
    /// layers over this; it knows nothing of PowerShell.
    /// </summary>
    public sealed class SoraClient
    {
        private readonly Lazy<SoraHttp> _http;
        private readonly AdaptiveLimiter _submitGate;
        private readonly AdaptiveLimiter _downloadGate;

        public SoraClient(SoraProfile profile, ISoraLog? log = null, RetryPolicy? retry = null, Func<SoraProfile, ApiCredential>? credentials = null)
        {
            Profile = profile ?? throw new ArgumentNullException(nameof(profile));
            ProfileStore.CheckBaseUri(profile.BaseUri);
            Dialect = DialectRegistry.Get(profile.Dialect);
            _submitGate = new AdaptiveLimiter(profile.EffectiveConcurrency);
            _downloadGate = new AdaptiveLimiter(NetworkSettings.ParallelDownloads(profile));
            Log = log ?? NullLog.Instance;
            var resolve = credentials ?? (p => ApiCredential.Resolve(p));
            Rehearsing = Batch.Rehearsal.Active;
            // The key is read when the first request needs it, so -WhatIf works without one.
            // A rehearsal has no HTTP at all: what it does not simulate is refused (RehearsalNotSupported).
            _http = new Lazy<SoraHttp>(() => Rehearsing ? throw Batch.Rehearsal.NotSimulated("A request to the provider") : new SoraHttp(profile.BaseUri, resolve(profile), Dialect.Auth, Log, RetryFor(profile, retry))
            {
                RequestTimeout = NetworkSettings.Seconds(profile, NetworkSettings.RequestTimeoutSec) ?? NetworkSettings.DefaultReadTimeout,
                Throttled = (kind, hint) => { if (kind == RequestKind.Submit) _submitGate.OnThrottled(hint); },
            }, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>The retry policy, with the profile's MaxRetries setting (when given) deciding the number of attempts.</summary>
        private static RetryPolicy? RetryFor(SoraProfile profile, RetryPolicy? given)
        {
            var retries = NetworkSettings.Count(profile, NetworkSettings.MaxRetries);
            if (!retries.HasValue) return given;
            var b = given ?? RetryPolicy.Default;
            return new RetryPolicy { MaxAttempts = retries.Value + 1, BaseDelay = b.BaseDelay, MaxDelay = b.MaxDelay, MaxHintedDelay = b.MaxHintedDelay };
        }

        public SoraProfile Profile { get; }
        /// <summary>The wire adapter of the profile's dialect: requests, answers, status words, error bodies.</summary>
        public SoraDialect Dialect { get; }
        /// <summary>The models, validation and prices of the config folder's catalog (built-in and the user's models.json).</summary>
        public ModelCatalog Catalog { get; set; } = ModelCatalog.Current;
        public ISoraLog Log { get; }
        public SoraHttp Http => _http.Value;

        /// <summary>The limit on submissions in flight: the profile's MaxConcurrency is its ceiling; it halves when the provider pushes back.</summary>
        public AdaptiveLimiter SubmitLimiter => _submitGate;

        /// <summary>The limit on this profile's downloads at once: its MaxParallelDownloads setting (default 4).</summary>
        public AdaptiveLimiter DownloadLimiter => _downloadGate;

        /// <summary>Where submitted tasks are recorded (null: not recorded).</summary>
        public TaskJournal? Journal { get; set; }

        /// <summary>The clock budgets count local days and months by (null: the system's).</summary>
        public BudgetClock? BudgetClock { get; set; }

        /// <summary>A rehearsal (SORAPS_REHEARSAL): submissions, reads and downloads are simulated here; nothing goes over the network.</summary>
        public bool Rehearsing { get; }

        /// <summary>Makes sure the key can be found; throws ApiKeyMissing otherwise (a rehearsal needs none).</summary>
        public void EnsureCredential()
        {
            if (!Rehearsing) _ = _http.Value;
        }

        /// <summary>Checks a request against the catalog and the dialect (defaults filled, nothing sent); see <see cref="ModelCatalog.Validate"/>.</summary>
        public ValidatedRequest Validate(VideoRequest request) => Catalog.Validate(Dialect, request, Profile);

        /// <summary>A duration as given (a number or a CSV cell) for this profile; see <see cref="ModelCatalog.ParseDuration"/>.</summary>
        public int? ParseDuration(object? value, string? model) => Catalog.ParseDuration(Dialect, value, model, Profile);

        /// <summary>The -WhatIf cost text of a validated request; null when nothing is known of its price.</summary>
        public string? EstimateCost(ValidatedRequest request) => Catalog.EstimateCost(Dialect, request);

        /// <summary>
        /// Sends one paid submission. The journal holds it (under a local submission id) before the request
        /// leaves; the provider's answer gives it its task id. Whatever ends it without a readable answer
        /// (a time-out, a broken connection, a 502/503/504 from a gateway, an unreadable 2xx, Ctrl+C, a killed
        /// process) leaves it Unknown in the journal, and it is never re-sent.
        /// </summary>
        public Task<SoraTask> SubmitAsync(ValidatedRequest request, CancellationToken cancel) => SubmitAsync(request, null, cancel);

        /// <summary>
        /// As above, for a batch row: its key and file are journaled with the submission and kept on the task. With a
        /// checked key (New-SoraVideo -Once) the key is looked up under the journal lock in the same step that writes the
        /// submission's line: when it is already journaled for a submission that has not failed, that task is returned
        /// and nothing is sent (<see cref="Batch.SubmissionOnce.Existing"/> says so).
        /// </summary>
        public Task<SoraTask> SubmitAsync(ValidatedRequest request, Batch.SubmissionOnce? once, CancellationToken cancel) => SubmitAsync(request, once, null, cancel);

        /// <summary>
        /// As above, within <paramref name="limits"/>: a command's time limit bounds the wait for a slot, the request and
        /// any retry's back-off (a submission it cuts while out stays Unknown, as any other; one it cuts before sending
        /// was not sent), and the submission is dropped, unsent, when <see cref="SubmitLimits.Unsent"/> is cancelled
        /// before it leaves. <paramref name="cancel"/> stops it wherever it is.
        /// </summary>
        public async Task<SoraTask> SubmitAsync(ValidatedRequest request, Batch.SubmissionOnce? once, SubmitLimits? limits, CancellationToken cancel)
        {
            ProviderResponse response;
            string? local = null;
            var deadline = limits?.Deadline;
            var unsent = limits?.Unsent ?? CancellationToken.None;
            await LearnSourceLengthAsync(request, deadline, cancel).ConfigureAwait(false);
            // The profile's concurrency limit counts requests in flight at the provider; parsing and
            // journaling the answer happen outside it, so the next submission starts at once.
            await WaitForSlotAsync(deadline, unsent, cancel).ConfigureAwait(false);
            try
            {
                cancel.ThrowIfCancellationRequested();
                unsent.ThrowIfCancellationRequested();
                if (TimeLimit.HasPassed(deadline))
                    throw TimeLimit.Passed("The time limit passed before the submission could be sent; it was not sent.");
                // The journal line is written before the request leaves, or nothing is sent (JournalUnwritable); with a
                // budget, the check and the reservation are one step under the journal lock (BudgetExceeded: nothing sent),
                // and so is -Once's look-up of the row's key.
                local = BudgetGuard.BeginSubmission(Journal, Profile, Dialect, request, BudgetClock, once);
                if (once?.Existing != null) return once.Existing.ToTask(); // journaled already: nothing sent
                if (Rehearsing) return Recorded(local, Batch.Rehearsal.Submit(Profile, Dialect, request), once, request);
                Retirement.WarnIfRetired(Dialect, request, Log);
                response = await Http.SendAsync(() => Dialect.BuildSubmit(Profile, request), RequestKind.Submit, cancel, SubmitTimeout, deadline).ConfigureAwait(false);
            }
            catch (SoraNetworkException e) when (e.ErrorId == SubmissionOutcome.UnknownId)
            {
                MarkUnknown(local, e.Kind, e.ErrorId, e.Message);
                // Cut by the command's time limit: the time-out it is, journaled Unknown as any other.
                if (TimeLimit.HasPassed(deadline - DeadlineSlack)) throw TimeLimit.Passed(e.Message + Where(local), e);
                throw new SoraNetworkException(e.ErrorId, e.Kind, e.Message + Where(local), e);
            }
            catch (SoraException e)
            {
                // Not sent, or refused before it could be accepted (a refused connection).
                MarkRefused(local, e);
                throw;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Stopped (Ctrl+C, Stop-Job) while the request may have been out: it stays Unknown.
                MarkUnknown(local, SoraErrorKind.Cancelled, SubmissionOutcome.UnknownId, SubmissionOutcome.Stopped);
                throw;
            }
            finally
            {
                _submitGate.Release();
            }
            Retirement.WarnOnHeaders(Dialect, request.Model, response, Log);
            if (!response.IsSuccess) throw NotAccepted(response, local, request.Model);
            _submitGate.OnSuccess();
            SoraTask task;
            try
            {
                task = Parse(() => Dialect.ParseSubmit(response, request, Profile), response, "submission");
            }
            catch (SoraProtocolException e)
            {
                // Accepted (2xx) but unreadable: the provider may be generating it.
                MarkUnknown(local, e.Kind, e.ErrorId, e.Message);
                throw new SoraProtocolException(e.Message + Where(local) + " Check the provider before resubmitting.", e.RawBody, e);
            }
            return Recorded(local, task, once, request);
        }

        /// <summary>
        /// An edit (or a remix the provider makes at its source's length) of a video given by id is priced at the source's
        /// length: read from the provider here, before the journal line and the budget check. When it cannot be read, the
        /// request stays unpriced and <see cref="ValidatedRequest.SourceLengthProblem"/> says why (a budget then refuses it).
        /// </summary>
        private async Task LearnSourceLengthAsync(ValidatedRequest request, DateTimeOffset? deadline, CancellationToken cancel)
        {
            if (!request.LengthFromSource || request.Duration.HasValue || Rehearsing || string.IsNullOrEmpty(request.SourceId)) return;
            if (!Dialect.Capabilities.Has(DialectOperation.Query))
            {
                request.SourceLengthProblem = $"the {Dialect.Name} dialect cannot read a task back to learn it";
                return;
            }
            try
            {
                var source = await GetAsync(request.SourceId!, deadline, cancel).ConfigureAwait(false);
                if (source.Duration > 0) request.Duration = source.Duration;
                else request.SourceLengthProblem = $"the provider's answer about {request.SourceId} gives no length";
            }
            catch (SoraException e) when (!cancel.IsCancellationRequested)
            {
                request.SourceLengthProblem = $"reading {request.SourceId} from the provider failed: {e.Message}";
            }
            Log.Verbose(request.Duration.HasValue
                ? $"The source video {request.SourceId} is {request.Duration} s long; the request is priced at that length."
                : $"The length of the source video {request.SourceId} is not known ({request.SourceLengthProblem}).");
        }

        /// <summary>How early a timer may end before the deadline it was set for and still count as the deadline.</summary>
        private static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(250);

        /// <summary>Waits for a submission slot: until the deadline (then WaitTimeout, nothing sent), or until <paramref name="unsent"/> drops it.</summary>
        private async Task WaitForSlotAsync(DateTimeOffset? deadline, CancellationToken unsent, CancellationToken cancel)
        {
            using (var slot = CancellationTokenSource.CreateLinkedTokenSource(cancel, unsent))
            {
                var left = TimeLimit.Left(deadline);
                if (left.HasValue) slot.CancelAfter(left.Value);
                try
                {
                    await _submitGate.WaitAsync(slot.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancel.IsCancellationRequested && !unsent.IsCancellationRequested)
                {
                    throw TimeLimit.Passed($"The time limit passed while the submission waited for one of the profile's {_submitGate.Limit} submission slots; it was not sent.", e);
                }
            }
        }

        /// <summary>The accepted task, journaled before anyone sees it: a crash from here on never loses its id.</summary>
        private SoraTask Recorded(string? local, SoraTask task, Batch.SubmissionOnce? once, ValidatedRequest request)
        {
            if (once != null)
            {
                task.Key = once.Key;
                task.OutFile = once.OutFile;
            }
            if (local != null) TryJournal(() => { Journal?.CompleteSubmission(local, task); return task.Id; });
            else TryJournal(() => { Journal?.Record(task, JournalEvents.Submitted); return task.Id; });
            Log.Verbose($"Submitted {task.Id} ({Dialect.Name}{(Rehearsing ? ", rehearsal" : "")}, {request.Describe()}).");
            return task;
        }

        /// <summary>A submission answered with an error: refused, or (a gateway's 502, 503, 504) perhaps accepted upstream.</summary>
        private SoraException NotAccepted(ProviderResponse response, string? local, string model)
        {
            // A model the provider switched off is ModelRetired, naming its replacement where the provider does.
            var error = Retirement.Refine(Dialect.ParseError(response), response, model);
            if (!RetryPolicy.IsGatewayStatus(response.StatusCode))
            {
                MarkRefused(local, error);
                return error;
            }
            var unknown = SubmissionOutcome.Gateway(response.StatusCode, response.RequestUri, error);
            MarkUnknown(local, unknown.Kind, unknown.ErrorId, unknown.Message);
            return new SoraNetworkException(unknown.ErrorId, unknown.Kind, unknown.Message + Where(local), error);
        }

        private static string Where(string? local) =>
            local == null ? "" : $" It is journaled as {local} with status Unknown (Get-SoraTask -Status Unknown; Resolve-SoraTask looks for it at the provider).";

        private void MarkUnknown(string? local, SoraErrorKind kind, string errorId, string reason)
        {
            if (local != null) TryJournal(() => { Journal?.MarkUnknown(local, Profile.Name, Dialect.Name, kind.ToString(), errorId, reason); return local; });
        }

        private void MarkRefused(string? local, SoraException e)
        {
            if (local != null) TryJournal(() => { Journal?.MarkRefused(local, Profile.Name, Dialect.Name, e.Kind.ToString(), e.ErrorId, e.Message); return local; });
        }

        private string? TryJournal(Func<string?> write)
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
        public Task<IReadOnlyList<SoraTask>> ListAsync(int max, CancellationToken cancel) => ListAsync(max, false, cancel);

        /// <summary>Every task the provider lists for this account, oldest first when <paramref name="ascending"/>, following its paging.</summary>
        public async Task<IReadOnlyList<SoraTask>> ListAsync(int max, bool ascending, CancellationToken cancel)
        {
            Dialect.Require(DialectOperation.List, "List");
            if (ascending) Dialect.Require(DialectOperation.ListOrder, "Order");
            var all = new List<SoraTask>();
            string? after = null;
            while (all.Count < max)
            {
                var cursor = after;
                var response = await Http.SendAsync(() => Dialect.BuildList(Profile, cursor, Math.Min(ListPageSize, max - all.Count), ascending), RequestKind.Read, cancel).ConfigureAwait(false);
                if (!response.IsSuccess) throw (SoraException?)MissingRoute.Check(response, Dialect, DialectOperation.List, "GET", "List", null) ?? Dialect.ParseError(response);
                string? next = null;
                var page = Parse(() => Dialect.ParseList(response, Profile, out next), response, "task list");
                all.AddRange(page);
                if (string.IsNullOrEmpty(next) || page.Count == 0) break;
                after = next;
            }
            return all.Count > max ? all.GetRange(0, max) : all;
        }

        /// <summary>How far apart this machine's clock and the provider's may be when matching a submission.</summary>
        public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

        /// <summary>
        /// The tasks at the provider that could be the unresolved submission <paramref name="entry"/>: the
        /// same prompt and settings, created after it was sent, and not already journaled under another
        /// submission. Reads the provider's list newest first and stops at tasks older than the submission.
        /// </summary>
        public async Task<IReadOnlyList<SoraTask>> FindSubmissionAsync(JournalEntry entry, CancellationToken cancel, int maxListed = 1000)
        {
            if (!Dialect.Capabilities.Has(DialectOperation.List))
                throw new SoraValidationException("ListNotSupported", "InputObject",
                    $"The {Dialect.Name} dialect has no task list to look submission {entry.Id} up in. Look for a task with the prompt '{entry.Prompt}' created after {entry.SubmittedAt:u} in the provider's console.") { Target = entry.Id };
            var since = (entry.SubmittedAt ?? entry.UpdatedAt ?? DateTimeOffset.MinValue) - ClockSkew;
            var known = new HashSet<string>(StringComparer.Ordinal);
            if (Journal != null)
                foreach (var e in Journal.Read(new JournalFilter { Profile = Profile.Name, Since = since }))
                    known.Add(e.Id);
            var matches = new List<SoraTask>();
            string? after = null;
            var listed = 0;
            while (listed < maxListed)
            {
                var cursor = after;
                var response = await Http.SendAsync(() => Dialect.BuildList(Profile, cursor, ListPageSize), RequestKind.Read, cancel).ConfigureAwait(false);
                if (!response.IsSuccess) throw (SoraException?)MissingRoute.Check(response, Dialect, DialectOperation.List, "GET", "InputObject", entry.Id) ?? Dialect.ParseError(response);
                string? next = null;
                var page = Parse(() => Dialect.ParseList(response, Profile, out next), response, "task list");
                listed += page.Count;
                var older = false;
                foreach (var t in page)
                {
                    if (t.CreatedAt.HasValue && t.CreatedAt.Value < since) { older = true; continue; }
                    if (!known.Contains(t.Id) && SameRequest(entry, t)) matches.Add(t);
                }
                if (older || string.IsNullOrEmpty(next) || page.Count == 0) break;
                after = next;
            }
            return matches;
        }

        private static bool SameRequest(JournalEntry e, SoraTask t)
        {
            bool Same(string? a, string? b) => a == null || a.Length == 0 || b == null || b.Length == 0 || string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
            return t.Prompt != null && string.Equals((e.Prompt ?? "").Trim(), t.Prompt.Trim(), StringComparison.Ordinal) &&
                   Same(e.Model, t.Model) && Same(e.AspectRatio, t.AspectRatio) && Same(e.Resolution, t.Resolution) &&
                   (!e.Duration.HasValue || !t.Duration.HasValue || e.Duration == t.Duration);
        }

        /// <summary>Records that the unresolved submission <paramref name="entry"/> is the provider's task <paramref name="task"/>.</summary>
        public SoraTask RecordResolution(JournalEntry entry, SoraTask task)
        {
            task.Prompt = task.Prompt ?? entry.Prompt;
            Journal?.CompleteSubmission(entry.Id, task, JournalEvents.Resolved);
            Log.Verbose($"Submission {entry.Id} is {task.Id} at the provider.");
            return task;
        }

        /// <summary>
        /// Makes a character from a video file (mp4, mov or webm): checked before anything is sent (the dialect has
        /// characters, the name has 1-80 characters, the file exists). Sent once: a character is not re-created on a retry.
        /// </summary>
        public async Task<SoraCharacter> CreateCharacterAsync(string videoPath, string name, CancellationToken cancel)
        {
            CheckCharacter(videoPath, name);
            var response = await Http.SendAsync(() => Dialect.BuildCreateCharacter(Profile, videoPath, name), RequestKind.Submit, cancel, SubmitTimeout).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var error = Dialect.ParseError(response);
                error.Target = name;
                throw error;
            }
            return Parse(() => Dialect.ParseCharacter(response, Profile), response, "character");
        }

        /// <summary>The checks <see cref="CreateCharacterAsync"/> makes before sending (also for -WhatIf).</summary>
        public void CheckCharacter(string videoPath, string name)
        {
            Dialect.Require(DialectOperation.Characters, "Video", name);
            if (string.IsNullOrWhiteSpace(name) || name.Length > SoraCharacter.MaxNameLength)
                throw new SoraValidationException("InvalidCharacterName", "Name",
                    $"A character's name has 1 to {SoraCharacter.MaxNameLength} characters; '{name}' has {name?.Length ?? 0}.") { Target = name };
            if (string.IsNullOrEmpty(videoPath) || !System.IO.File.Exists(videoPath))
                throw new SoraValidationException("VideoNotFound", "Video", $"The video file '{videoPath}' does not exist.") { Target = videoPath };
            var ext = System.IO.Path.GetExtension(videoPath).ToLowerInvariant();
            if (ext != ".mp4" && ext != ".mov" && ext != ".webm")
                throw new SoraValidationException("InvalidVideoType", "Video", $"The video '{videoPath}' must be .mp4, .mov or .webm.") { Target = videoPath };
        }

        public async Task<SoraCharacter> GetCharacterAsync(string id, CancellationToken cancel)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new SoraValidationException("InvalidCharacterId", "Id", "A character id is required.");
            Dialect.Require(DialectOperation.Characters, "Id", id);
            var response = await Http.SendAsync(() => Dialect.BuildGetCharacter(Profile, id), RequestKind.Read, cancel).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var error = Dialect.ParseError(response);
                error.Target = id;
                throw error;
            }
            return Parse(() => Dialect.ParseCharacter(response, Profile), response, "character");
        }

        public Task<SoraTask> GetAsync(string id, CancellationToken cancel) => GetAsync(id, null, cancel);

        /// <summary>Reads a task; with a <paramref name="deadline"/> (a command's time limit) the request and its retries end by then (WaitTimeout).</summary>
        public async Task<SoraTask> GetAsync(string id, DateTimeOffset? deadline, CancellationToken cancel)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new SoraValidationException("InvalidTaskId", "Id", "A task id is required.");
            Dialect.Require(DialectOperation.Query, "Id", id);
            if (Rehearsing) return Batch.Rehearsal.Get(Profile, Dialect, id);
            var response = await Http.SendAsync(() => Dialect.BuildQuery(Profile, id), RequestKind.Read, cancel, null, deadline).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var missing = MissingRoute.Check(response, Dialect, DialectOperation.Query, "GET", "Id", id);
                if (missing != null) throw missing;
                var error = Dialect.ParseError(response);
                error.Target = id;
                throw error;
            }
            var task = Parse(() => Dialect.ParseTask(response, Profile), response, "task query");
            if (!string.Equals(task.Id, id, StringComparison.Ordinal))
                throw new SoraProtocolException($"Asked for task {id}, the provider answered about task {task.Id}; nothing of that answer was used.", response.Body) { Target = id };
            return task;
        }

        /// <summary>Reads the task's current state into the same object.</summary>
        public Task<SoraTask> RefreshAsync(SoraTask task, CancellationToken cancel) => RefreshAsync(task, null, cancel);

        /// <summary>As above, ending by <paramref name="deadline"/> when one is given.</summary>
        public async Task<SoraTask> RefreshAsync(SoraTask task, DateTimeOffset? deadline, CancellationToken cancel)
        {
            var fresh = await GetAsync(task.Id, deadline, cancel).ConfigureAwait(false);
            var before = task.Status;
            task.UpdateFrom(fresh);
            if (task.Status != before) TryJournal(() => { Journal?.Record(task, JournalEvents.Status); return null; });
            return task;
        }

        /// <summary>Asks the provider to stop the task, then reads its state back.</summary>
        public async Task<SoraTask> CancelAsync(SoraTask task, CancellationToken cancel)
        {
            Dialect.Require(DialectOperation.Cancel, "Id", task);
            var response = await Http.SendAsync(() => Dialect.BuildCancel(Profile, task.Id), RequestKind.Read, cancel).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                var missing = MissingRoute.Check(response, Dialect, DialectOperation.Cancel, "POST", "Id", task);
                if (missing != null) throw missing;
                var error = Dialect.ParseError(response);
                error.Target = task;
                throw error;
            }
            return await RefreshAsync(task, cancel).ConfigureAwait(false);
        }

        /// <summary>Deletes the task and its video at the provider; the journal keeps the record.</summary>
        public async Task DeleteAsync(SoraTask task, CancellationToken cancel)
        {
            Dialect.Require(DialectOperation.Delete, "Id", task);
            var response = await Http.SendAsync(() => Dialect.BuildDelete(Profile, task.Id), RequestKind.Read, cancel).ConfigureAwait(false);
            // A relay without the route answers 404 too: that is not "already gone", and nothing is marked deleted.
            var missing = response.IsSuccess ? null : MissingRoute.Check(response, Dialect, DialectOperation.Delete, "DELETE", "Id", task);
            if (missing != null) throw missing;
            if (!response.IsSuccess && response.StatusCode != 404)
            {
                var error = Dialect.ParseError(response);
                error.Target = task;
                throw error;
            }
            task.Status = SoraTaskStatus.Expired;
            task.ProviderStatus = "deleted";
            task.VideoUri = null;
            TryJournal(() => { Journal?.Record(task, JournalEvents.Deleted); return null; });
        }

        public Task<DownloadResult> DownloadAsync(SoraTask task, string path, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            if (task.Status != SoraTaskStatus.Succeeded)
                throw new SoraException("TaskNotFinished", SoraErrorKind.InvalidParameter, $"Task {task.Id} is {task.Status}; only a succeeded task has a video to save.") { Target = task };
            if (Rehearsing) return DownloadCoreAsync(task, null, path, options ?? new DownloadOptions(), progress, cancel);
            var output = options?.Output ?? 0;
            if (output > 0 && (task.VideoUris == null || output >= task.VideoUris.Length))
                throw new SoraException("OutputNotFound", SoraErrorKind.InvalidParameter, $"Task {task.Id} made {task.VideoUris?.Length ?? 1} video(s); there is no video #{output + 1}.") { Target = task };
            var uri = output > 0 ? task.VideoUris![output] : Dialect.GetDownloadUri(Profile, task, options?.Variant, options?.Quality);
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

        private async Task<DownloadResult> DownloadCoreAsync(SoraTask task, Uri? uri, string path, DownloadOptions options, IProgress<DownloadProgress> progress, CancellationToken cancel)
        {
            DownloadResult result;
            if (Rehearsing)
            {
                result = Batch.Rehearsal.Download(task, path, options);
            }
            else
            {
                await _downloadGate.WaitAsync(cancel).ConfigureAwait(false);
                try
                {
                    result = await VideoDownloader.DownloadAsync(Http, uri!, path, task, options, progress, cancel).ConfigureAwait(false);
                }
                finally
                {
                    _downloadGate.Release();
                }
            }
            if (options.Output == 0 && (string.IsNullOrEmpty(options.Variant) || string.Equals(options.Variant, "video", StringComparison.OrdinalIgnoreCase)))
            {
                task.SavedTo = result.Path;
                TryJournal(() => { Journal?.Record(task, JournalEvents.Saved); return null; });
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
