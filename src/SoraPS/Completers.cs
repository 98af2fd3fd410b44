using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using SoraPS.Core;

namespace SoraPS.Commands
{
    /// <summary>Base of the tab completers: reads -Profile, -Dialect and -Model already on the line.</summary>
    public abstract class SoraCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string? Bound(string name) => fakeBoundParameters != null && fakeBoundParameters.Contains(name) ? fakeBoundParameters[name]?.ToString() : null;
            // Set-SoraProfile names its profile with -Name.
            var profile = Bound("Profile") ?? (commandName != null && commandName.EndsWith("SoraProfile", System.StringComparison.OrdinalIgnoreCase) ? Bound("Name") : null);
            var items = Complete(new Completion(), wordToComplete ?? "", profile, Bound("Dialect"), Bound("Model"));
            return items.Select(i => new CompletionResult(CompletionText(i.Value), i.Value, CompletionResultType.ParameterValue, i.Tooltip)).ToList();
        }

        protected abstract IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model);

        protected virtual string CompletionText(string value) => Quote(value);

        private static string Quote(string value) =>
            value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', '@', '#', ',' }) >= 0 ? "'" + value.Replace("'", "''") + "'" : value;
    }

    public sealed class ProfileCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.Profiles(word);
    }

    public sealed class DialectCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.Dialects(word);
    }

    public sealed class ModelCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.Models(word, profile, dialect);
    }

    public sealed class DurationCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.Durations(word, profile, dialect, model);
    }

    public sealed class AspectRatioCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.AspectRatios(word, profile, dialect, model);
    }

    public sealed class ResolutionCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.Resolutions(word, profile, dialect, model);
    }

    /// <summary>Offers the dialect's declared settings as <c>@{ Name = '' }</c>.</summary>
    public sealed class SettingCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.Settings(word, profile, dialect);

        protected override string CompletionText(string value) => "@{ " + value + " = '' }";
    }

    public sealed class TaskIdCompleter : SoraCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(Completion c, string word, string? profile, string? dialect, string? model) => c.TaskIds(word, profile);
    }
}
