using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Catalog
{
    /// <summary>What <see cref="ModelCatalog.Remember"/> kept, and which models it left out and why.</summary>
    public sealed class ModelListUpdate
    {
        public ModelListUpdate(IReadOnlyList<UserModel> learned, IReadOnlyList<string> skipped)
        {
            Learned = learned;
            Skipped = skipped;
        }

        public IReadOnlyList<UserModel> Learned { get; }
        public IReadOnlyList<string> Skipped { get; }
    }

    /// <summary>
    /// The models SoraPS knows for each dialect, each with its source (<see cref="ModelSpec.Source"/>): the dialect's
    /// built-in table, the user's models from models.json (a user model with a built-in model's name takes its place,
    /// any other is added), the models learned from the provider's model list and kept in models.json
    /// (<see cref="Remember"/>, Update-SoraModel: in a built-in model's place unless the user registered one of that
    /// name) and models learned in memory (<see cref="Learn"/>, after the others). Validation
    /// (<see cref="Validate"/>), cost estimates and prices (<see cref="Pricing"/>) read their models here.
    /// A <see cref="SoraClient"/> owns the catalog of its config folder; models.json is read by its
    /// <see cref="Store"/> only, once, and again only when the file changes.
    /// </summary>
    public sealed class ModelCatalog
    {
        private static readonly ConcurrentDictionary<string, ModelCatalog> ByDirectory = new ConcurrentDictionary<string, ModelCatalog>(StringComparer.Ordinal);

        // By dialect object (the registry's): looked up for every price the spend ledger reads.
        private readonly ConcurrentDictionary<SoraDialect, IReadOnlyList<ModelSpec>> _learned = new ConcurrentDictionary<SoraDialect, IReadOnlyList<ModelSpec>>();

        public ModelCatalog(string? directory = null)
        {
            Store = new ModelStore(directory);
        }

        /// <summary>The catalog of the current config folder (one per folder in a process, so its cache is shared).</summary>
        public static ModelCatalog Current
        {
            get
            {
                var directory = ConfigPaths.ConfigDirectory;
                var last = _last;
                if (last != null && string.Equals(last.Item1, directory, StringComparison.Ordinal)) return last.Item2;
                var catalog = For(directory);
                _last = Tuple.Create(directory, catalog);
                return catalog;
            }
        }

        private static Tuple<string, ModelCatalog>? _last;

        /// <summary>The catalog of a config folder (one per folder in a process).</summary>
        public static ModelCatalog For(string directory) => ByDirectory.GetOrAdd(Path.GetFullPath(directory), d => new ModelCatalog(d));

        /// <summary>The user's models (models.json).</summary>
        public ModelStore Store { get; }

        /// <summary>
        /// Models a provider told of (for example its model list), tagged with where they came from: they follow the
        /// built-in and user models and never replace one of the same name. Replaces what was learned before for the dialect.
        /// </summary>
        public void Learn(SoraDialect dialect, IEnumerable<ModelSpec> models, string source)
        {
            if (dialect == null) throw new ArgumentNullException(nameof(dialect));
            var list = (models ?? throw new ArgumentNullException(nameof(models))).ToList();
            foreach (var m in list) m.Source = source;
            _learned[dialect] = list;
        }

        /// <summary>The dialect's models: built-in ones (the user's in their place), the user's new ones, then learned ones.</summary>
        public IReadOnlyList<ModelSpec> Models(SoraDialect dialect)
        {
            if (dialect == null) throw new ArgumentNullException(nameof(dialect));
            _learned.TryGetValue(dialect, out var learned);
            var user = Store.Load();
            // The merge is kept while neither the user's list nor the learned one changed.
            if (_merged.TryGetValue(dialect, out var last) && ReferenceEquals(last.User, user) && ReferenceEquals(last.Learned, learned))
                return last.Result;
            var result = Merge(dialect, user, learned, Store.FilePath);
            _merged[dialect] = (user, learned, result);
            return result;
        }

        private readonly ConcurrentDictionary<SoraDialect, (IReadOnlyList<UserModel> User, IReadOnlyList<ModelSpec>? Learned, IReadOnlyList<ModelSpec> Result)> _merged =
            new ConcurrentDictionary<SoraDialect, (IReadOnlyList<UserModel>, IReadOnlyList<ModelSpec>?, IReadOnlyList<ModelSpec>)>();

        /// <summary>The catalog model for a name (through the profile's aliases when a profile is given); UnknownModel naming the allowed ones.</summary>
        public ModelSpec GetModel(SoraDialect dialect, string? model, SoraProfile? profile = null)
        {
            var name = profile?.CatalogModel(model) ?? model;
            var catalog = Models(dialect);
            var spec = catalog.FirstOrDefault(m => m.Accepts(name));
            if (spec != null) return spec;
            throw new SoraValidationException("UnknownModel", "Model",
                $"The {dialect.Name} dialect has no model '{name}'. Allowed: {string.Join(", ", catalog.Select(m => m.Name))}. {Fix(dialect, profile?.Name, name, catalog)}");
        }

        /// <summary>
        /// The command that adds a model the catalog lacks: <c>Update-SoraModel -Profile …</c> where the dialect's
        /// provider lists its models, else <c>Register-SoraModel -Dialect … -Name … -Like …</c>.
        /// </summary>
        public static string Fix(SoraDialect dialect, string? profile, string? model, IReadOnlyList<ModelSpec>? known = null)
        {
            if (dialect == null) throw new ArgumentNullException(nameof(dialect));
            if (dialect.HasModelList)
                return $"To learn the models its provider serves now: Update-SoraModel -Profile {Word(string.IsNullOrEmpty(profile) ? "<profile>" : profile!)}.";
            var like = (known != null && known.Count > 0 ? known[0] : dialect.Models[0]).Name;
            return $"To add it by hand: Register-SoraModel -Dialect {dialect.Name} -Name {Word(string.IsNullOrEmpty(model) ? "<model>" : model!)} -Like {Word(like)}.";
        }

        private static string Word(string text) =>
            text.StartsWith("<", StringComparison.Ordinal) || text.All(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':')
                ? text : "'" + text.Replace("'", "''") + "'";

        /// <summary>
        /// Checks every value against the model's table and fills defaults (request, then profile, then model).
        /// Throws <see cref="SoraValidationException"/> naming the allowed values; sends nothing.
        /// </summary>
        public ValidatedRequest Validate(SoraDialect dialect, VideoRequest request, SoraProfile? profile) =>
            new RequestValidator(this, dialect, profile).Validate(request);

        /// <summary>
        /// Reads a duration as it was given: a number, or the text of a CSV cell. Only whole seconds are accepted;
        /// empty and 0 mean the default (null); anything else is InvalidDuration naming the model's durations.
        /// </summary>
        public int? ParseDuration(SoraDialect dialect, object? value, string? model, SoraProfile? profile) =>
            new RequestValidator(this, dialect, profile).ParseDuration(value, model);

        /// <summary>The price of a generation of this model, length and resolution; null when the catalog has none.</summary>
        public PriceQuote? Price(SoraDialect? dialect, string? model, int? duration, string? resolution)
        {
            if (dialect == null || string.IsNullOrEmpty(model)) return null;
            return Pricing.Quote(Models(dialect).FirstOrDefault(m => m.Accepts(model)), duration, resolution);
        }

        /// <summary>What the request will cost, as far as the catalog and the provider's billing rules tell; null when unknown.</summary>
        public string? EstimateCost(SoraDialect dialect, ValidatedRequest request) => Pricing.Describe(dialect, request);

        /// <summary>
        /// Built-in models with the user's in their place (a registered model, else one learned from the provider and
        /// kept in models.json), the user's new ones, the provider's new ones, then those learned in memory
        /// (<see cref="Learn"/>) not already there.
        /// </summary>
        internal static IReadOnlyList<ModelSpec> Merge(SoraDialect dialect, IReadOnlyList<UserModel> user, IReadOnlyList<ModelSpec>? learned, string userSource)
        {
            var mine = user.Where(m => string.Equals(m.Dialect, dialect.Name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (mine.Count == 0 && (learned == null || learned.Count == 0)) return dialect.Models;
            var registered = mine.Where(m => !m.IsLearned).ToList();
            var provided = mine.Where(m => m.IsLearned && !registered.Any(r => string.Equals(r.Name, m.Name, StringComparison.OrdinalIgnoreCase))).ToList();
            ModelSpec Spec(UserModel m) => ModelStore.ToSpec(dialect, m, m.IsLearned ? m.Source! : userSource);
            var result = new List<ModelSpec>();
            foreach (var builtIn in dialect.Models)
            {
                var over = registered.FirstOrDefault(m => builtIn.Accepts(m.Name)) ?? provided.FirstOrDefault(m => builtIn.Accepts(m.Name));
                result.Add(over == null ? builtIn : Spec(over));
            }
            foreach (var m in registered.Concat(provided))
                if (!dialect.Models.Any(b => b.Accepts(m.Name))) result.Add(Spec(m));
            if (learned != null)
                foreach (var m in learned)
                    if (!result.Any(r => r.Accepts(m.Name))) result.Add(m);
            return result;
        }

        /// <summary>
        /// Keeps the models read from the dialect's provider in models.json (<see cref="ProviderModels.ReadAsync"/>):
        /// what was learned before for the dialect is replaced; a model the user registered is never touched (a
        /// learned one of its name is left out, and said so in <see cref="ModelListUpdate.Skipped"/>), nor one of
        /// another dialect. A model without the rules to validate a request (durations, resolutions, aspect ratios
        /// and no built-in model of its name to take them from) is left out too.
        /// </summary>
        public ModelListUpdate Remember(SoraDialect dialect, IEnumerable<UserModel> models)
        {
            if (dialect == null) throw new ArgumentNullException(nameof(dialect));
            var list = (models ?? throw new ArgumentNullException(nameof(models))).ToList();
            var learned = new List<UserModel>();
            var skipped = new List<string>();
            Store.Update(all =>
            {
                learned.Clear();
                skipped.Clear();
                all.RemoveAll(m => m.IsLearned && string.Equals(m.Dialect, dialect.Name, StringComparison.OrdinalIgnoreCase));
                foreach (var m in list)
                {
                    m.Dialect = dialect.Name;
                    if (!m.IsLearned) throw new ArgumentException($"The model '{m.Name}' has no source: only models learned from a provider are remembered.", nameof(models));
                    if (learned.Any(x => string.Equals(x.Name, m.Name, StringComparison.OrdinalIgnoreCase))) continue;
                    if (all.Any(x => string.Equals(x.Dialect, dialect.Name, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Name, m.Name, StringComparison.OrdinalIgnoreCase)))
                    {
                        skipped.Add($"{m.Name}: you registered a model of this name (Register-SoraModel); yours is kept");
                        continue;
                    }
                    try
                    {
                        Store.Check(m, null);
                    }
                    catch (SoraValidationException e)
                    {
                        skipped.Add($"{m.Name}: {e.Message}");
                        continue;
                    }
                    all.Add(m);
                    learned.Add(m);
                }
            });
            return new ModelListUpdate(learned, skipped);
        }
    }
}
