using SoraPS.Core.Catalog;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// Shortcuts to the catalog of the current config folder (<see cref="ModelCatalog.Current"/>) for a dialect:
    /// <c>dialect.Validate(request, profile)</c> is <c>ModelCatalog.Current.Validate(dialect, request, profile)</c>.
    /// The dialect itself only maps the wire; a <see cref="SoraClient"/> asks its own <see cref="SoraClient.Catalog"/>.
    /// </summary>
    public static class DialectCatalogShortcuts
    {
        /// <summary>The dialect's models: built-in, the user's, learned.</summary>
        public static System.Collections.Generic.IReadOnlyList<ModelSpec> CatalogModels(this SoraDialect dialect) => ModelCatalog.Current.Models(dialect);

        /// <summary>The catalog model for a name; UnknownModel naming the allowed ones.</summary>
        public static ModelSpec GetModel(this SoraDialect dialect, string? model) => ModelCatalog.Current.GetModel(dialect, model);

        /// <summary>The catalog model for a name, through the profile's aliases.</summary>
        public static ModelSpec GetModel(this SoraDialect dialect, string? model, SoraProfile? profile) => ModelCatalog.Current.GetModel(dialect, model, profile);

        /// <summary>See <see cref="ModelCatalog.Validate"/>.</summary>
        public static ValidatedRequest Validate(this SoraDialect dialect, VideoRequest request, SoraProfile? profile) => ModelCatalog.Current.Validate(dialect, request, profile);

        /// <summary>See <see cref="ModelCatalog.ParseDuration"/>.</summary>
        public static int? ParseDuration(this SoraDialect dialect, object? value, string? model, SoraProfile? profile) => ModelCatalog.Current.ParseDuration(dialect, value, model, profile);

        /// <summary>See <see cref="ModelCatalog.EstimateCost"/>.</summary>
        public static string? EstimateCost(this SoraDialect dialect, ValidatedRequest request) => ModelCatalog.Current.EstimateCost(dialect, request);
    }
}
