using System;
using System.Management.Automation;

namespace SoraPS.Commands
{
    /// <summary>Progress records with ids no other bar of the command uses; nothing is built when progress is hidden.</summary>
    internal sealed class ProgressBars
    {
        /// <summary>The bar over all waited tasks.</summary>
        public const int Parent = 1;
        private readonly Action<ProgressRecord> _write;
        private int _next = Parent + 1;

        public ProgressBars(Action<ProgressRecord> write, bool enabled)
        {
            _write = write;
            Enabled = enabled;
        }

        public bool Enabled { get; }

        public int NextId() => _next++;

        /// <summary>Writes a record (on the pipeline thread) unless $ProgressPreference hides progress.</summary>
        public void Write(Func<ProgressRecord> record)
        {
            if (Enabled) _write(record());
        }
    }
}
