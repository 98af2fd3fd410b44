using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>Turns what users type or import into storyboard beats.</summary>
    internal static class StoryboardInput
    {
        private static readonly string[] TimeNames = { "Time", "Seconds", "At", "Start" };
        private static readonly string[] TextNames = { "Description", "Text", "Prompt", "Beat" };

        public static IList<StoryboardBeat>? ToBeats(object?[]? items)
        {
            if (items == null || items.Length == 0) return null;
            var beats = new List<StoryboardBeat>();
            foreach (var raw in items)
            {
                var item = raw is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : raw;
                string? time = null, text = null;
                if (item is string s)
                {
                    var colon = s.IndexOf(':');
                    if (colon > 0) { time = s.Substring(0, colon).Trim().TrimEnd('s'); text = s.Substring(colon + 1).Trim(); }
                }
                else if (item is IDictionary dict)
                {
                    foreach (DictionaryEntry e in dict)
                    {
                        var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                        if (Array.Exists(TimeNames, n => n.Equals(key, StringComparison.OrdinalIgnoreCase))) time = Convert.ToString(e.Value, CultureInfo.InvariantCulture);
                        if (Array.Exists(TextNames, n => n.Equals(key, StringComparison.OrdinalIgnoreCase))) text = Convert.ToString(e.Value, CultureInfo.InvariantCulture);
                    }
                }
                else if (item is PSObject obj)
                {
                    foreach (var p in obj.Properties)
                    {
                        if (Array.Exists(TimeNames, n => n.Equals(p.Name, StringComparison.OrdinalIgnoreCase))) time = Convert.ToString(p.Value, CultureInfo.InvariantCulture);
                        if (Array.Exists(TextNames, n => n.Equals(p.Name, StringComparison.OrdinalIgnoreCase))) text = Convert.ToString(p.Value, CultureInfo.InvariantCulture);
                    }
                }
                if (!double.TryParse(time, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || string.IsNullOrWhiteSpace(text))
                    throw new SoraValidationException("InvalidStoryboard", "Storyboard",
                        $"Cannot read the storyboard beat '{raw}'. Give @{{ Time = 0; Description = 'dawn' }}, objects with Time and Description (for example CSV rows), or strings like '4: the fox jumps'.");
                beats.Add(new StoryboardBeat(seconds, text!.Trim()));
            }
            return beats;
        }
    }
}
