using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// One provider dialect: its validation table, how a request maps to HTTP, and how the
    /// provider's JSON maps back to a <see cref="SoraTask"/>. Adding a dialect is adding one subclass.
    /// </summary>
    public abstract class SoraDialect
    {
        public abstract string Name { get; }
        /// <summary>A short line for help and completion.</summary>
        public abstract string Description { get; }
        /// <summary>The model catalog: what each model accepts and costs.</summary>
        public abstract IReadOnlyList<ModelSpec> Models { get; }
        /// <summary>The provider's status words and their meaning.</summary>
        public abstract StatusTable Statuses { get; }
        /// <summary>What the dialect can do; checked in one place (<see cref="DialectCapabilities.Require"/>).</summary>
        public abstract DialectCapabilities Capabilities { get; }
        public virtual string DefaultModel => Models[0].Name;
        public virtual AuthScheme Auth => AuthScheme.Bearer;
        /// <summary>How long a submission may take to be answered.</summary>
        public virtual TimeSpan SubmitTimeout => TimeSpan.FromMinutes(2);
        /// <summary>How long a result link stays valid when the provider does not say.</summary>
        public virtual TimeSpan? LinkLifetime => null;
        /// <summary>Documented body fields a -ProviderOption may carry, with the type each is checked for.</summary>
        public virtual IReadOnlyList<ProviderOption> ProviderOptions => Array.Empty<ProviderOption>();
        /// <summary>The settings this dialect's own requests read (the network settings are common to all).</summary>
        protected virtual IEnumerable<SettingDeclaration> OwnSettings => Array.Empty<SettingDeclaration>();

        private IReadOnlyList<SettingDeclaration>? _settings;
        /// <summary>Every setting a profile of this dialect may carry: the common network limits, then the dialect's own.</summary>
        public IReadOnlyList<SettingDeclaration> Settings => _settings ?? (_settings = NetworkSettings.Declarations.Concat(OwnSettings).ToList());

        /// <summary>Refuses an operation the dialect lacks (the one place capabilities are checked).</summary>
        public void Require(DialectOperation operation, string parameter, object? target = null) =>
            Capabilities.Require(operation, Name, parameter, target);

        /// <summary>The catalog model for a name, through the profile's aliases.</summary>
        public ModelSpec GetModel(string? model, SoraProfile? profile) => GetModel(profile?.CatalogModel(model) ?? model);

        /// <summary>
        /// The models this dialect offers: the built-in table with the user's models (models.json in the config
        /// folder) in place of built-in ones of the same name, and after them. Validation, cost estimates,
        /// completion and Get-SoraModel all read this.
        /// </summary>
        public IReadOnlyList<ModelSpec> Catalog => ModelStore.Current.Catalog(this);

        public ModelSpec GetModel(string? model)
        {
            var catalog = Catalog;
            var spec = catalog.FirstOrDefault(m => m.Accepts(model));
            if (spec != null) return spec;
            throw new SoraValidationException("UnknownModel", "Model",
                $"The {Name} dialect has no model '{model}'. Allowed: {string.Join(", ", catalog.Select(m => m.Name))}.");
        }

        /// <summary>The pixel size (WIDTHxHEIGHT) the provider makes for an aspect ratio and resolution, where it says; else null.</summary>
        public virtual string? SizeOf(string aspectRatio, string resolution) => null;

        /// <summary>
        /// Reads a duration as it was given: a number, or the text of a CSV cell. Only whole seconds are accepted;
        /// empty and 0 mean the default (null); anything else is InvalidDuration naming the model's durations.
        /// </summary>
        public int? ParseDuration(object? value, string? model, SoraProfile? profile) => RequestValidation.ParseDuration(this, value, model, profile);

        /// <summary>
        /// Checks every value against the model's table and fills defaults (request, then profile, then model).
        /// Throws <see cref="SoraValidationException"/> naming the allowed values; sends nothing.
        /// </summary>
        public ValidatedRequest Validate(VideoRequest request, SoraProfile? profile) => RequestValidation.Validate(this, request, profile);

        /// <summary>Dialect-specific rules beyond the table (for example field combinations).</summary>
        protected virtual void ValidateMore(ValidatedRequest request, ModelSpec spec) { }

        internal void CheckMore(ValidatedRequest request, ModelSpec spec) => ValidateMore(request, spec);

        // ----- HTTP mapping -----

        public abstract HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest request);

        /// <summary>Reads the submission answer into a task (parsing errors are wrapped by the caller).</summary>
        public abstract SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile);

        /// <summary>A task's status request (dialects with <see cref="DialectOperation.Query"/>).</summary>
        public virtual HttpRequestMessage BuildQuery(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Query);

        public virtual SoraTask ParseTask(ProviderResponse response, SoraProfile profile) => throw Undeclared(DialectOperation.Query);

        /// <summary>Asks the provider to stop a task (dialects with <see cref="DialectOperation.Cancel"/>).</summary>
        public virtual HttpRequestMessage BuildCancel(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Cancel);

        /// <summary>Asks the provider to delete a task and its video (dialects with <see cref="DialectOperation.Delete"/>).</summary>
        public virtual HttpRequestMessage BuildDelete(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Delete);

        /// <summary>Lists the provider's tasks, one page at a time (<paramref name="after"/>: the cursor).</summary>
        public virtual HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit) => throw Undeclared(DialectOperation.List);

        /// <summary>Reads one page of the task list; <paramref name="next"/> is null on the last page.</summary>
        public virtual IReadOnlyList<SoraTask> ParseList(ProviderResponse response, SoraProfile profile, out string? next) => throw Undeclared(DialectOperation.List);

        /// <summary>A character made from a video file (dialects with <see cref="DialectOperation.Characters"/>).</summary>
        public virtual HttpRequestMessage BuildCreateCharacter(SoraProfile profile, string videoPath, string name) => throw Undeclared(DialectOperation.Characters);

        /// <summary>Reads one character (dialects with <see cref="DialectOperation.Characters"/>).</summary>
        public virtual HttpRequestMessage BuildGetCharacter(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Characters);

        public virtual SoraCharacter ParseCharacter(ProviderResponse response, SoraProfile profile) => throw Undeclared(DialectOperation.Characters);

        /// <summary>A list request that names its order (dialects with <see cref="DialectOperation.ListOrder"/>).</summary>
        public virtual HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit, bool ascending) =>
            ascending ? throw Undeclared(DialectOperation.ListOrder) : BuildList(profile, after, limit);

        /// <summary>A builder was called for an operation the dialect does not declare: callers check <see cref="Require"/> first.</summary>
        private InvalidOperationException Undeclared(DialectOperation operation) =>
            new InvalidOperationException($"The {Name} dialect does not declare {operation}; check Capabilities before building the request.");

        /// <summary>
        /// What the request will cost, as far as the provider's published billing rule tells; null when unknown.
        /// </summary>
        public virtual string? EstimateCost(ValidatedRequest request)
        {
            var spec = request.Spec;
            if (request.Operation == "edit" && !request.Duration.HasValue)
            {
                // An edit is priced like a generation of its source's length, which is not known here.
                if (spec.UsdPerSecond != null && spec.UsdPerSecond.TryGetValue(request.Resolution ?? spec.DefaultResolution, out var perSecond))
                    return string.Format(System.Globalization.CultureInfo.InvariantCulture, "the source video's length x ${0:0.00}/s at list price (its length is not known here: pass the task instead of its id)", perSecond);
                return null;
            }
            var seconds = request.Duration ?? spec.DefaultDuration;
            if (spec.UsdPerSecond != null && spec.UsdPerSecond.TryGetValue(request.Resolution ?? spec.DefaultResolution, out var rate))
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, "about ${0:0.00} at list price ({1} s x ${2:0.00}/s)", seconds * rate, seconds, rate);
            if (spec.ResolutionPriceFactor != null && spec.ResolutionPriceFactor.TryGetValue(request.Resolution ?? spec.DefaultResolution, out var factor))
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, "billed by duration ({0} s); {1} costs {2:0.###}x the standard price", seconds, request.Resolution, factor);
            return null;
        }

        /// <summary>Where a finished task's file can be downloaded from; the variant is checked against <see cref="Capabilities"/>.</summary>
        public Uri? GetDownloadUri(SoraProfile profile, SoraTask task, string? variant) => GetDownloadUri(profile, task, variant, null);

        /// <summary>As <see cref="GetDownloadUri(SoraProfile, SoraTask, string)"/>, asking for a quality the dialect declares (sent as its quality query parameter).</summary>
        public Uri? GetDownloadUri(SoraProfile profile, SoraTask task, string? variant, string? quality)
        {
            var uri = DownloadUri(profile, task, Capabilities.Variant(variant, Name));
            var q = Capabilities.Quality(quality, Name);
            if (uri == null || q == null) return uri;
            return new Uri(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + "quality=" + Uri.EscapeDataString(q));
        }

        /// <summary>The link of one declared variant; by default the task's own video link.</summary>
        protected virtual Uri? DownloadUri(SoraProfile profile, SoraTask task, DownloadVariant variant) => task.VideoUri;

        /// <summary>
        /// Turns an error answer into an exception with a kind scripts can test. Reads the common
        /// <c>{"error":{message,type,code,param}}</c> shape; dialects with other shapes override.
        /// </summary>
        public virtual SoraApiException ParseError(ProviderResponse response)
        {
            string? message = null, code = null, type = null, param = null, suggestion = null, innerCode = null, revised = null;
            using (var doc = Json.TryParse(response.Body))
            {
                if (doc != null && doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var root = doc.RootElement;
                    var err = root.Prop("error");
                    if (err?.ValueKind == JsonValueKind.Object)
                    {
                        message = err.Value.Str("message");
                        code = err.Value.Str("code");
                        type = err.Value.Str("type");
                        param = err.Value.Str("param");
                        suggestion = err.Value.Str("fallback_suggestion");
                    }
                    else if (err?.ValueKind == JsonValueKind.String)
                    {
                        message = err.Value.GetString();
                    }
                    message = message ?? root.Str("message") ?? root.Str("msg") ?? root.Str("detail");
                    code = code ?? root.Str("code");
                    type = type ?? root.Str("type");
                    param = param ?? root.Str("param");
                    // Azure: an upstream error (the content filter) under inner_error, in the error object or at the top.
                    var inner = err?.ValueKind == JsonValueKind.Object ? err.Value.Prop("inner_error") : null;
                    inner = inner?.ValueKind == JsonValueKind.Object ? inner : root.Prop("inner_error");
                    if (inner?.ValueKind == JsonValueKind.Object)
                    {
                        innerCode = inner.Value.Str("code");
                        revised = inner.Value.Str("revised_prompt");
                    }
                }
            }
            var kind = string.Equals(innerCode, ResponsibleAIPolicyViolation, StringComparison.OrdinalIgnoreCase)
                ? SoraErrorKind.ContentModeration : KindOf(response.StatusCode, code, type);
            var text = new StringBuilder();
            text.Append(Name).Append(" provider answered ").Append(response.StatusCode);
            if (!string.IsNullOrEmpty(type) || !string.IsNullOrEmpty(code))
                text.Append(" (").Append(string.Join(", ", new[] { type, code }.Where(s => !string.IsNullOrEmpty(s)).Distinct())).Append(')');
            text.Append(": ").Append(string.IsNullOrEmpty(message) ? Truncate(response.Body, 300) : message);
            if (!string.IsNullOrEmpty(param)) text.Append(" [parameter: ").Append(param).Append(']');
            if (!string.IsNullOrEmpty(innerCode)) text.Append(" [").Append(innerCode).Append(']');
            if (!string.IsNullOrEmpty(revised)) text.Append(" Revised prompt: ").Append(revised);
            if (!string.IsNullOrEmpty(suggestion)) text.Append(" Suggestion: ").Append(suggestion);
            var ex = new SoraApiException(kind, response.StatusCode, code ?? type, Redactor.Redact(text.ToString()), Redactor.Redact(response.Body));
            ex.RetryAfter = RetryPolicy.ParseRetryHint(response.Header, DateTimeOffset.UtcNow);
            ex.Param = param;
            ex.ErrorType = type;
            ex.InnerCode = innerCode;
            ex.RevisedPrompt = revised == null ? null : Redactor.Redact(revised);
            return ex;
        }

        /// <summary>Azure's inner_error.code for a prompt or image its content filter refused.</summary>
        public const string ResponsibleAIPolicyViolation = "ResponsibleAIPolicyViolation";

        /// <summary>
        /// The kind of an error answer: the provider's code, then its type word, then the HTTP status.
        /// 401 is always authentication and 402 quota; 429 is a rate limit unless the code says quota.
        /// </summary>
        internal static SoraErrorKind KindOf(int status, string? code, string? type)
        {
            var kind = ErrorIds.KindFromCode(code);
            if (kind == SoraErrorKind.Unknown) kind = ErrorIds.KindFromCode(type);
            if (kind == SoraErrorKind.Unknown) kind = ErrorIds.KindFromStatus(status);
            if (status == 401) return SoraErrorKind.Authentication;
            if (status == 402) return SoraErrorKind.Quota;
            if (status == 429 && kind != SoraErrorKind.Quota) return SoraErrorKind.RateLimit;
            return kind;
        }

        // ----- helpers for subclasses -----

        /// <summary>
        /// A result URL as the provider gave it: an absolute http(s) URL as is; a relative one resolved
        /// against the profile's BaseUri; anything else (file:, ftp:, ...) refused as UnexpectedResponse.
        /// </summary>
        public static Uri? ResultUri(SoraProfile profile, string? text, string? rawBody)
        {
            if (text == null || string.IsNullOrWhiteSpace(text)) return null;
            text = text.Trim();
            // On Unix "/files/x.mp4" parses as an absolute file: URI; for a provider it is a path on its own host.
            if (!text.StartsWith("/", StringComparison.Ordinal) && Uri.TryCreate(text, UriKind.Absolute, out var absolute))
            {
                if (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps) return absolute;
                throw new SoraProtocolException($"The provider gave the result URL '{text}', which is not an http(s) address; SoraPS does not fetch it.", rawBody);
            }
            var b = (profile.BaseUri ?? throw new ArgumentException("The profile has no BaseUri to resolve a relative result URL against.", nameof(profile))).AbsoluteUri;
            if (Uri.TryCreate(text, UriKind.Relative, out var relative) &&
                Uri.TryCreate(new Uri(b.EndsWith("/", StringComparison.Ordinal) ? b : b + "/"), relative, out var resolved) &&
                (resolved.Scheme == Uri.UriSchemeHttp || resolved.Scheme == Uri.UriSchemeHttps))
                return resolved;
            throw new SoraProtocolException($"The provider gave the result URL '{text}', which is not a usable address.", rawBody);
        }

        /// <summary>Joins the profile base URI and an endpoint path, tolerating a base that already ends in /v1.</summary>
        public static Uri Endpoint(Uri? baseUri, string path)
        {
            if (baseUri == null) throw new ArgumentNullException(nameof(baseUri), "The profile has no BaseUri.");
            var b = baseUri.AbsoluteUri.TrimEnd('/');
            var p = path.TrimStart('/');
            if (b.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) && p.StartsWith("v1/", StringComparison.OrdinalIgnoreCase)) p = p.Substring(3);
            if (b.EndsWith("/v2", StringComparison.OrdinalIgnoreCase) && p.StartsWith("v2/", StringComparison.OrdinalIgnoreCase)) p = p.Substring(3);
            return new Uri(b + "/" + p);
        }

        protected static HttpRequestMessage JsonPost(Uri uri, Dictionary<string, object?> body, IDictionary<string, object?>? extra)
        {
            MergeOptions(body, extra);
            var json = JsonSerializer.Serialize(body);
            return new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }

        /// <summary>-ProviderOption fields win over mapped ones: the user asked for them explicitly.</summary>
        protected static void MergeOptions(Dictionary<string, object?> body, IDictionary<string, object?>? extra)
        {
            if (extra == null) return;
            foreach (var kv in extra) body[kv.Key] = Plain(kv.Value);
        }

        /// <summary>Unwraps values that came from PowerShell into JSON-friendly shapes.</summary>
        internal static object? Plain(object? value)
        {
            if (value == null) return null;
            if (value is string || value is bool || value is int || value is long || value is double || value is decimal || value is float) return value;
            if (value is System.Collections.IDictionary dict)
            {
                var d = new Dictionary<string, object?>();
                foreach (System.Collections.DictionaryEntry e in dict) d[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = Plain(e.Value);
                return d;
            }
            if (value is System.Collections.IEnumerable list)
            {
                var l = new List<object?>();
                foreach (var item in list) l.Add(Plain(item));
                return l;
            }
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        protected SoraTask NewTask(string id, SoraProfile? profile) => new SoraTask(id, profile?.Name, Name) { RetrievedAt = DateTimeOffset.UtcNow };

        /// <summary>A task read from an answer: its id (required), the raw body, and the provider's status word with its meaning.</summary>
        protected SoraTask TaskFrom(ProviderResponse response, SoraProfile profile, string? id, string what, string? providerStatus)
        {
            var task = NewTask(RequireId(id, response, what), profile);
            task.Raw = response.Body;
            task.ProviderStatus = providerStatus;
            task.Status = Statuses.Map(providerStatus);
            return task;
        }

        /// <summary>A task just accepted by a provider that answers a submission with its id only.</summary>
        protected SoraTask AcceptedTask(string? id, ProviderResponse response, ValidatedRequest request, SoraProfile profile, string? providerStatus)
        {
            var task = NewTask(RequireId(id, response, "submission"), profile);
            task.Raw = response.Body;
            task.Status = SoraTaskStatus.Queued;
            task.ProviderStatus = providerStatus;
            task.CreatedAt = DateTimeOffset.UtcNow;
            return FillFromRequest(task, request);
        }

        /// <summary>What the provider did not repeat in its answer is what was asked for.</summary>
        protected static SoraTask FillFromRequest(SoraTask task, ValidatedRequest request)
        {
            task.Prompt = task.Prompt ?? request.Prompt;
            task.Model = task.Model ?? request.Model;
            task.Duration = task.Duration ?? request.Duration;
            task.AspectRatio = task.AspectRatio ?? request.AspectRatio;
            task.Resolution = task.Resolution ?? request.Resolution;
            return task;
        }

        /// <summary>A profile's value of a declared setting, else the declared default.</summary>
        protected static string? SettingValue(SoraProfile profile, SettingDeclaration setting)
        {
            var value = profile.Setting(setting.Name);
            return string.IsNullOrEmpty(value) ? setting.Default : value;
        }

        /// <summary>A GET or POST to a path setting's value; {id} is replaced.</summary>
        protected static HttpRequestMessage SettingPath(HttpMethod method, SoraProfile profile, SettingDeclaration setting, string id) =>
            new HttpRequestMessage(method, Endpoint(profile.BaseUri, (SettingValue(profile, setting) ?? throw new InvalidOperationException($"The {setting.Name} setting has no value and no default.")).Replace("{id}", Uri.EscapeDataString(id))));

        /// <summary>A succeeded task's end: completed now unless the provider said when, its link valid for <see cref="LinkLifetime"/>.</summary>
        protected void MarkSucceeded(SoraTask task, string? missingVideo, string? rawBody)
        {
            task.Progress = 100;
            task.CompletedAt = task.CompletedAt ?? task.RetrievedAt;
            if (LinkLifetime.HasValue) task.ExpiresAt = task.ExpiresAt ?? task.CompletedAt + LinkLifetime.Value;
            if (task.VideoUri == null && missingVideo != null)
                throw new SoraProtocolException($"Task {task.Id} {missingVideo}", rawBody);
        }

        /// <summary>A task's error from an <c>error</c> member: an object with code and message, or a text; null when absent.</summary>
        protected static SoraTaskError? ErrorMember(JsonElement? err)
        {
            if (err?.ValueKind == JsonValueKind.String)
                return new SoraTaskError(ErrorIds.KindFromCode(err.Value.GetString()), null, err.Value.GetString());
            if (err?.ValueKind != JsonValueKind.Object) return null;
            var code = err.Value.Str("code");
            var message = err.Value.Str("message");
            return code == null && message == null ? null : new SoraTaskError(ErrorIds.KindFromCode(code ?? message), code, message);
        }

        /// <summary>A failed task's error from a free-text reason.</summary>
        protected static SoraTaskError FailureFrom(string? reason, string fallback) =>
            new SoraTaskError(ErrorIds.KindFromReason(reason), null, string.IsNullOrEmpty(reason) ? fallback : reason);

        /// <summary>One page of a <c>{data:[…], has_more, last_id}</c> list, each item read by <see cref="ParseTask"/>.</summary>
        protected IReadOnlyList<SoraTask> ParseDataList(ProviderResponse response, SoraProfile profile, string what, out string? next)
        {
            using (var doc = ParseBody(response, what))
            {
                var root = doc.RootElement;
                var data = root.Prop("data");
                if (data?.ValueKind != JsonValueKind.Array)
                    throw new SoraProtocolException($"The provider's {what} has no 'data' array.", response.Body);
                var list = new List<SoraTask>();
                foreach (var item in data.Value.EnumerateArray())
                    list.Add(ParseTask(new ProviderResponse(200, item.GetRawText(), null, response.RequestUri), profile));
                next = root.Prop("has_more").Bool() == true ? (root.Str("last_id") ?? list.LastOrDefault()?.Id) : null;
                return list;
            }
        }

        protected static JsonDocument ParseBody(ProviderResponse response, string what)
        {
            var doc = Json.TryParse(response.Body);
            if (doc == null || doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc?.Dispose();
                throw new SoraProtocolException($"The provider's {what} answer is not a JSON object: {Truncate(response.Body, 200)}", response.Body);
            }
            return doc;
        }

        protected static string RequireId(string? id, ProviderResponse response, string what)
        {
            if (id == null || string.IsNullOrWhiteSpace(id))
                throw new SoraProtocolException($"The provider's {what} answer carries no task id: {Truncate(response.Body, 200)}", response.Body);
            return id;
        }

        internal static string Truncate(string? s, int max)
        {
            if (s == null || s.Length == 0) return "(empty body)";
            s = Redactor.Redact(s);
            return s.Length <= max ? s : s.Substring(0, max) + "…";
        }

    }
}
