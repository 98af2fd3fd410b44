using System;

namespace SoraPS.Core.Tasks
{
    /// <summary>
    /// A character made from an uploaded video: a person, animal or object a later generation can feature
    /// (<c>New-SoraVideo -Character</c>). It belongs to the profile (the account) it was made on.
    /// </summary>
    public sealed class SoraCharacter
    {
        public SoraCharacter(string id, string? name, DateTimeOffset? createdAt, string? profile)
        {
            Id = id;
            Name = name;
            CreatedAt = createdAt;
            Profile = profile;
        }

        public string Id { get; }
        public string? Name { get; }
        public DateTimeOffset? CreatedAt { get; }
        /// <summary>The profile the character was made or read on.</summary>
        public string? Profile { get; }
        /// <summary>The provider's answer as it came (keys removed).</summary>
        public string? Raw { get; internal set; }

        /// <summary>The longest name a character may have.</summary>
        public const int MaxNameLength = 80;

        public override string ToString() => Id;
    }
}
