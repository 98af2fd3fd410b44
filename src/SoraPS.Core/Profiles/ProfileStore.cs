using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using SoraPS.Core.Dialects;

namespace SoraPS.Core.Profiles
{
    /// <summary>
    /// Profiles kept as JSON in the config folder. Every change is a read-modify-write under a
    /// cross-process lock, written to a temporary file and moved into place, so a crash never
    /// leaves half a file and two processes never lose each other's changes.
    /// </summary>
    public sealed class ProfileStore
    {
        public const string FileName = "profiles.json";

        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        public ProfileStore(string directory = null)
        {
            Directory = directory ?? ConfigPaths.ConfigDirectory;
        }

        public string Directory { get; }
        public string FilePath => Path.Combine(Directory, FileName);

        public IReadOnlyList<SoraProfile> Load()
        {
            if (!File.Exists(FilePath)) return Array.Empty<SoraProfile>();
            string text;
            try
            {
                text = AtomicFile.ReadAllText(FilePath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new SoraConfigurationException("ProfileStoreUnreadable", $"Cannot read the profile file '{FilePath}': {e.Message}", e);
            }
            return Parse(text);
        }

        /// <summary>
        /// Reads the file strictly: an object with a "profiles" array of profile objects, each with a name,
        /// a dialect and an absolute base URI. Anything else is ProfileStoreCorrupt naming the file and the
        /// fault (never a half-read list that a later write would save over the user's file).
        /// </summary>
        private IReadOnlyList<SoraProfile> Parse(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return Array.Empty<SoraProfile>();
            var list = new List<SoraProfile>();
            try
            {
                using (var doc = JsonDocument.Parse(text))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                        throw Corrupt($"it holds a JSON {Kind(root)} where an object with a \"profiles\" list belongs");
                    var profiles = root.EnumerateObject().Where(p => string.Equals(p.Name, "profiles", StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).ToList();
                    if (profiles.Count == 0) throw Corrupt("it has no \"profiles\" list");
                    if (profiles.Count > 1) throw Corrupt("it has more than one \"profiles\" list");
                    if (profiles[0].ValueKind != JsonValueKind.Array)
                        throw Corrupt($"\"profiles\" is a JSON {Kind(profiles[0])}, not a list");
                    var index = 0;
                    foreach (var element in profiles[0].EnumerateArray())
                    {
                        index++;
                        if (element.ValueKind != JsonValueKind.Object)
                            throw Corrupt($"profile #{index} is a JSON {Kind(element)}, not an object");
                        SoraProfile p;
                        try
                        {
                            p = JsonSerializer.Deserialize<SoraProfile>(element.GetRawText(), Json);
                        }
                        catch (Exception e) when (e is JsonException || e is FormatException || e is InvalidOperationException || e is NotSupportedException)
                        {
                            throw Corrupt($"profile #{index}: {e.Message}", e);
                        }
                        if (string.IsNullOrWhiteSpace(p.Name)) throw Corrupt($"profile #{index} has no name");
                        if (string.IsNullOrWhiteSpace(p.Dialect)) throw Corrupt($"profile #{index} ('{p.Name}') has no dialect");
                        if (p.BaseUri == null || !p.BaseUri.IsAbsoluteUri) throw Corrupt($"profile #{index} ('{p.Name}') has no absolute baseUri");
                        // Names are case-insensitive whatever the file's spelling ("querypath" is QueryPath).
                        if (p.Settings != null) p.Settings = new Dictionary<string, string>(p.Settings, StringComparer.OrdinalIgnoreCase);
                        if (p.ModelAlias != null) p.ModelAlias = new Dictionary<string, string>(p.ModelAlias, StringComparer.OrdinalIgnoreCase);
                        list.Add(p);
                    }
                }
            }
            catch (JsonException e)
            {
                throw Corrupt("it is not valid JSON: " + e.Message, e);
            }
            var stored = new KeyStore(Directory).Profiles();
            foreach (var p in list) p.HasStoredKey = stored.Contains(p.Name);
            return list;
        }

        private SoraConfigurationException Corrupt(string fault, Exception inner = null) =>
            new SoraConfigurationException("ProfileStoreCorrupt",
                $"The profile file '{FilePath}' is damaged: {fault}. Fix or remove it; SoraPS changes nothing in it until then.", inner) { Target = FilePath };

        private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

        /// <summary>Reads, lets <paramref name="mutate"/> change the list, validates and writes it back atomically.</summary>
        public IReadOnlyList<SoraProfile> Update(Action<List<SoraProfile>> mutate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (AtomicFile.Lock(Path.Combine(Directory, FileName + ".lock")))
            {
                var list = Load().Select(p => p.Clone()).ToList();
                mutate(list);
                foreach (var p in list) Validate(p);
                var dupe = list.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                if (dupe != null)
                    throw new SoraConfigurationException("ProfileExists", $"A profile named '{dupe.Key}' already exists.");
                if (list.Count(p => p.IsDefault) > 1)
                    throw new SoraConfigurationException("TooManyDefaults", "Only one profile can be the default.");
                var text = JsonSerializer.Serialize(new ProfileDocument { Version = 1, Profiles = list }, Json);
                AtomicFile.WriteAllText(FilePath, text);
                return list;
            }
        }

        public SoraProfile Find(string name) =>
            Load().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// The profile to use: the named one, else SORAPS_PROFILE, else the default, else the only one.
        /// </summary>
        public SoraProfile Resolve(string name)
        {
            var all = Load();
            if (string.IsNullOrEmpty(name)) name = Environment.GetEnvironmentVariable(ConfigPaths.ProfileVariable);
            if (!string.IsNullOrEmpty(name))
            {
                var found = all.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                if (found != null) return found;
                var known = all.Count == 0 ? "none is registered" : "registered: " + string.Join(", ", all.Select(p => p.Name));
                throw new SoraConfigurationException("ProfileNotFound",
                    $"No SoraPS profile named '{name}' ({known}). Use Register-SoraProfile to add one.") { Target = name };
            }
            var def = all.FirstOrDefault(p => p.IsDefault) ?? (all.Count == 1 ? all[0] : null);
            if (def != null) return def;
            throw new SoraConfigurationException("NoProfile", all.Count == 0
                ? "No SoraPS profile is registered. Register one first, for example: Register-SoraProfile -Name main -Dialect OpenAI -BaseUri https://api.example.com -ApiKeyEnvironmentVariable SORA_KEY -Default"
                : $"Several profiles are registered ({string.Join(", ", all.Select(p => p.Name))}) and none is the default: pass -Profile, set {ConfigPaths.ProfileVariable}, or mark one with Set-SoraProfile -Default.");
        }

        /// <summary>Checks a profile before it is stored or used.</summary>
        public static void Validate(SoraProfile p)
        {
            if (p == null) throw new ArgumentNullException(nameof(p));
            if (string.IsNullOrWhiteSpace(p.Name) || p.Name.IndexOfAny(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }) >= 0 || p.Name.Length > 64)
                throw new SoraValidationException("InvalidProfileName", "Name", $"'{p.Name}' is not a usable profile name: use 1-64 characters without / \\ : * ? \" < > |.");
            var dialect = DialectRegistry.Get(p.Dialect);
            p.Dialect = dialect.Name;
            CheckBaseUri(p.BaseUri);
            if (!string.IsNullOrEmpty(p.ApiKeyEnvironmentVariable) && !IsEnvironmentVariableName(p.ApiKeyEnvironmentVariable))
                throw new SoraValidationException("InvalidKeyReference", "ApiKeyEnvironmentVariable",
                    "ApiKeyEnvironmentVariable takes the NAME of an environment variable (letters, digits, underscore), not the key itself.");
            if (p.ModelAlias != null)
            {
                var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var kv in p.ModelAlias)
                {
                    if (string.IsNullOrWhiteSpace(kv.Key))
                        throw new SoraValidationException("InvalidModelAlias", "ModelAlias", "A model alias needs a name: the model's name at the provider.");
                    aliases[kv.Key.Trim()] = dialect.GetModel(kv.Value).Name;
                }
                p.ModelAlias = aliases.Count == 0 ? null : aliases;
            }
            if (!string.IsNullOrEmpty(p.Model)) dialect.GetModel(p.Model, p);
            p.Settings = SettingDeclaration.Normalize(p.Settings, dialect.Settings, dialect.Name);
            Budget.BudgetGuard.ValidateProfile(p);
            if (p.MaxConcurrency.HasValue && (p.MaxConcurrency < 1 || p.MaxConcurrency > 64))
                throw new SoraValidationException("InvalidConcurrency", "MaxConcurrency", "MaxConcurrency must be between 1 and 64.");
        }

        public static void CheckBaseUri(Uri uri)
        {
            if (uri == null || !uri.IsAbsoluteUri)
                throw new SoraValidationException("InvalidBaseUri", "BaseUri", "BaseUri must be an absolute http(s) URI, for example https://api.example.com.");
            if (uri.Scheme == Uri.UriSchemeHttps) return;
            if (uri.Scheme == Uri.UriSchemeHttp)
            {
                if (uri.IsLoopback) return;
                throw new SoraValidationException("InsecureBaseUri", "BaseUri",
                    $"BaseUri '{uri}' uses plain http on a non-loopback host; the API key would travel in clear text. Use https (plain http is allowed only for 127.0.0.1/localhost).");
            }
            throw new SoraValidationException("InvalidBaseUri", "BaseUri", $"BaseUri '{uri}' must use https.");
        }

        private static bool IsEnvironmentVariableName(string s) =>
            s.Length <= 128 && s.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_')) && !char.IsDigit(s[0]) && !LooksLikeKey(s);

        /// <summary>
        /// A value shaped like a key rather than a variable name: a long run of hex digits, a long
        /// letters-and-digits token without the underscores names have, or a long mixed-case one with digits.
        /// </summary>
        internal static bool LooksLikeKey(string s)
        {
            var digits = s.Count(char.IsDigit);
            var letters = s.Count(char.IsLetter);
            if (digits == 0 || letters == 0) return false;
            if (s.Length >= 16 && s.All(Uri.IsHexDigit)) return true;
            if (s.Length >= 20 && s.IndexOf('_') < 0) return true;
            return s.Length >= 32 && s.Any(char.IsLower) && s.Any(char.IsUpper) && digits >= 4;
        }

        private sealed class ProfileDocument
        {
            public int Version { get; set; }
            public List<SoraProfile> Profiles { get; set; }
        }
    }
}
