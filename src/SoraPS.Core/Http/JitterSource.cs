using System;

namespace SoraPS.Core.Http
{
    /// <summary>Random numbers for back-off jitter that many concurrent retries may draw at once (System.Random alone is not thread-safe).</summary>
    public sealed class JitterSource
    {
        private readonly object _lock = new object();
        private readonly Random _random;

        /// <summary>The source every retry uses unless given another.</summary>
        public static readonly JitterSource Shared = new JitterSource();

        public JitterSource(int? seed = null)
        {
            _random = seed.HasValue ? new Random(seed.Value) : new Random(Guid.NewGuid().GetHashCode());
        }

        /// <summary>A number from 0 (included) to 1 (excluded).</summary>
        public double NextDouble()
        {
            lock (_lock) return _random.NextDouble();
        }
    }
}
