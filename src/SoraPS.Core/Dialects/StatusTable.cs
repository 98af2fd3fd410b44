using System;
using System.Collections;
using System.Collections.Generic;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>A provider's status words and what each means; any other word is Unknown. Case and spaces do not matter.</summary>
    public sealed class StatusTable : IEnumerable<KeyValuePair<string, SoraTaskStatus>>
    {
        private readonly Dictionary<string, SoraTaskStatus> _words = new Dictionary<string, SoraTaskStatus>(StringComparer.OrdinalIgnoreCase);

        public void Add(SoraTaskStatus status, params string[] words)
        {
            foreach (var w in words) _words[w] = status;
        }

        public SoraTaskStatus Map(string? word) =>
            word != null && _words.TryGetValue(word.Trim(), out var status) ? status : SoraTaskStatus.Unknown;

        public IEnumerator<KeyValuePair<string, SoraTaskStatus>> GetEnumerator() => _words.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
