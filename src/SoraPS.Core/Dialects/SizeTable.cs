using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SoraPS.Core.Dialects
{
    /// <summary>A dialect's pixel sizes by aspect ratio and resolution, readable both ways.</summary>
    public sealed class SizeTable
    {
        private readonly List<(string Aspect, string Resolution, int Width, int Height)> _rows = new List<(string, string, int, int)>();

        public SizeTable Add(string aspect, string resolution, int width, int height)
        {
            _rows.Add((aspect, resolution, width, height));
            return this;
        }

        /// <summary>The size for an aspect ratio and resolution, or (0, 0) when the table has none.</summary>
        public (int Width, int Height) SizeFor(string aspect, string resolution)
        {
            var row = _rows.FirstOrDefault(r => r.Aspect.Equals(aspect, StringComparison.OrdinalIgnoreCase) && r.Resolution.Equals(resolution, StringComparison.OrdinalIgnoreCase));
            return (row.Width, row.Height);
        }

        /// <summary>WIDTHxHEIGHT for an aspect ratio and resolution, or null.</summary>
        public string? SizeText(string aspect, string resolution)
        {
            var (w, h) = SizeFor(aspect, resolution);
            return w == 0 ? null : w.ToString(CultureInfo.InvariantCulture) + "x" + h.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>The aspect ratio and resolution of a size, or nulls when the table does not have it.</summary>
        public (string? Aspect, string? Resolution) Describe(int? width, int? height)
        {
            var row = _rows.FirstOrDefault(r => r.Width == width && r.Height == height);
            return (row.Aspect, row.Resolution);
        }

        /// <summary>As <see cref="Describe(int?, int?)"/>, for a WIDTHxHEIGHT text.</summary>
        public (string? Aspect, string? Resolution) Describe(string? size)
        {
            var parts = (size ?? "").Split('x', 'X');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h))
                return Describe(w, h);
            return (null, null);
        }
    }
}
