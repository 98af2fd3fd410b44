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
    /// The one set of helpers every dialect builds requests and reads answers with: endpoints and JSON bodies,
    /// a task from an answer, the unwrapping of <c>{data:{...}}</c>, a succeeded task's end, a failed task's
    /// error (one wording when the provider gives no reason), result links and list pages.
    /// </summary>
    public abstract partial class SoraDialect
    {
        /// <summary>What a failed task says when the provider gave no reason.</summary>
        protected const string NoReason = "The provider reported failure without a reason.";

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

        /// <summary>
        /// The task inside a <c>{"data": {...}}</c> wrapper some relays put around it: <c>data</c> when the top level
        /// carries none of the id fields and <c>data</c> is an object that carries one; else the top level itself.
        /// </summary>
        protected static JsonElement UnwrapData(JsonElement root, params string[] idFields)
        {
            if (idFields.Any(f => root.Prop(f) != null)) return root;
            var data = root.Prop("data");
            return data?.ValueKind == JsonValueKind.Object && idFields.Any(f => data.Value.Prop(f) != null) ? data.Value : root;
        }

        /// <summary>
        /// A succeeded task's end: progress 100, completed now unless the provider said when, its link valid for
        /// <see cref="LinkLifetime"/>. Without a video link it is UnexpectedResponse: "{what} {id} {missingVideo}".
        /// </summary>
        protected void MarkSucceeded(SoraTask task, string? missingVideo, string? rawBody, string what = "Task")
        {
            task.Progress = 100;
            task.CompletedAt = task.CompletedAt ?? task.RetrievedAt;
            if (LinkLifetime.HasValue) task.ExpiresAt = task.ExpiresAt ?? task.CompletedAt + LinkLifetime.Value;
            if (task.VideoUri == null && missingVideo != null)
                throw new SoraProtocolException($"{what} {task.Id} {missingVideo}", rawBody);
        }

        /// <summary>
        /// A failed task's error: the one the answer carried (<paramref name="error"/>), else one from the provider's
        /// free-text reason (its kind read from the words), else <see cref="NoReason"/>.
        /// </summary>
        protected static void MarkFailed(SoraTask task, SoraTaskError? error, string? reason, string? code = null) =>
            task.Error = error ?? new SoraTaskError(ErrorIds.KindFromReason(reason), code, string.IsNullOrEmpty(reason) ? NoReason : reason);

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
