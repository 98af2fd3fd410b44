using System;
using System.Collections.Generic;
using System.Linq;

namespace SoraPS.Core.Dialects
{
    /// <summary>The JSON type a documented provider field takes.</summary>
    public enum ProviderOptionType
    {
        Boolean,
        String,
        Integer,
        /// <summary>A JSON object (a hashtable).</summary>
        Object,
    }

    /// <summary>
    /// A body field of the provider's request that SoraPS does not map from a parameter but documents and checks
    /// when it is given with -ProviderOption: its name (as the provider spells it), type and one line of help.
    /// </summary>
    public sealed class ProviderOption
    {
        public ProviderOption(string name, ProviderOptionType type, string help)
        {
            Name = name;
            Type = type;
            Help = help;
        }

        public string Name { get; }
        public ProviderOptionType Type { get; }
        public string Help { get; }

        public override string ToString() => $"{Name} ({Type.ToString().ToLowerInvariant()}): {Help}";

        /// <summary>
        /// Checks the declared fields among <paramref name="given"/> (names case-insensitive, rewritten to the
        /// provider's spelling); other fields pass as they are. A value of the wrong type is InvalidProviderOption.
        /// </summary>
        internal static void Check(SoraDialect dialect, IDictionary<string, object?>? given)
        {
            if (given == null || dialect.ProviderOptions.Count == 0) return;
            foreach (var key in given.Keys.ToList())
            {
                var declared = dialect.ProviderOptions.FirstOrDefault(o => string.Equals(o.Name, key, StringComparison.OrdinalIgnoreCase));
                if (declared == null) continue;
                var value = given[key];
                if (!declared.Accepts(value))
                    throw new SoraValidationException("InvalidProviderOption", "ProviderOption",
                        $"The {dialect.Name} field '{declared.Name}' is a {declared.Type.ToString().ToLowerInvariant()} ({declared.Help}); '{value}' is not one.");
                if (key != declared.Name)
                {
                    given.Remove(key);
                    given[declared.Name] = value;
                }
            }
        }

        private bool Accepts(object? value)
        {
            switch (Type)
            {
                case ProviderOptionType.Boolean: return value is bool;
                case ProviderOptionType.String: return value is string;
                case ProviderOptionType.Object: return value is System.Collections.IDictionary;
                default: return value is int || value is long || value is short || value is byte;
            }
        }
    }
}
