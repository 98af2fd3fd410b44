using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Budget;

namespace SoraPS.Commands
{
    /// <summary>Get-SoraSpend: what the journal says was spent, one object per day, month, model, profile or status.</summary>
    [Cmdlet(VerbsCommon.Get, "SoraSpend")]
    [OutputType(typeof(SoraSpend))]
    public sealed class GetSoraSpendCommand : SoraCmdlet
    {
        /// <summary>Only these profiles (wildcards allowed).</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string[]? Profile { get; set; }

        /// <summary>Tasks submitted at or after this time.</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Tasks submitted before this time.</summary>
        [Parameter]
        public DateTime? Until { get; set; }

        /// <summary>How to group: Day (local calendar day, the default), Month, Model, Profile or Status.</summary>
        /// <remarks>A string, not the Core enum: a value-type field of a Core type would load SoraPS.Core before the module's resolver is installed.</remarks>
        [Parameter]
        [ValidateSet("Day", "Month", "Model", "Profile", "Status", IgnoreCase = true)]
        public string By { get; set; } = "Day";

        private SoraPS.Core.Journal.TaskJournal? _journal;

        /// <summary>The journal this report reads (it needs none of the task machinery).</summary>
        private SoraPS.Core.Journal.TaskJournal Journal => _journal ?? (_journal = new SoraPS.Core.Journal.TaskJournal { Log = Log });

        protected override void EndProcessing()
        {
            Func<string, bool>? profiles = null;
            if (Profile != null && Profile.Length > 0)
            {
                var patterns = Profile.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToList();
                profiles = name => patterns.Any(p => p.IsMatch(name));
            }
            try
            {
                WriteObject(SpendReport.Read(Journal, (SpendGrouping)Enum.Parse(typeof(SpendGrouping), By, true), profiles, At(Since), At(Until)), true);
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                WriteSoraError(e, Journal.Directory);
            }
        }

        /// <summary>A time given without a zone is local time.</summary>
        private static DateTimeOffset? At(DateTime? value)
        {
            if (!value.HasValue) return null;
            var v = value.Value;
            return v.Kind == DateTimeKind.Utc ? new DateTimeOffset(v) : new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Local));
        }
    }
}
