using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// Models going away, said clearly: a <c>Deprecation</c> or <c>Sunset</c> answer header is one warning per model and
    /// process naming the model and the date; a submission refused because the model is gone (HTTP 410, or an error
    /// whose code or message says the model is unavailable or not found) is <c>ModelRetired</c>, naming the replacement
    /// the provider names; a built-in model its provider switched off (<see cref="ModelSpec.RetiredOn"/>) is one warning.
    /// </summary>
    public static class Retirement
    {
        public const string ModelRetired = "ModelRetired";

        private static readonly ConcurrentDictionary<string, bool> Warned = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Warns once per process and key; false when it was said already.</summary>
        private static bool Once(string key) => Warned.TryAdd(key, true);

        /// <summary>Forgets the warnings given (tests).</summary>
        internal static void Reset() => Warned.Clear();

        /// <summary>Before a submission: a built-in model whose provider switched it off is one warning (nothing is refused: relays keep the names).</summary>
        public static void WarnIfRetired(SoraDialect dialect, ValidatedRequest request, ISoraLog log)
        {
            var spec = request.Spec;
            if (!spec.RetiredOn.HasValue || !Once("retired|" + dialect.Name + "|" + request.Model)) return;
            log.Warning(string.Format(CultureInfo.InvariantCulture,
                "The provider retired {0} on {1:yyyy-MM-dd}: {2}'s own API no longer serves it. A relay that kept the name serves whatever it maps it to; " +
                "Get-SoraModel shows the models a profile can use now, and Register-SoraModel adds one the catalog lacks.",
                string.Equals(request.Model, spec.Name, StringComparison.OrdinalIgnoreCase) ? spec.Name : request.Model + " (" + spec.Name + ")", spec.RetiredOn.Value, dialect.Name));
        }

        /// <summary>After an answer: a Deprecation or Sunset header is one warning per model, naming it and the date.</summary>
        public static void WarnOnHeaders(SoraDialect dialect, string model, ProviderResponse response, ISoraLog log)
        {
            var sunset = response.Header("Sunset");
            var deprecation = response.Header("Deprecation");
            if (string.IsNullOrWhiteSpace(sunset) && string.IsNullOrWhiteSpace(deprecation)) return;
            if (!Once("header|" + dialect.Name + "|" + model)) return;
            var sunsetDate = HttpDate(sunset);
            var deprecatedDate = DeprecationDate(deprecation);
            var text = "The " + dialect.Name + " provider marks model " + model + " as deprecated" +
                (deprecatedDate.HasValue ? " since " + deprecatedDate.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "") +
                (sunsetDate.HasValue ? "; it stops serving it on " + sunsetDate.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : !string.IsNullOrWhiteSpace(sunset) ? "; sunset: " + sunset : "") +
                ". Move to another model before then (Get-SoraModel lists them).";
            log.Warning(text);
        }

        /// <summary>RFC 8594: an HTTP date.</summary>
        private static DateTimeOffset? HttpDate(string? text) =>
            !string.IsNullOrWhiteSpace(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : (DateTimeOffset?)null;

        /// <summary>RFC 9745: <c>@unix-seconds</c>; older drafts: an HTTP date or <c>true</c>.</summary>
        private static DateTimeOffset? DeprecationDate(string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            var t = text!.Trim();
            if (t.StartsWith("@", StringComparison.Ordinal) && long.TryParse(t.TrimStart('@'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix))
                return DateTimeOffset.FromUnixTimeSeconds(unix);
            return HttpDate(t);
        }

        private static readonly Regex GoneWords = new Regex(@"\b(unavailable|not[ _]found|no longer|retired|deprecated|does not exist|discontinued|sunset)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex UseInstead = new Regex(@"\buse\s+[`'""]?([A-Za-z0-9][\w./:-]*[\w])[`'""]?\s+instead", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>
        /// A refused submission whose model is gone becomes ModelRetired (naming the replacement the provider names in
        /// <c>replacement</c>, <c>error.metadata.replacement</c> or "use X instead"); any other error is returned as it is.
        /// </summary>
        public static SoraApiException Refine(SoraApiException error, ProviderResponse response, string model)
        {
            var code = error.ProviderCode ?? "";
            var message = error.Message ?? "";
            var gone = response.StatusCode == 410 ||
                ((code.IndexOf("model", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("model", StringComparison.OrdinalIgnoreCase) >= 0) &&
                 (GoneWords.IsMatch(code) || GoneWords.IsMatch(message)) && response.StatusCode >= 400 && response.StatusCode < 500 && response.StatusCode != 401 && response.StatusCode != 402 && response.StatusCode != 429);
            if (!gone) return error;
            var replacement = Replacement(response.Body);
            if (replacement == null)
            {
                var named = UseInstead.Match(message);
                if (named.Success) replacement = named.Groups[1].Value;
            }
            var text = $"The provider no longer serves model {model}" +
                (replacement != null ? $"; it names {replacement} as the replacement (-Model {replacement})" : "; choose another model (Get-SoraModel lists them)") +
                ". " + error.Message;
            var retired = new SoraApiException(ModelRetired, SoraErrorKind.NotFound, error.StatusCode, error.ProviderCode, text, error.RawBody)
            {
                RetryAfter = error.RetryAfter,
                Param = error.Param ?? "model",
                ErrorType = error.ErrorType,
                Replacement = replacement,
            };
            return retired;
        }

        private static string? Replacement(string body)
        {
            using (var doc = Json.TryParse(body))
            {
                if (doc == null || doc.RootElement.ValueKind != JsonValueKind.Object) return null;
                var root = doc.RootElement;
                return root.Str("replacement") ?? root.Path("error", "replacement").Str() ?? root.Path("error", "metadata", "replacement").Str();
            }
        }
    }
}
