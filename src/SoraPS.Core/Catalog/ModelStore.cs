using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;

namespace SoraPS.Core.Catalog
{
    /// <summary>
    /// One user model as <c>models.json</c> keeps it: the dialect, the name, the rules it was given or copied
    /// (<see cref="Like"/>) and its price. Omitted rules follow the model it copies, else the built-in model of the
    /// same name.
    /// </summary>
    public sealed class UserModel
    {
        public string? Dialect { get; set; }
        public string? Name { get; set; }
        /// <summary>The model whose rules were copied (informational once the rules are written out).</summary>
        public string? Like { get; set; }
        public int[]? Durations { get; set; }
        public int? DefaultDuration { get; set; }
        public string[]? AspectRatios { get; set; }
        public string? DefaultAspectRatio { get; set; }
        public string[]? Resolutions { get; set; }
        public string? DefaultResolution { get; set; }
        /// <summary>None, UrlOnly or UrlOrFile.</summary>
        public string? ImageInput { get; set; }
        public int? MaxPromptLength { get; set; }
        /// <summary>US dollars per second of video, at every resolution.</summary>
        public decimal? PricePerSecond { get; set; }
        /// <summary>
        /// Where a model learned from the provider came from and when ("provider openrouter 2026-12-04T16:40Z");
        /// null for a model the user registered. Update-SoraModel replaces the learned models of a dialect only.
        /// </summary>
        public string? Source { get; set; }
        /// <summary>The frames an image may be given for (first_frame, last_frame), where the provider lists them.</summary>
        public string[]? FrameImages { get; set; }
        /// <summary>Whether the model can generate audio, where the provider says.</summary>
        public bool? GenerateAudio { get; set; }
        /// <summary>The pixel sizes the provider lists (WIDTHxHEIGHT).</summary>
        public string[]? Sizes { get; set; }
        /// <summary>US dollars per second of video by resolution (a provider's prices).</summary>
        public Dictionary<string, decimal>? PricesPerSecond { get; set; }
        /// <summary>US dollars per video by resolution (a provider's prices).</summary>
        public Dictionary<string, decimal>? PricesPerVideo { get; set; }

        /// <summary>Learned from the provider (not registered by the user).</summary>
        public bool IsLearned => !string.IsNullOrEmpty(Source);
    }

    /// <summary>
    /// The user's models, kept in <c>models.json</c> in the config folder, and the catalog they make with the
    /// built-in tables: a user model with a built-in model's name takes its place (a relay's own durations), any
    /// other is added. The file is written atomically under a lock and read strictly: a fault is
    /// ModelStoreCorrupt naming the file and the model, and nothing is written over it.
    /// </summary>
    public sealed class ModelStore
    {
        public const string FileName = "models.json";

        public ModelStore(string? directory = null)
        {
            Directory = directory ?? ConfigPaths.ConfigDirectory;
            FilePath = Path.Combine(Directory, FileName);
            _generation = Generations.GetOrAdd(FilePath, _ => new System.Runtime.CompilerServices.StrongBox<int>());
        }

        public string Directory { get; }
        public string FilePath { get; }

        private readonly object _gate = new object();
        private readonly System.Runtime.CompilerServices.StrongBox<int> _generation;
        private DateTime _cachedStamp;
        private long _cachedLength;
        private int _cachedGeneration;
        private IReadOnlyList<UserModel>? _cached;

        /// <summary>Writes made by this process, per file: a write is seen at once even where the file's time and length did not change.</summary>
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Runtime.CompilerServices.StrongBox<int>> Generations =
            new System.Collections.Concurrent.ConcurrentDictionary<string, System.Runtime.CompilerServices.StrongBox<int>>(StringComparer.Ordinal);

        /// <summary>How often this store parsed the file (the cache's test counts it).</summary>
        internal int Parses { get; private set; }

        /// <summary>
        /// The user's models (none when there is no file): the one place models.json is read. The list is kept and
        /// the file parsed again only when its length or last-write time changed, or this process wrote it.
        /// </summary>
        public IReadOnlyList<UserModel> Load()
        {
            var info = new FileInfo(FilePath);
            if (!info.Exists) return Array.Empty<UserModel>();
            var generation = System.Threading.Volatile.Read(ref _generation.Value);
            lock (_gate)
            {
                if (_cached != null && _cachedStamp == info.LastWriteTimeUtc && _cachedLength == info.Length && _cachedGeneration == generation) return _cached;
            }
            string text;
            try
            {
                text = AtomicFile.ReadAllText(FilePath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new SoraConfigurationException("ModelStoreUnreadable", $"Cannot read the model file '{FilePath}': {e.Message}", e) { Target = FilePath };
            }
            var list = Parse(text);
            lock (_gate)
            {
                Parses++;
                _cachedStamp = info.LastWriteTimeUtc;
                _cachedLength = info.Length;
                _cachedGeneration = generation;
                _cached = list;
            }
            return list;
        }

        /// <summary>The dialect's catalog: built-in models with the user's in their place, then the user's new ones.</summary>
        public IReadOnlyList<ModelSpec> Catalog(SoraDialect dialect) => ModelCatalog.Merge(dialect, Load(), null, FilePath);

        /// <summary>Reads, lets <paramref name="mutate"/> change the list, checks every model and writes it back atomically.</summary>
        public IReadOnlyList<UserModel> Update(Action<List<UserModel>> mutate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (AtomicFile.Lock(Path.Combine(Directory, FileName + ".lock")))
            {
                var list = Load().ToList();
                mutate(list);
                foreach (var m in list) Check(m, null);
                AtomicFile.WriteAllText(FilePath, Serialize(list));
                System.Threading.Interlocked.Increment(ref _generation.Value);
                return list;
            }
        }

        /// <summary>
        /// A user model's spec: its rules over those of the model it copies (or the built-in of the same name,
        /// else the dialect's default model for the image rule and prompt length).
        /// </summary>
        public static ModelSpec ToSpec(SoraDialect dialect, UserModel m, string source)
        {
            var basis = BuiltIn(dialect, m.Like) ?? BuiltIn(dialect, m.Name);
            var fallback = basis ?? dialect.Models[0];
            var durations = m.Durations ?? basis?.Durations.ToArray();
            var aspects = m.AspectRatios ?? basis?.AspectRatios.ToArray();
            var resolutions = m.Resolutions ?? basis?.Resolutions.ToArray();
            if (durations == null || aspects == null || resolutions == null)
                throw new SoraValidationException("ModelRulesMissing", "Like",
                    $"The {dialect.Name} model '{m.Name}' is not a built-in one: copy the rules of one with -Like, or give -Duration, -AspectRatio and -Resolution.");
            var image = fallback.Image;
            if (!string.IsNullOrEmpty(m.ImageInput)) image = (ImageInput)Enum.Parse(typeof(ImageInput), m.ImageInput, true);
            // Loading and registering refuse a model without a name.
            var spec = new ModelSpec(m.Name!, durations,
                Pick(m.DefaultDuration, basis?.DefaultDuration, durations),
                aspects, PickText(m.DefaultAspectRatio, basis?.DefaultAspectRatio, aspects),
                resolutions, PickText(m.DefaultResolution, basis?.DefaultResolution, resolutions),
                m.MaxPromptLength ?? fallback.MaxPromptLength, image)
            {
                RequiresImage = basis?.RequiresImage ?? false,
                MaxImages = fallback.MaxImages,
                Source = source,
            };
            var same = basis != null && string.Equals(basis.Name, m.Name, StringComparison.OrdinalIgnoreCase);
            if (same) spec.Matches = basis!.Matches;
            if (m.FrameImages != null) spec.FrameImages = m.FrameImages;
            if (m.GenerateAudio.HasValue) spec.GenerateAudio = m.GenerateAudio;
            if (m.Sizes != null && m.Sizes.Length > 0) spec.ProviderSizes = m.Sizes;
            if (m.IsLearned)
            {
                // A provider's model is priced by the provider only: unpriced where it gave no price of a certain unit.
                if (same) spec.ExtendDurations = basis!.ExtendDurations;
                spec.UsdPerSecond = Prices(m.PricesPerSecond, resolutions);
                spec.UsdPerVideo = Prices(m.PricesPerVideo, resolutions);
            }
            else if (m.PricePerSecond.HasValue)
                spec.UsdPerSecond = resolutions.ToDictionary(r => r, r => (double)m.PricePerSecond.Value, StringComparer.OrdinalIgnoreCase); // read back as decimal by Pricing
            else if (basis != null)
            {
                spec.UsdPerSecond = Only(basis.UsdPerSecond, resolutions);
                spec.ResolutionPriceFactor = Only(basis.ResolutionPriceFactor, resolutions);
            }
            return spec;
        }

        /// <summary>A provider's prices at the model's resolutions (as <see cref="Only"/>), kept as the catalog's doubles (read back as decimal by Pricing).</summary>
        private static IReadOnlyDictionary<string, double>? Prices(Dictionary<string, decimal>? table, string[] resolutions) =>
            table == null ? null : Only(table.ToDictionary(kv => kv.Key, kv => (double)kv.Value), resolutions);

        private static IReadOnlyDictionary<string, double>? Only(IReadOnlyDictionary<string, double>? table, string[] resolutions)
        {
            if (table == null) return null;
            var kept = table.Where(kv => resolutions.Contains(kv.Key, StringComparer.OrdinalIgnoreCase)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
            return kept.Count == 0 ? null : kept;
        }

        private static int Pick(int? given, int? basis, int[] allowed) =>
            given.HasValue && allowed.Contains(given.Value) ? given.Value : basis.HasValue && allowed.Contains(basis.Value) ? basis.Value : allowed[0];

        private static string PickText(string? given, string? basis, string[] allowed) =>
            allowed.FirstOrDefault(a => string.Equals(a, given, StringComparison.OrdinalIgnoreCase))
            ?? allowed.FirstOrDefault(a => string.Equals(a, basis, StringComparison.OrdinalIgnoreCase)) ?? allowed[0];

        private static ModelSpec? BuiltIn(SoraDialect dialect, string? name) =>
            string.IsNullOrEmpty(name) ? null : dialect.Models.FirstOrDefault(s => s.Accepts(name));

        /// <summary>Checks one model's values; <paramref name="where"/> names it in a file ("model #2"), else they are parameters.</summary>
        public void Check(UserModel m, string? where)
        {
            Exception Fault(string parameter, string text) => where == null
                ? (Exception)new SoraValidationException("InvalidModel", parameter, text)
                : Corrupt(where + ": " + text);
            if (string.IsNullOrWhiteSpace(m.Name)) throw Fault("Name", "a model needs a name");
            var dialect = DialectRegistry.Dialects.FirstOrDefault(d => string.Equals(d.Name, m.Dialect, StringComparison.OrdinalIgnoreCase));
            if (dialect == null) throw Fault("Dialect", $"'{m.Dialect}' is not a dialect SoraPS speaks (known: {string.Join(", ", DialectRegistry.Names)})");
            m.Dialect = dialect.Name;
            if (m.Durations != null && (m.Durations.Length == 0 || m.Durations.Any(d => d <= 0)))
                throw Fault("Duration", $"the durations of '{m.Name}' must be whole seconds above 0");
            if (m.AspectRatios != null && (m.AspectRatios.Length == 0 || m.AspectRatios.Any(string.IsNullOrWhiteSpace)))
                throw Fault("AspectRatio", $"the aspect ratios of '{m.Name}' must be non-empty");
            if (m.Resolutions != null && (m.Resolutions.Length == 0 || m.Resolutions.Any(string.IsNullOrWhiteSpace)))
                throw Fault("Resolution", $"the resolutions of '{m.Name}' must be non-empty");
            if (m.PricePerSecond < 0) throw Fault("PricePerSecond", $"the price of '{m.Name}' cannot be negative");
            if ((m.PricesPerSecond?.Values.Any(p => p < 0) ?? false) || (m.PricesPerVideo?.Values.Any(p => p < 0) ?? false))
                throw Fault("PricePerSecond", $"the prices of '{m.Name}' cannot be negative");
            if (m.Source != null && string.IsNullOrWhiteSpace(m.Source)) throw Fault("Source", $"the source of '{m.Name}' is empty");
            if (m.MaxPromptLength <= 0) throw Fault("MaxPromptLength", $"the prompt length of '{m.Name}' must be above 0");
            if (!string.IsNullOrEmpty(m.ImageInput) && !Enum.GetNames(typeof(ImageInput)).Contains(m.ImageInput, StringComparer.OrdinalIgnoreCase))
                throw Fault("ImageInput", $"imageInput of '{m.Name}' is '{m.ImageInput}'; allowed: {string.Join(", ", Enum.GetNames(typeof(ImageInput)))}");
            try { ToSpec(dialect, m, FilePath); }
            catch (SoraValidationException e) when (where != null) { throw Corrupt(where + ": " + e.Message); }
        }

        /// <summary>
        /// Reads the file strictly: an object with a "models" list of objects, each with a dialect, a name and
        /// fields of the right JSON types. Anything else is ModelStoreCorrupt naming the file and the fault.
        /// </summary>
        private IReadOnlyList<UserModel> Parse(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return Array.Empty<UserModel>();
            var list = new List<UserModel>();
            try
            {
                using (var doc = JsonDocument.Parse(text))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object) throw Corrupt("it holds no object with a \"models\" list");
                    var models = root.Prop("models");
                    if (models == null) throw Corrupt("it has no \"models\" list");
                    if (models.Value.ValueKind != JsonValueKind.Array) throw Corrupt("\"models\" is not a list");
                    var index = 0;
                    foreach (var e in models.Value.EnumerateArray())
                    {
                        index++;
                        var where = "model #" + index.ToString(CultureInfo.InvariantCulture);
                        if (e.ValueKind != JsonValueKind.Object) throw Corrupt(where + " is not an object");
                        var m = new UserModel();
                        foreach (var p in e.EnumerateObject())
                        {
                            var v = p.Value;
                            switch (p.Name.ToLowerInvariant())
                            {
                                case "dialect": m.Dialect = Text(v, where, p.Name); break;
                                case "name": m.Name = Text(v, where, p.Name); break;
                                case "like": m.Like = Text(v, where, p.Name); break;
                                case "durations": m.Durations = List(v, where, p.Name, x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _), x => x.GetInt32(), "whole numbers"); break;
                                case "defaultduration": m.DefaultDuration = Whole(v, where, p.Name); break;
                                case "aspectratios": m.AspectRatios = List(v, where, p.Name, x => x.ValueKind == JsonValueKind.String, x => x.GetString()!, "strings"); break;
                                case "defaultaspectratio": m.DefaultAspectRatio = Text(v, where, p.Name); break;
                                case "resolutions": m.Resolutions = List(v, where, p.Name, x => x.ValueKind == JsonValueKind.String, x => x.GetString()!, "strings"); break;
                                case "defaultresolution": m.DefaultResolution = Text(v, where, p.Name); break;
                                case "imageinput": m.ImageInput = Text(v, where, p.Name); break;
                                case "maxpromptlength": m.MaxPromptLength = Whole(v, where, p.Name); break;
                                case "pricepersecond":
                                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var price)) throw Corrupt($"{where}: \"{p.Name}\" is not a number");
                                    m.PricePerSecond = price;
                                    break;
                                case "source": m.Source = Text(v, where, p.Name); break;
                                case "frameimages": m.FrameImages = List(v, where, p.Name, x => x.ValueKind == JsonValueKind.String, x => x.GetString()!, "strings"); break;
                                case "sizes": m.Sizes = List(v, where, p.Name, x => x.ValueKind == JsonValueKind.String, x => x.GetString()!, "strings"); break;
                                case "generateaudio":
                                    if (v.ValueKind != JsonValueKind.Null && v.ValueKind != JsonValueKind.True && v.ValueKind != JsonValueKind.False) throw Corrupt($"{where}: \"{p.Name}\" is not true or false");
                                    m.GenerateAudio = v.ValueKind == JsonValueKind.Null ? (bool?)null : v.GetBoolean();
                                    break;
                                case "pricespersecond": m.PricesPerSecond = PriceTable(v, where, p.Name); break;
                                case "pricespervideo": m.PricesPerVideo = PriceTable(v, where, p.Name); break;
                                default: throw Corrupt($"{where}: unknown field \"{p.Name}\"");
                            }
                        }
                        if (string.IsNullOrWhiteSpace(m.Dialect)) throw Corrupt(where + " has no dialect");
                        if (string.IsNullOrWhiteSpace(m.Name)) throw Corrupt(where + " has no name");
                        Check(m, where + $" ('{m.Name}')");
                        if (list.Any(x => x.Dialect == m.Dialect && string.Equals(x.Name, m.Name, StringComparison.OrdinalIgnoreCase)))
                            throw Corrupt($"{where}: {m.Dialect} model '{m.Name}' is listed twice");
                        list.Add(m);
                    }
                }
            }
            catch (JsonException e)
            {
                throw Corrupt("it is not valid JSON: " + e.Message, e);
            }
            return list;
        }

        private string? Text(JsonElement v, string where, string name)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.String) throw Corrupt($"{where}: \"{name}\" is not a string");
            return v.GetString();
        }

        private Dictionary<string, decimal>? PriceTable(JsonElement v, string where, string name)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Object) throw Corrupt($"{where}: \"{name}\" is not an object of prices by resolution");
            var table = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in v.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDecimal(out var price)) throw Corrupt($"{where}: \"{name}.{p.Name}\" is not a number");
                table[p.Name] = price;
            }
            return table;
        }

        private int? Whole(JsonElement v, string where, string name)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i)) throw Corrupt($"{where}: \"{name}\" is not a whole number");
            return i;
        }

        private T[]? List<T>(JsonElement v, string where, string name, Func<JsonElement, bool> ok, Func<JsonElement, T> read, string what)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => !ok(x))) throw Corrupt($"{where}: \"{name}\" is not a list of {what}");
            return v.EnumerateArray().Select(read).ToArray();
        }

        private SoraConfigurationException Corrupt(string fault, Exception? inner = null) =>
            new SoraConfigurationException("ModelStoreCorrupt",
                $"The model file '{FilePath}' is damaged: {fault}. Fix or remove it; SoraPS changes nothing in it until then.", inner) { Target = FilePath };

        private static void WritePrices(Utf8JsonWriter w, string name, Dictionary<string, decimal>? prices)
        {
            if (prices == null) return;
            w.WriteStartObject(name);
            foreach (var kv in prices) w.WriteNumber(kv.Key, kv.Value);
            w.WriteEndObject();
        }

        private static string Serialize(IEnumerable<UserModel> models)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteNumber("version", 1);
                    w.WriteStartArray("models");
                    foreach (var m in models)
                    {
                        w.WriteStartObject();
                        w.WriteString("dialect", m.Dialect);
                        w.WriteString("name", m.Name);
                        if (m.Like != null) w.WriteString("like", m.Like);
                        if (m.Durations != null) { w.WriteStartArray("durations"); foreach (var d in m.Durations) w.WriteNumberValue(d); w.WriteEndArray(); }
                        if (m.DefaultDuration.HasValue) w.WriteNumber("defaultDuration", m.DefaultDuration.Value);
                        if (m.AspectRatios != null) { w.WriteStartArray("aspectRatios"); foreach (var a in m.AspectRatios) w.WriteStringValue(a); w.WriteEndArray(); }
                        if (m.DefaultAspectRatio != null) w.WriteString("defaultAspectRatio", m.DefaultAspectRatio);
                        if (m.Resolutions != null) { w.WriteStartArray("resolutions"); foreach (var r in m.Resolutions) w.WriteStringValue(r); w.WriteEndArray(); }
                        if (m.DefaultResolution != null) w.WriteString("defaultResolution", m.DefaultResolution);
                        if (m.ImageInput != null) w.WriteString("imageInput", m.ImageInput);
                        if (m.MaxPromptLength.HasValue) w.WriteNumber("maxPromptLength", m.MaxPromptLength.Value);
                        if (m.PricePerSecond.HasValue) w.WriteNumber("pricePerSecond", m.PricePerSecond.Value);
                        if (m.FrameImages != null) { w.WriteStartArray("frameImages"); foreach (var f in m.FrameImages) w.WriteStringValue(f); w.WriteEndArray(); }
                        if (m.Sizes != null) { w.WriteStartArray("sizes"); foreach (var z in m.Sizes) w.WriteStringValue(z); w.WriteEndArray(); }
                        if (m.GenerateAudio.HasValue) w.WriteBoolean("generateAudio", m.GenerateAudio.Value);
                        WritePrices(w, "pricesPerSecond", m.PricesPerSecond);
                        WritePrices(w, "pricesPerVideo", m.PricesPerVideo);
                        if (m.Source != null) w.WriteString("source", m.Source);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }
    }
}
