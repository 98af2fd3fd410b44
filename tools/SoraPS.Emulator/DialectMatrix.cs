using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SoraPS.Emulator
{
    /// <summary>
    /// One row of the dialect matrix (dialects.json): a dialect SoraPS speaks, where the emulator serves it,
    /// one valid generation on it and what it can do.
    /// </summary>
    public sealed class DialectRow
    {
        /// <summary>The dialect's name, as SoraPS.Core's DialectRegistry spells it.</summary>
        [JsonPropertyName("dialect")] public string Dialect { get; set; } = "";
        /// <summary>The emulator's path prefix for the dialect, without slashes at either end ("openai", "azureopenai/openai").</summary>
        [JsonPropertyName("prefix")] public string Prefix { get; set; } = "";
        /// <summary>A model the dialect takes.</summary>
        [JsonPropertyName("model")] public string Model { get; set; } = "";
        /// <summary>A duration that model takes, in seconds.</summary>
        [JsonPropertyName("seconds")] public int Seconds { get; set; }
        /// <summary>An input image URL when the model needs one; null otherwise.</summary>
        [JsonPropertyName("image")] public string? Image { get; set; }
        /// <summary>What the dialect can do beyond submitting: DialectOperation names.</summary>
        [JsonPropertyName("operations")] public string[] Operations { get; set; } = Array.Empty<string>();
        /// <summary>The files a finished task offers: DownloadVariant names, "video" first.</summary>
        [JsonPropertyName("variants")] public string[] Variants { get; set; } = Array.Empty<string>();

        /// <summary>True when the row lists the operation (case-insensitive).</summary>
        public bool Can(string operation) => Operations.Contains(operation, StringComparer.OrdinalIgnoreCase);

        public override string ToString() => Dialect;
    }

    /// <summary>
    /// The dialect matrix: the table in dialects.json (embedded in this assembly, read from source by Pester) that
    /// says which dialects exist, where the emulator serves each and what each can do. The emulator's prefixes, its
    /// banner and the test suites that run "every dialect" all come from it.
    /// </summary>
    public static class DialectMatrix
    {
        private const string Resource = "SoraPS.Emulator.dialects.json";

        private sealed class Document
        {
            [JsonPropertyName("dialects")] public List<DialectRow> Dialects { get; set; } = new List<DialectRow>();
        }

        private static readonly Lazy<IReadOnlyList<DialectRow>> Table = new Lazy<IReadOnlyList<DialectRow>>(Load);

        /// <summary>Every row, in the file's order.</summary>
        public static IReadOnlyList<DialectRow> Rows => Table.Value;

        /// <summary>The row of a dialect (case-insensitive), or null when it has none.</summary>
        public static DialectRow? Find(string dialect) =>
            Rows.FirstOrDefault(r => string.Equals(r.Dialect, dialect, StringComparison.OrdinalIgnoreCase));

        /// <summary>Parses the matrix from JSON text (the embedded file, or one a test gives).</summary>
        public static IReadOnlyList<DialectRow> Parse(string json)
        {
            var doc = JsonSerializer.Deserialize<Document>(json) ?? throw new InvalidDataException("The dialect matrix is empty.");
            foreach (var row in doc.Dialects)
            {
                if (string.IsNullOrWhiteSpace(row.Dialect) || string.IsNullOrWhiteSpace(row.Prefix) || string.IsNullOrWhiteSpace(row.Model) || row.Seconds <= 0)
                    throw new InvalidDataException($"Dialect matrix row '{row.Dialect}' needs a dialect, prefix, model and seconds.");
                if (row.Prefix.StartsWith('/') || row.Prefix.EndsWith('/'))
                    throw new InvalidDataException($"Dialect matrix row '{row.Dialect}': write the prefix without slashes at either end.");
            }
            var twice = doc.Dialects.GroupBy(r => r.Dialect, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)
                     ?? doc.Dialects.GroupBy(r => r.Prefix, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (twice != null) throw new InvalidDataException($"The dialect matrix has '{twice.Key}' twice.");
            return doc.Dialects;
        }

        private static IReadOnlyList<DialectRow> Load()
        {
            using (var stream = typeof(DialectMatrix).Assembly.GetManifestResourceStream(Resource)
                ?? throw new InvalidOperationException("The emulator assembly lacks " + Resource + "."))
            using (var reader = new StreamReader(stream))
                return Parse(reader.ReadToEnd());
        }
    }
}
