using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SoraPS.Core.Dialects;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Budget
{
    /// <summary>What one generation is estimated to cost: seconds of video times the catalog's price per second.</summary>
    public sealed class PriceQuote
    {
        public PriceQuote(decimal perSecond, int seconds, string currency)
        {
            PerSecond = perSecond;
            Seconds = seconds;
            Currency = currency;
        }

        public decimal PerSecond { get; }
        public int Seconds { get; }
        public string Currency { get; }
        public decimal Amount => PerSecond * Seconds;

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} {1} ({2} s x {3} {1}/s)", Pricing.Format(Amount), Currency, Seconds, Pricing.Format(PerSecond));
    }

    /// <summary>
    /// Prices of the model catalog. Every price budgets and the spend ledger use is asked for here, and only
    /// here: the dialect's catalog (<see cref="SoraDialect.Catalog"/>), built-in list prices and the user's own
    /// models from models.json (Register-SoraModel -PricePerSecond) alike.
    /// </summary>
    public static class Pricing
    {
        /// <summary>The unit of the built-in list prices.</summary>
        public const string ListCurrency = "USD";

        /// <summary>The price of one request as validated; null when the catalog has no price for its model and resolution.</summary>
        public static PriceQuote? For(SoraDialect? dialect, ValidatedRequest? request) =>
            request == null ? null : Quote(request.Spec, request.Duration, request.Resolution);

        /// <summary>The price of a generation of this model, length and resolution; null when the catalog has none.</summary>
        public static PriceQuote? For(SoraDialect? dialect, string? model, int? duration, string? resolution)
        {
            if (dialect == null || string.IsNullOrEmpty(model)) return null;
            return Quote(dialect.Catalog.FirstOrDefault(m => m.Accepts(model)), duration, resolution);
        }

        /// <summary>The price of a generation of a catalog model (the one a validated request follows, aliases resolved).</summary>
        private static PriceQuote? Quote(ModelSpec? spec, int? duration, string? resolution)
        {
            if (spec?.UsdPerSecond == null) return null;
            if (!spec.UsdPerSecond.TryGetValue(resolution == null || resolution.Length == 0 ? spec.DefaultResolution : resolution, out var rate)) return null;
            return new PriceQuote((decimal)rate, duration ?? spec.DefaultDuration, ListCurrency);
        }

        /// <summary>The price of a generation journaled under a dialect name (an unknown dialect has no price).</summary>
        public static PriceQuote? For(string? dialect, string? model, int? duration, string? resolution)
        {
            var d = DialectRegistry.Dialects.FirstOrDefault(x => string.Equals(x.Name, dialect, StringComparison.OrdinalIgnoreCase));
            return d == null ? null : For(d, model, duration, resolution);
        }

        /// <summary>
        /// Whether the provider bills a task that failed (moderation, a generation error). No built-in dialect
        /// is known not to, so failed tasks count; a catalog entry can say otherwise.
        /// </summary>
        public static bool BillsFailedTasks(string? dialect) => !NotBillingFailures.Contains(dialect ?? "");

        private static readonly HashSet<string> NotBillingFailures = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        internal static string Format(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);
    }
}
