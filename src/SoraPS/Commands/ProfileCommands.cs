using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security;
using SoraPS.Core;
using SoraPS.Core.Profiles;

namespace SoraPS.Commands
{
    /// <summary>
    /// Base of Register-SoraProfile and Set-SoraProfile: the profile's settings are declared here once (taken by property
    /// name from piped objects too), and applied to a profile in one place. The commands declare -Name, -Dialect and
    /// -BaseUri themselves: Register-SoraProfile requires them, Set-SoraProfile does not.
    /// </summary>
    public abstract class ProfileSettingsCmdlet : SoraCmdlet
    {
        public abstract string? Dialect { get; set; }

        public abstract Uri? BaseUri { get; set; }

        /// <summary>The NAME of the environment variable holding the key (the key itself is never stored).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("KeyVariable")]
        public string? ApiKeyEnvironmentVariable { get; set; }

        /// <summary>Store this key with the profile: DPAPI-encrypted on Windows, a file readable only by you elsewhere.</summary>
        [Parameter]
        public SecureString? ApiKey { get; set; }

        /// <summary>Take the key from this SecretManagement secret.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? ApiKeySecret { get; set; }

        /// <summary>The SecretManagement vault of -ApiKeySecret (default vault when omitted).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Vault { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Model { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public int? Duration { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AspectRatioCompleter))]
        public string? AspectRatio { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ResolutionCompleter))]
        public string? Resolution { get; set; }

        /// <summary>Requests in flight at once, 1 to 64 (a piped object without a value leaves it unchanged).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRangeOrNull(1, 64)]
        public int? MaxConcurrency { get; set; }

        /// <summary>Settings the dialect declares (names case-insensitive; an unknown name is refused).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SettingCompleter))]
        public Hashtable? Setting { get; set; }

        /// <summary>Model names at the provider mapped to the catalog model whose rules and prices they follow.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public Hashtable? ModelAlias { get; set; }

        /// <summary>The most the profile may spend in one local calendar day (catalog price unit); $null removes it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        public decimal? DailyBudget { get; set; }

        /// <summary>The most the profile may spend in one local calendar month (catalog price unit); $null removes it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        public decimal? MonthlyBudget { get; set; }

        /// <summary>With a budget, still submit to models the catalog has no price for (counted as 0); :$false refuses them again.</summary>
        [Parameter]
        public SwitchParameter AllowUnpricedModels { get; set; }

        /// <summary>Make this the profile used when -Profile is not given.</summary>
        [Parameter]
        public SwitchParameter Default { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>
        /// Writes the settings <paramref name="given"/> says were given (by parameter name and value) to
        /// <paramref name="profile"/>; empty text is stored as no value.
        /// </summary>
        private protected void ApplyTo(SoraProfile profile, Func<string, object?, bool> given)
        {
            if (given(nameof(Dialect), Dialect)) profile.Dialect = Dialect;
            if (given(nameof(BaseUri), BaseUri)) profile.BaseUri = BaseUri;
            if (given(nameof(ApiKeyEnvironmentVariable), ApiKeyEnvironmentVariable)) profile.ApiKeyEnvironmentVariable = TextInput.OrNull(ApiKeyEnvironmentVariable);
            if (given(nameof(ApiKeySecret), ApiKeySecret)) profile.ApiKeySecret = TextInput.OrNull(ApiKeySecret);
            if (given(nameof(Vault), Vault)) profile.Vault = TextInput.OrNull(Vault);
            if (given(nameof(Model), Model)) profile.Model = TextInput.OrNull(Model);
            if (given(nameof(Duration), Duration)) profile.Duration = Duration;
            if (given(nameof(AspectRatio), AspectRatio)) profile.AspectRatio = TextInput.OrNull(AspectRatio);
            if (given(nameof(Resolution), Resolution)) profile.Resolution = TextInput.OrNull(Resolution);
            if (given(nameof(MaxConcurrency), MaxConcurrency)) profile.MaxConcurrency = MaxConcurrency;
            if (given(nameof(Setting), Setting)) profile.Settings = ProfileSettings.From(Setting);
            if (given(nameof(ModelAlias), ModelAlias)) profile.ModelAlias = ProfileSettings.From(ModelAlias);
            if (given(nameof(DailyBudget), DailyBudget)) profile.DailyBudget = DailyBudget;
            if (given(nameof(MonthlyBudget), MonthlyBudget)) profile.MonthlyBudget = MonthlyBudget;
            if (given(nameof(AllowUnpricedModels), AllowUnpricedModels)) profile.AllowUnpricedModels = AllowUnpricedModels;
        }
    }

    /// <summary>
    /// As [ValidateRange], but a null passes: a value taken by property name from a piped object (a profile, a CSV row)
    /// may be absent. Out of range is refused by the binder as ValidateRange refuses it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateRangeOrNullAttribute : ValidateArgumentsAttribute
    {
        public ValidateRangeOrNullAttribute(int minimum, int maximum)
        {
            Minimum = minimum;
            Maximum = maximum;
        }

        public int Minimum { get; }

        public int Maximum { get; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var value = arguments is PSObject pso ? pso.BaseObject : arguments;
            if (value == null) return;
            var number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            if (number < Minimum)
                throw new ValidationMetadataException($"The {number} argument is less than the minimum allowed range of {Minimum}. Supply an argument that is greater than or equal to {Minimum} and then try the command again.");
            if (number > Maximum)
                throw new ValidationMetadataException($"The {number} argument is greater than the maximum allowed range of {Maximum}. Supply an argument that is less than or equal to {Maximum} and then try the command again.");
        }
    }

    /// <summary>Register-SoraProfile: stores a provider profile (endpoint, dialect, key reference, defaults).</summary>
    [Cmdlet(VerbsLifecycle.Register, "SoraProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SoraProfile))]
    public sealed class RegisterSoraProfileCommand : ProfileSettingsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DialectCompleter))]
        public override string? Dialect { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Endpoint", "Uri")]
        public override Uri? BaseUri { get; set; }

        /// <summary>Replace a profile of the same name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var profile = new SoraProfile { Name = Name, IsDefault = Default };
            ApplyTo(profile, (name, value) => true);
            try
            {
                ProfileStore.Validate(profile);
                if (!ShouldProcess($"{Name} ({profile.Dialect} {BaseUri})", "Register SoraPS profile in " + Store.FilePath)) return;
                var saved = Store.Update(list =>
                {
                    var existing = list.FindIndex(p => string.Equals(p.Name, Name, StringComparison.OrdinalIgnoreCase));
                    if (existing >= 0)
                    {
                        if (!Force)
                            throw new SoraConfigurationException("ProfileExists", $"A profile named '{Name}' already exists. Use -Force to replace it, or Set-SoraProfile to change it.") { Target = Name };
                        list.RemoveAt(existing);
                    }
                    if (profile.IsDefault) foreach (var p in list) p.IsDefault = false;
                    else if (list.Count == 0) profile.IsDefault = true;
                    list.Add(profile);
                });
                KeyCommands.StoreOrForget(this, Name, ApiKey, replace: true);
                if (PassThru) WriteObject(saved.First(p => string.Equals(p.Name, Name, StringComparison.OrdinalIgnoreCase)));
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Name);
            }
        }
    }

    /// <summary>Get-SoraProfile: lists stored profiles (wildcards allowed).</summary>
    [Cmdlet(VerbsCommon.Get, "SoraProfile")]
    [OutputType(typeof(SoraProfile))]
    public sealed class GetSoraProfileCommand : SoraCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Only the profile used when -Profile is not given.</summary>
        [Parameter]
        public SwitchParameter Default { get; set; }

        protected override void ProcessRecord()
        {
            IReadOnlyList<SoraProfile> all;
            try
            {
                if (Default)
                {
                    WriteObject(Store.Resolve(null));
                    return;
                }
                all = Store.Load();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Name);
                return;
            }
            if (Name == null || Name.Length == 0)
            {
                WriteObject(all, true);
                return;
            }
            foreach (var n in Name)
            {
                var pattern = WildcardPattern.Get(n, WildcardOptions.IgnoreCase);
                var found = all.Where(p => pattern.IsMatch(p.Name)).ToList();
                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                    WriteSoraError(new SoraConfigurationException("ProfileNotFound", $"No SoraPS profile named '{n}'.") { Target = n }, n);
                WriteObject(found, true);
            }
        }
    }

    /// <summary>
    /// Set-SoraProfile: changes the fields of a stored profile that are given: on the command line (where $null or
    /// empty text removes a value), or by property name from piped objects (where an empty value changes nothing).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "SoraProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SoraProfile))]
    public sealed class SetSoraProfileCommand : ProfileSettingsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Name { get; set; } = "";

        [Parameter]
        [ArgumentCompleter(typeof(DialectCompleter))]
        public override string? Dialect { get; set; }

        [Parameter]
        [Alias("Endpoint", "Uri")]
        public override Uri? BaseUri { get; set; }

        /// <summary>Forget the key stored with the profile.</summary>
        [Parameter]
        public SwitchParameter RemoveStoredKey { get; set; }

        /// <summary>The parameters given on the command line (the only ones bound before the first record).</summary>
        private HashSet<string> _commandLine = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        protected override void BeginProcessing()
        {
            _commandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
            base.BeginProcessing();
        }

        /// <summary>
        /// Whether a setting was given for this record. BoundParameters keeps the names an earlier piped object bound
        /// (their values are reset to null), so a value taken from the pipeline counts only when it is not empty.
        /// </summary>
        private bool Given(string name, object? value) =>
            _commandLine.Contains(name) ||
            (MyInvocation.BoundParameters.ContainsKey(name) && value != null && !(value is string text && TextInput.OrNull(text) == null));

        protected override void ProcessRecord()
        {
            if (!ShouldProcess(Name, "Change SoraPS profile in " + Store.FilePath)) return;
            try
            {
                var saved = Store.Update(list =>
                {
                    var p = list.FirstOrDefault(x => string.Equals(x.Name, Name, StringComparison.OrdinalIgnoreCase));
                    if (p == null)
                        throw new SoraConfigurationException("ProfileNotFound", $"No SoraPS profile named '{Name}'. Use Register-SoraProfile to add it.") { Target = Name };
                    ApplyTo(p, Given);
                    if (_commandLine.Contains(nameof(Default)))
                    {
                        if (Default) foreach (var other in list) other.IsDefault = false;
                        p.IsDefault = Default;
                    }
                });
                if (ApiKey != null) KeyCommands.StoreOrForget(this, Name, ApiKey, replace: true);
                if (RemoveStoredKey) new KeyStore(Store.Directory).Remove(Name);
                if (PassThru) WriteObject(Store.Find(Name));
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Name);
            }
        }
    }

    /// <summary>Unregister-SoraProfile: removes stored profiles.</summary>
    [Cmdlet(VerbsLifecycle.Unregister, "SoraProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class UnregisterSoraProfileCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        protected override void ProcessRecord()
        {
            foreach (var n in Name)
            {
                if (!ShouldProcess(n, "Unregister SoraPS profile")) continue;
                try
                {
                    Store.Update(list =>
                    {
                        var removed = list.RemoveAll(p => string.Equals(p.Name, n, StringComparison.OrdinalIgnoreCase));
                        if (removed == 0)
                            throw new SoraConfigurationException("ProfileNotFound", $"No SoraPS profile named '{n}'.") { Target = n };
                    });
                    new KeyStore(Store.Directory).Remove(n);
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, n);
                }
            }
        }
    }

    internal static class KeyCommands
    {
        /// <summary>Stores a key given as a SecureString, warning where the platform cannot encrypt it.</summary>
        public static void StoreOrForget(SoraCmdlet cmdlet, string profile, SecureString? key, bool replace)
        {
            if (key == null) return;
            var plain = new System.Net.NetworkCredential("", key).Password;
            if (string.IsNullOrEmpty(plain))
                throw new SoraValidationException("InvalidApiKey", "ApiKey", "The key is empty.");
            var store = new KeyStore(cmdlet.Store.Directory);
            store.Set(profile, plain);
            if (!KeyStore.Encrypts)
                cmdlet.WriteWarning($"The key for profile '{profile}' is stored in '{store.FilePath}', readable only by you (mode 0600) but NOT encrypted on this platform. An environment variable (-ApiKeyEnvironmentVariable) or SecretManagement (-ApiKeySecret) keeps it out of files altogether.");
        }
    }

    internal static class ProfileSettings
    {
        public static Dictionary<string, string>? From(Hashtable? table)
        {
            if (table == null || table.Count == 0) return null;
            var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in table)
                d[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? "";
            return d;
        }
    }
}
