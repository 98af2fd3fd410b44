using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// A parameter value that names a provider object by its id. PowerShell's binder makes it with a constructor from
    /// whatever was given: an id, the object itself, or any object with an id property (an Import-Csv row, ConvertFrom-Json
    /// output, a hashtable). It lives in the cmdlet assembly: a parameter type from SoraPS.Core would be loaded before the
    /// module's resolver is installed.
    /// </summary>
    public abstract class SoraReference
    {
        private protected SoraReference(object? value, string what, string[] idNames)
        {
            var item = value is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : value;
            if (item == null || item is string || item is char || item is decimal || item.GetType().IsPrimitive)
            {
                Id = Text(item);
                return;
            }
            if (FromObject(item)) return;
            object? found = null;
            var named = false;
            if (item is IDictionary dict)
            {
                foreach (DictionaryEntry e in dict)
                {
                    if (!idNames.Any(n => n.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase))) continue;
                    found = e.Value;
                    named = true;
                    break;
                }
            }
            else
            {
                var property = PSObject.AsPSObject(value!).Properties.FirstOrDefault(p => idNames.Any(n => n.Equals(p.Name, StringComparison.OrdinalIgnoreCase)));
                if (property != null)
                {
                    found = property.Value;
                    named = true;
                }
            }
            if (!named)
                throw new ArgumentException($"Cannot read a {what} from {Describe(value!, item)}: give the {what} id, the {what} object, or an object with one of the properties {string.Join(", ", idNames)}.");
            Id = Text(found is PSObject p ? p.BaseObject : found);
        }

        private static string Describe(object value, object item)
        {
            var names = item is IDictionary dict
                ? dict.Keys.Cast<object>().Select(k => Convert.ToString(k, CultureInfo.InvariantCulture)).ToList()
                : PSObject.AsPSObject(value).Properties.Select(p => p.Name).ToList();
            var type = item is PSObject pso ? pso.BaseObject.GetType().Name : item.GetType().Name;
            return names.Count == 0 ? $"a {type} without properties"
                : $"a {type} whose properties are {string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", …" : "")}";
        }

        /// <summary>The id, trimmed; null when the value was empty (the parameter is then as if not given).</summary>
        public string? Id { get; private protected set; }

        /// <summary>Takes the id from the Core object this reference names, when <paramref name="item"/> is one.</summary>
        private protected abstract bool FromObject(object item);

        private static string? Text(object? value) => TextInput.OrNull(Convert.ToString(value, CultureInfo.InvariantCulture));

        public override string ToString() => Id ?? "";
    }

    /// <summary>A task given to -RemixOf, -EditOf or -ExtendOf: a task id, a SoraTask, or any object with an Id (TaskId, task_id, video_id) property.</summary>
    public sealed class SoraTaskReference : SoraReference
    {
        private static readonly string[] IdNames = { "Id", "TaskId", "task_id", "video_id" };

        public SoraTaskReference(string? id) : base(id, "task", IdNames) { }

        public SoraTaskReference(object? value) : base(value, "task", IdNames) { }

        /// <summary>The generation id of a task object that has one (SoraWeb remixes by it).</summary>
        public string? GenerationId { get; private set; }

        /// <summary>The length of a task object's video in seconds (it prices an edit).</summary>
        public int? Duration { get; private set; }

        /// <summary>What a remix starts from: the generation id where there is one, else the task id.</summary>
        public string? RemixId => GenerationId ?? Id;

        private protected override bool FromObject(object item)
        {
            if (!(item is SoraTask task)) return false;
            Id = task.Id;
            GenerationId = task.GenerationId;
            Duration = task.Duration;
            return true;
        }
    }

    /// <summary>A character given to -Character: a character id, a SoraCharacter, or any object with an Id (CharacterId, character_id) property.</summary>
    public sealed class SoraCharacterReference : SoraReference
    {
        private static readonly string[] IdNames = { "Id", "CharacterId", "character_id" };

        public SoraCharacterReference(string? id) : base(id, "character", IdNames) { }

        public SoraCharacterReference(object? value) : base(value, "character", IdNames) { }

        private protected override bool FromObject(object item)
        {
            if (!(item is SoraCharacter character)) return false;
            Id = character.Id;
            return true;
        }
    }
}
