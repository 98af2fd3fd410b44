using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Batch
{
    /// <summary>
    /// A batch row's key when none is given: a hash of what would be sent (profile, dialect, model, prompt, duration,
    /// aspect ratio, resolution, images with the SHA-256 of a local file's bytes, provider options and the rest of the
    /// request), so the same row submitted again has the same key and a changed row a new one.
    /// </summary>
    public static class BatchKey
    {
        /// <summary>Derived keys start with this.</summary>
        public const string DerivedPrefix = "row-";

        /// <summary>The longest key accepted from a row.</summary>
        public const int MaxLength = 200;

        public static string Derive(string? profile, string dialect, ValidatedRequest request)
        {
            var src = request.Source;
            var parts = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["profile"] = (profile ?? "").ToLowerInvariant(),
                ["dialect"] = dialect,
                ["model"] = request.Model,
                ["prompt"] = request.Prompt,
                ["duration"] = request.Duration,
                ["aspectRatio"] = request.AspectRatio,
                ["resolution"] = request.Resolution,
                ["images"] = request.ImageUris.Select(u => u.AbsoluteUri).ToList(),
                ["imageFile"] = request.ImagePath == null ? null : FileHash(request.ImagePath),
                ["imageFileId"] = src.ImageFileId,
                ["operation"] = request.Operation,
                ["source"] = request.SourceId,
                ["characters"] = src.Characters,
                ["storyboard"] = src.Storyboard?.Select(b => b.ToString()).ToList(),
                ["blend"] = src.Blend,
                ["remixStrength"] = src.RemixStrength,
                ["imageFrame"] = src.ImageFrame,
                ["callback"] = src.CallbackUri?.AbsoluteUri,
                ["options"] = Canonical(src.ProviderOptions),
            };
            var json = JsonSerializer.Serialize(parts);
            var data = Encoding.UTF8.GetBytes(json);
#if NETSTANDARD2_0
            using (var sha = SHA256.Create())
                return DerivedPrefix + Hex(sha.ComputeHash(data)).Substring(0, 32);
#else
            return DerivedPrefix + Hex(SHA256.HashData(data)).Substring(0, 32);
#endif
        }

        /// <summary>A key given by a row: trimmed, at most <see cref="MaxLength"/> characters, no control characters.</summary>
        public static string? Given(string? key)
        {
            if (string.IsNullOrWhiteSpace(key)) return null;
            var k = key!.Trim();
            if (k.Length > MaxLength || k.Any(char.IsControl))
                throw new SoraValidationException("InvalidKey", "Key", $"The row key '{(k.Length > 40 ? k.Substring(0, 40) + "..." : k)}' must have at most {MaxLength} characters and no control characters; nothing was sent.") { Target = k };
            return k;
        }

        /// <summary>The SHA-256 of a file's bytes, lower-case hex.</summary>
        public static string FileHash(string path)
        {
            using (var sha = SHA256.Create())
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                return Hex(sha.ComputeHash(fs));
        }

        internal static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>Provider options in a stable order (nested tables too), for hashing and recording.</summary>
        private static object? Canonical(object? value)
        {
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case IDictionary<string, object?> d:
                    return new SortedDictionary<string, object?>(d.ToDictionary(kv => kv.Key, kv => Canonical(kv.Value)), StringComparer.Ordinal);
                case IDictionary d:
                    var sorted = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                    foreach (DictionaryEntry e in d) sorted[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = Canonical(e.Value);
                    return sorted;
                case IEnumerable list:
                    return list.Cast<object?>().Select(Canonical).ToList();
                case IFormattable f when !(value is bool):
                    return value is DateTime || value is DateTimeOffset ? f.ToString("o", CultureInfo.InvariantCulture) : value;
                default:
                    return value is bool ? value : Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        /// <summary>Does an option's name look like it holds a secret (key, token, secret, password, authorization)?</summary>
        public static bool IsSecretName(string name)
        {
            var n = name.ToLowerInvariant();
            return n.Contains("key") || n.Contains("token") || n.Contains("secret") || n.Contains("password") || n.Contains("auth") || n.Contains("credential");
        }

        /// <summary>The provider options as the journal and sidecars keep them: secret-looking fields left out, values redacted.</summary>
        public static Dictionary<string, JsonElement>? RecordedOptions(IDictionary<string, object?>? options)
        {
            if (options == null || options.Count == 0) return null;
            var kept = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var kv in options.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                if (IsSecretName(kv.Key)) continue;
                try
                {
                    var text = Redactor.Redact(JsonSerializer.Serialize(Canonical(kv.Value))) ?? "null";
                    using (var doc = JsonDocument.Parse(text)) kept[kv.Key] = doc.RootElement.Clone();
                }
                catch (Exception e) when (e is JsonException || e is NotSupportedException || e is InvalidOperationException)
                {
                    // An option that is not plain data is not recorded.
                }
            }
            return kept.Count == 0 ? null : kept;
        }
    }
}
