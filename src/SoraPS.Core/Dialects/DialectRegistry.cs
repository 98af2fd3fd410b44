using System;
using System.Collections.Generic;
using System.Linq;

namespace SoraPS.Core.Dialects
{
    /// <summary>The dialects SoraPS speaks, by name.</summary>
    public static class DialectRegistry
    {
        private static readonly SoraDialect[] All =
        {
            new OpenAIDialect(),
            new UnifiedTaskDialect(),
            new V2TaskDialect(),
            new OneRouterDialect(),
            new SoraWebDialect(),
            new AzureJobsDialect(),
            new AzureOpenAIDialect(),
            new NewApiDialect(),
            new OpenRouterDialect(),
        };

        public static IReadOnlyList<SoraDialect> Dialects => All;
        public static IEnumerable<string> Names => All.Select(d => d.Name);

        public static SoraDialect Get(string? name)
        {
            var d = All.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
            if (d != null) return d;
            throw new SoraValidationException("UnknownDialect", "Dialect",
                $"'{name}' is not a dialect SoraPS speaks. Known dialects: {string.Join(", ", Names)}.");
        }
    }
}
