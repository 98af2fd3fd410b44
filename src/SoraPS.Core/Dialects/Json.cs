using System;
using System.Globalization;
using System.Text.Json;

namespace SoraPS.Core.Dialects
{
    /// <summary>Tolerant readers for provider JSON: a missing or oddly typed field is null, never an exception.</summary>
    internal static class Json
    {
        public static JsonElement? Prop(this JsonElement e, string name)
        {
            if (e.ValueKind != JsonValueKind.Object) return null;
            if (e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null && v.ValueKind != JsonValueKind.Undefined) return v;
            return null;
        }

        public static JsonElement? Path(this JsonElement e, params string[] names)
        {
            JsonElement? cur = e;
            foreach (var n in names)
            {
                if (cur == null) return null;
                cur = cur.Value.Prop(n);
            }
            return cur;
        }

        public static string? Str(this JsonElement? e)
        {
            if (e == null) return null;
            var v = e.Value;
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.Number: return v.GetRawText();
                case JsonValueKind.True: return "true";
                case JsonValueKind.False: return "false";
                default: return null;
            }
        }

        public static string? Str(this JsonElement e, string name) => e.Prop(name).Str();

        public static double? Num(this JsonElement? e)
        {
            if (e == null) return null;
            var v = e.Value;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
            if (v.ValueKind == JsonValueKind.String)
            {
                var s = v.GetString()!.Trim().TrimEnd('%', 's').Trim();
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return p;
            }
            return null;
        }

        public static int? Int(this JsonElement? e)
        {
            var d = e.Num();
            if (d == null || double.IsNaN(d.Value) || double.IsInfinity(d.Value) || Math.Abs(d.Value) > int.MaxValue) return null;
            return (int)Math.Round(d.Value);
        }

        public static bool? Bool(this JsonElement? e)
        {
            if (e == null) return null;
            if (e.Value.ValueKind == JsonValueKind.True) return true;
            if (e.Value.ValueKind == JsonValueKind.False) return false;
            return null;
        }

        /// <summary>Unix seconds (or milliseconds), or an ISO date string.</summary>
        public static DateTimeOffset? Time(this JsonElement? e)
        {
            if (e == null) return null;
            var v = e.Value;
            if (v.ValueKind == JsonValueKind.String &&
                DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) &&
                !double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                return parsed;
            var n = e.Num();
            if (n == null || n.Value <= 0 || double.IsInfinity(n.Value) || n.Value > 1e14) return null;
            var seconds = n.Value > 1e11 ? n.Value / 1000 : n.Value;
            try { return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)); }
            catch (ArgumentOutOfRangeException) { return null; }
        }

        /// <summary>
        /// Progress in percent from "50%", 50, or a 0..1 fraction such as 0.93.
        /// </summary>
        public static int? Percent(this JsonElement? e, bool fraction = false)
        {
            if (e == null) return null;
            var raw = e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString()! : e.Value.GetRawText();
            var d = e.Num();
            if (d == null || double.IsNaN(d.Value) || double.IsInfinity(d.Value)) return null;
            var value = d.Value;
            var looksFractional = fraction || (value > 0 && value < 1) || (value == 1 && raw.Contains("."));
            if (looksFractional && raw.IndexOf('%') < 0) value *= 100;
            return (int)Math.Max(0, Math.Min(100, Math.Round(value)));
        }

        public static JsonDocument? TryParse(string? body)
        {
            if (body == null || string.IsNullOrWhiteSpace(body)) return null;
            try { return JsonDocument.Parse(body); }
            catch (JsonException) { return null; }
        }
    }
}
