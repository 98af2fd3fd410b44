using System;
using System.Collections.Generic;

namespace SoraPS.Core.Dialects
{
    /// <summary>What a body field the dialect writes from the cmdlet's parameters carries.</summary>
    public enum SentFieldMeaning
    {
        /// <summary>The model (-Model): a provider option naming it is taken as -Model.</summary>
        Model,
        /// <summary>The length in seconds (-Duration): a provider option naming it is taken as -Duration.</summary>
        Duration,
        /// <summary>The resolution as the catalog names it (-Resolution).</summary>
        Resolution,
        /// <summary>The aspect ratio (-AspectRatio).</summary>
        AspectRatio,
        /// <summary>How many videos one request makes: priced as that many (a whole number from 1).</summary>
        Count,
        /// <summary>
        /// A field made from parameters in the provider's own units (frames, pixels, a flag): a provider option naming it
        /// would change what is made without the estimate knowing, so it is refused, naming the parameter to use.
        /// </summary>
        Derived,
    }

    /// <summary>
    /// A body field the dialect writes itself from the cmdlet's parameters. A -ProviderOption with its name would replace
    /// the mapped value as the request goes out; the catalog's validation takes it as the parameter it means (or refuses it
    /// where it contradicts one), so the request is checked and priced as it is sent.
    /// </summary>
    public sealed class SentField
    {
        public SentField(string name, SentFieldMeaning meaning, string parameter)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Meaning = meaning;
            Parameter = parameter ?? throw new ArgumentNullException(nameof(parameter));
        }

        /// <summary>The field as the provider spells it.</summary>
        public string Name { get; }
        public SentFieldMeaning Meaning { get; }
        /// <summary>The cmdlet parameter (or parameters) that set it, as an error names them ("-Duration").</summary>
        public string Parameter { get; }

        public static SentField Model(string name = "model") => new SentField(name, SentFieldMeaning.Model, "-Model");
        public static SentField Duration(string name = "duration") => new SentField(name, SentFieldMeaning.Duration, "-Duration");
        public static SentField Resolution(string name = "resolution") => new SentField(name, SentFieldMeaning.Resolution, "-Resolution");
        public static SentField AspectRatio(string name = "aspect_ratio") => new SentField(name, SentFieldMeaning.AspectRatio, "-AspectRatio");
        public static SentField Count(string name) => new SentField(name, SentFieldMeaning.Count, "-ProviderOption @{ " + name + " = N }");
        public static SentField Derived(string name, string parameter) => new SentField(name, SentFieldMeaning.Derived, parameter);

        /// <summary>The common spelling: model, duration, resolution, aspect_ratio.</summary>
        public static IReadOnlyList<SentField> Common { get; } = new[] { Model(), Duration(), Resolution(), AspectRatio() };
    }
}
