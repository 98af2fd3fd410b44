using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;

namespace SoraPS.Core.Profiles
{
    /// <summary>The kinds of value a profile setting takes.</summary>
    public enum SettingType
    {
        /// <summary>A number of seconds above 0, at most 86400.</summary>
        Seconds,
        /// <summary>A whole number from 0 to 100.</summary>
        Count,
        /// <summary>A whole number from 1 to 100 (how many at once).</summary>
        Limit,
        /// <summary>A path below the BaseUri; <c>{id}</c> is replaced by the task id.</summary>
        Path,
        /// <summary>Any non-empty text.</summary>
        Text,
    }

    /// <summary>One setting a profile may carry (Register-SoraProfile -Setting @{ Name = value }): its type, default and help.</summary>
    public sealed class SettingDeclaration
    {
        public SettingDeclaration(string name, SettingType type, string? defaultValue, string help)
        {
            Name = name;
            Type = type;
            Default = defaultValue;
            Help = help;
        }

        public string Name { get; }
        public SettingType Type { get; }
        public string? Default { get; }
        public string Help { get; }

        /// <summary>The query path of a task (UnifiedTask, V2Task, SoraWeb).</summary>
        public static SettingDeclaration QueryPath(string defaultPath) =>
            new SettingDeclaration("QueryPath", SettingType.Path, defaultPath, "Path of a task's status request; {id} is replaced by the task id.");

        /// <summary>Refuses a value this setting cannot take (before it is stored).</summary>
        public void Check(string raw)
        {
            switch (Type)
            {
                case SettingType.Seconds:
                    var s = Number(raw);
                    if (s == null || s <= 0 || s > 86400)
                        throw Invalid($"The setting {Name} takes a number of seconds above 0 (at most 86400); '{raw}' is not one.");
                    break;
                case SettingType.Count:
                case SettingType.Limit:
                    var c = Number(raw);
                    var least = Type == SettingType.Limit ? 1 : 0;
                    if (c == null || c < least || c > 100 || c != Math.Floor(c.Value))
                        throw Invalid($"The setting {Name} takes a whole number from {least} to 100; '{raw}' is not one.");
                    break;
                default:
                    if (string.IsNullOrWhiteSpace(raw))
                        throw Invalid($"The setting {Name} takes a non-empty {(Type == SettingType.Path ? "path" : "text")}; '{raw}' is not one.");
                    break;
            }
        }

        internal static double? Number(string? value) =>
            value != null && !string.IsNullOrWhiteSpace(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) && !double.IsInfinity(d) ? d : (double?)null;

        private static SoraValidationException Invalid(string message) => new SoraValidationException("InvalidSetting", "Setting", message);

        /// <summary>
        /// Checks every setting against <paramref name="declared"/> and returns them under the declared spelling,
        /// case-insensitive; an unknown name is InvalidSetting listing the allowed ones.
        /// </summary>
        [return: NotNullIfNotNull("settings")]
        public static Dictionary<string, string>? Normalize(IDictionary<string, string>? settings, IReadOnlyList<SettingDeclaration> declared, string dialect)
        {
            if (settings == null) return null;
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in settings)
            {
                var d = declared.FirstOrDefault(x => x.Name.Equals(kv.Key, StringComparison.OrdinalIgnoreCase));
                if (d == null)
                    throw Invalid($"The {dialect} dialect has no setting '{kv.Key}'. Allowed: {string.Join(", ", declared.Select(x => x.Name))}.");
                if (kv.Value == null) continue;
                d.Check(kv.Value);
                result[d.Name] = kv.Value;
            }
            return result;
        }

        public override string ToString() => $"{Name} ({Type}, default {Default}): {Help}";
    }
}
