using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SoraPS.Core.Dialects;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Catalog
{
    /// <summary>What one generation is estimated to cost: seconds of video times the catalog's price per second.</summary>
    public sealed class PriceQuote
    {
        public PriceQuote(decimal perSecond, int seconds, string currency, int count = 1)
        {
            PerSecond = perSecond;
            Seconds = seconds;
            Currency = currency;
            Count = count < 1 ? 1 : count;
        }

        /// <summary>A generation priced per video (whatever its length): <see cref="Amount"/> is that price.</summary>
        public PriceQuote(int seconds, string currency, decimal perVideo, int count = 1)
        {
            PerVideo = perVideo;
            Count = count < 1 ? 1 : count;
            PerSecond = seconds > 0 ? Math.Round(perVideo / seconds, 6) : perVideo;
            Seconds = seconds;
            Currency = currency;
        }

        public decimal PerSecond { get; }
        public int Seconds { get; }
        public string Currency { get; }
        /// <summary>How many videos the request makes (each is billed).</summary>
        public int Count { get; }
        /// <summary>The price per video where the model is priced so; null for a price per second.</summary>
        public decimal? PerVideo { get; }
        public decimal Amount => (PerVideo ?? PerSecond * Seconds) * Count;

        /// <summary>"2 videos x " where the request makes several; else empty.</summary>
        internal string Videos => Count > 1 ? Count.ToString(CultureInfo.InvariantCulture) + " videos x " : "";

        public override string ToString() => PerVideo.HasValue
            ? string.Format(CultureInfo.InvariantCulture, "{0} {1} ({3}per video, {2} s)", Pricing.Format(Amount), Currency, Seconds, Videos)
            : string.Format(CultureInfo.InvariantCulture, "{0} {1} ({4}{2} s x {3} {1}/s)", Pricing.Format(Amount), Currency, Seconds, Pricing.Format(PerSecond), Videos);
    }

    /// <summary>
    /// Prices of the model catalog, read in one place (<see cref="RatePerSecond"/>, in decimal): the budgets, the
    /// spend ledger and the -WhatIf cost text all ask here, for built-in list prices and the user's own models from
    /// models.json (Register-SoraModel -PricePerSecond) alike.
    /// </summary>
    public static class Pricing
    {
        /// <summary>The unit of the built-in list prices.</summary>
        public const string ListCurrency = "USD";

        /// <summary>The model's list price per second of video at a resolution (its default when none); null when it has none.</summary>
        public static decimal? RatePerSecond(ModelSpec? spec, string? resolution)
        {
            if (spec?.UsdPerSecond == null) return null;
            // The tables are declared as doubles; (decimal) keeps their 15 significant digits (0.1 stays 0.1).
            return spec.UsdPerSecond.TryGetValue(string.IsNullOrEmpty(resolution) ? spec.DefaultResolution : resolution!, out var rate) ? (decimal)rate : (decimal?)null;
        }

        /// <summary>The price of a generation of a catalog model (the one a validated request follows, aliases resolved).</summary>
        public static PriceQuote? Quote(ModelSpec? spec, int? duration, string? resolution, int count = 1)
        {
            var rate = RatePerSecond(spec, resolution);
            if (rate.HasValue) return new PriceQuote(rate.Value, duration ?? spec!.DefaultDuration, ListCurrency, count);
            var video = RatePerVideo(spec, resolution);
            return video.HasValue ? new PriceQuote(duration ?? spec!.DefaultDuration, ListCurrency, video.Value, count) : null;
        }

        /// <summary>The model's list price per video at a resolution (its default when none), where it is priced per video; else null.</summary>
        public static decimal? RatePerVideo(ModelSpec? spec, string? resolution)
        {
            if (spec?.UsdPerVideo == null) return null;
            return spec.UsdPerVideo.TryGetValue(string.IsNullOrEmpty(resolution) ? spec.DefaultResolution : resolution!, out var price) ? (decimal)price : (decimal?)null;
        }

        /// <summary>The price of one request as validated; null when the catalog has no price for its model and resolution.</summary>
        public static PriceQuote? For(ValidatedRequest? request)
        {
            // Made at its source's length: unpriced until that length is known (never the model's default).
            if (request == null || (request.LengthFromSource && !request.Duration.HasValue)) return null;
            return Quote(request.Spec, request.Duration, request.Resolution, request.Count);
        }

        /// <summary>As <see cref="For(ValidatedRequest)"/> (the dialect is not needed: the request carries its model).</summary>
        public static PriceQuote? For(SoraDialect? dialect, ValidatedRequest? request) => For(request);

        /// <summary>The price of a generation of this model, length and resolution in the current config folder's catalog; null when it has none.</summary>
        public static PriceQuote? For(SoraDialect? dialect, string? model, int? duration, string? resolution) =>
            ModelCatalog.Current.Price(dialect, model, duration, resolution);

        /// <summary>The price of a generation journaled under a dialect name (an unknown dialect has no price).</summary>
        public static PriceQuote? For(string? dialect, string? model, int? duration, string? resolution)
        {
            var d = DialectRegistry.Dialects.FirstOrDefault(x => string.Equals(x.Name, dialect, StringComparison.OrdinalIgnoreCase));
            return d == null ? null : For(d, model, duration, resolution);
        }

        /// <summary>
        /// The -WhatIf cost text of a validated request: the quote at list price, else the resolution's price factor
        /// where the provider publishes only that, followed by what the dialect says its provider's billing adds
        /// (<see cref="SoraDialect.BillingNote"/>); null when nothing is known.
        /// </summary>
        public static string? Describe(SoraDialect dialect, ValidatedRequest request)
        {
            var text = ListPriceText(request);
            var note = dialect.BillingNote(request);
            return note == null ? text : text + note;
        }

        private static string? ListPriceText(ValidatedRequest request)
        {
            var spec = request.Spec;
            var resolution = string.IsNullOrEmpty(request.Resolution) ? spec.DefaultResolution : request.Resolution;
            var rate = RatePerSecond(spec, resolution);
            if (request.LengthFromSource && !request.Duration.HasValue)
            {
                // Made at its source's length, which is not known yet: it is looked up at the provider when the request is sent.
                return rate.HasValue
                    ? string.Format(CultureInfo.InvariantCulture, "the source video's length x ${0:0.00}/s at list price (the length is looked up at the provider before it is sent; pass the task object instead of its id to see it here)", rate.Value)
                    : null;
            }
            var quote = For(request);
            if (quote != null)
                return quote.PerVideo.HasValue
                    ? string.Format(CultureInfo.InvariantCulture, "about ${0:0.00} at list price ({2}per video, {1} s)", quote.Amount, quote.Seconds, quote.Videos)
                    : string.Format(CultureInfo.InvariantCulture, "about ${0:0.00} at list price ({3}{1} s x ${2:0.00}/s)", quote.Amount, quote.Seconds, quote.PerSecond, quote.Videos);
            var seconds = request.Duration ?? spec.DefaultDuration;
            if (spec.ResolutionPriceFactor != null && spec.ResolutionPriceFactor.TryGetValue(resolution, out var factor))
                return string.Format(CultureInfo.InvariantCulture, "billed by duration ({0} s); {1} costs {2:0.###}x the standard price", seconds, request.Resolution, factor);
            return null;
        }

        /// <summary>
        /// Whether the provider bills a task that failed (moderation, a generation error). Every dialect is taken to
        /// bill failures (none is known not to): the set of dialects that do not is empty, so failed tasks count.
        /// </summary>
        public static bool BillsFailedTasks(string? dialect) => !NotBillingFailures.Contains(dialect ?? "");

        /// <summary>Dialects known not to bill failed tasks (none so far).</summary>
        private static readonly HashSet<string> NotBillingFailures = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        internal static string Format(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);
    }
}
