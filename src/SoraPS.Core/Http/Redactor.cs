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

        public static void Register(string secret)
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4) Known.TryAdd(secret, 0);
        }

        [return: NotNullIfNotNull("text")]
        public static string? Redact(string? text)
        {
            if (text == null || text.Length == 0) return text;
            foreach (var secret in Known.Keys.OrderByDescending(k => k.Length))
            {
                if (text.IndexOf(secret, StringComparison.Ordinal) >= 0) text = text.Replace(secret, Mask);
            }
            return Patterns.Replace(text, m =>
                m.Groups[1].Success ? m.Groups[1].Value + Mask :
                m.Groups[2].Success ? m.Groups[2].Value + Mask : Mask);
        }
    }
}
