using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Text.RegularExpressions;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// Removes secrets from any text before it is logged or shown: every key SoraPS has loaded in
    /// this process, plus anything shaped like a bearer token, an api-key value (also as a JSON member) or an sk- key.
    /// </summary>
    public static class Redactor
    {
        public const string Mask = "***";
        private static readonly ConcurrentDictionary<string, byte> Known = new ConcurrentDictionary<string, byte>();
        private static readonly Regex Patterns = new Regex(
            @"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{4,}|(\bapi[-_]?key""?\s*[:=]\s*""?)(?!(?:null|true|false)\b)(?![0-9.]+\b)[^\s,;""']{4,}|\bsk-[A-Za-z0-9_-]{8,}",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        /// <summary>A URL's user:password@ (or user@) part, in any scheme.</summary>
        private static readonly Regex UserInfo = new Regex(
            @"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#""'<>]+@",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        /// <summary>Registers a secret in every spelling it can come back in: as is, JSON-escaped and URL-encoded.</summary>
        public static void Register(string secret)
        {
            if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
            foreach (var spelling in Spellings(secret)) Known.TryAdd(spelling, 0);
        }

        /// <summary>
        /// The forms a relay may echo a key in: verbatim, with "/" escaped as "\/", with every character outside
        /// letters, digits and "-_.~" as a \uXXXX escape (System.Text.Json writes "+" so), and percent-encoded, in upper- and
        /// lower-case hex.
        /// </summary>
        internal static System.Collections.Generic.IEnumerable<string> Spellings(string secret)
        {
            yield return secret;
            if (secret.All(char.IsLetterOrDigit)) yield break;
            yield return secret.Replace("/", "\\/");
            foreach (var upper in new[] { true, false })
            {
                var json = new System.Text.StringBuilder();
                var url = new System.Text.StringBuilder();
                foreach (var c in secret)
                {
                    var plain = char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '~';
                    json.Append(plain ? c.ToString() : "\\u" + ((int)c).ToString(upper ? "X4" : "x4", System.Globalization.CultureInfo.InvariantCulture));
                    var escaped = Uri.EscapeDataString(c.ToString());
                    url.Append(plain ? c.ToString() : upper ? escaped.ToUpperInvariant() : escaped.ToLowerInvariant());
                }
                yield return json.ToString();
                yield return url.ToString();
            }
        }

        [return: NotNullIfNotNull("text")]
        public static string? Redact(string? text)
        {
            if (text == null || text.Length == 0) return text;
            foreach (var secret in Known.Keys.OrderByDescending(k => k.Length))
            {
                if (text.IndexOf(secret, StringComparison.Ordinal) >= 0) text = text.Replace(secret, Mask);
            }
            text = UserInfo.Replace(text, m => m.Groups[1].Value + Mask + "@");
            return Patterns.Replace(text, m =>
                m.Groups[1].Success ? m.Groups[1].Value + Mask :
                m.Groups[2].Success ? m.Groups[2].Value + Mask : Mask);
        }
    }
}
