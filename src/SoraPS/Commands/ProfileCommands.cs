using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Profiles;

namespace SoraPS.Commands
{
    /// <summary>Register-SoraProfile: stores a provider profile (endpoint, dialect, key reference, defaults).</summary>
    [Cmdlet(VerbsLifecycle.Register, "SoraProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SoraProfile))]
    public sealed class RegisterSoraProfileCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DialectCompleter))]
        public string Dialect { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Endpoint", "Uri")]
        public Uri BaseUri { get; set; }

        /// <summary>The NAME of the environment variable holding the key (the key itself is never stored).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("KeyVariable")]
        public string ApiKeyEnvironmentVariable { get; set; }

        /// <summary>Store this key with the profile: DPAPI-encrypted on Windows, a file readable only by you elsewhere.</summary>
        [Parameter]
        public System.Security.SecureString ApiKey { get; set; }

        /// <summary>Take the key from this SecretManagement secret.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string ApiKeySecret { get; set; }

        /// <summary>The SecretManagement vault of -ApiKeySecret (default vault when omitted).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Vault { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string Model { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public int? Duration { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AspectRatioCompleter))]
        public string AspectRatio { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ResolutionCompleter))]
        public string Resolution { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 64)]
        public int? MaxConcurrency { get; set; }

        /// <summary>Settings the dialect declares (names case-insensitive; an unknown name is refused).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SettingCompleter))]
        public System.Collections.Hashtable Setting { get; set; }

        /// <summary>Model names at the provider mapped to the catalog model whose rules and prices they follow.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public System.Collections.Hashtable ModelAlias { get; set; }
        /// <summary>The most the profile may spend in one local calendar day (catalog price unit).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        public decimal? DailyBudget { get; set; }

        /// <summary>The most the profile may spend in one local calendar month (catalog price unit).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        public decimal? MonthlyBudget { get; set; }

        /// <summary>With a budget, still submit to models the catalog has no price for (counted as 0).</summary>
        [Parameter]
        public SwitchParameter AllowUnpricedModels { get; set; }

        /// <summary>Make this the profile used when -Profile is not given.</summary>
        [Parameter]
        public SwitchParameter Default { get; set; }

        /// <summary>Replace a profile of the same name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var profile = new SoraProfile
            {
                Name = Name,
                Dialect = Dialect,
                BaseUri = BaseUri,
                ApiKeyEnvironmentVariable = string.IsNullOrWhiteSpace(ApiKeyEnvironmentVariable) ? null : ApiKeyEnvironmentVariable,
                ApiKeySecret = string.IsNullOrWhiteSpace(ApiKeySecret) ? null : ApiKeySecret,
                Vault = string.IsNullOrWhiteSpace(Vault) ? null : Vault,
                Model = string.IsNullOrWhiteSpace(Model) ? null : Model,
                Duration = Duration,
                AspectRatio = string.IsNullOrWhiteSpace(AspectRatio) ? null : AspectRatio,
                Resolution = string.IsNullOrWhiteSpace(Resolution) ? null : Resolution,
                MaxConcurrency = MaxConcurrency,
                Settings = ProfileSettings.From(Setting),
                ModelAlias = ProfileSettings.From(ModelAlias),
                IsDefault = Default,
                DailyBudget = DailyBudget,
                MonthlyBudget = MonthlyBudget,
                AllowUnpricedModels = AllowUnpricedModels,
            };
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
        public string[] Name { get; set; }

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

    /// <summary>Set-SoraProfile: changes fields of a stored profile.</summary>
    [Cmdlet(VerbsCommon.Set, "SoraProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SoraProfile))]
    public sealed class SetSoraProfileCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Name { get; set; }

        [Parameter] [ArgumentCompleter(typeof(DialectCompleter))] public string Dialect { get; set; }
        [Parameter] [Alias("Endpoint", "Uri")] public Uri BaseUri { get; set; }
        [Parameter] [Alias("KeyVariable")] public string ApiKeyEnvironmentVariable { get; set; }
        [Parameter] public System.Security.SecureString ApiKey { get; set; }
        [Parameter] public string ApiKeySecret { get; set; }
        [Parameter] public string Vault { get; set; }
        /// <summary>Forget the key stored with the profile.</summary>
        [Parameter] public SwitchParameter RemoveStoredKey { get; set; }
        [Parameter] [ArgumentCompleter(typeof(ModelCompleter))] public string Model { get; set; }
        [Parameter] [ArgumentCompleter(typeof(DurationCompleter))] public int? Duration { get; set; }
        [Parameter] [ArgumentCompleter(typeof(AspectRatioCompleter))] public string AspectRatio { get; set; }
        [Parameter] [ArgumentCompleter(typeof(ResolutionCompleter))] public string Resolution { get; set; }
        [Parameter] [ValidateRange(1, 64)] public int? MaxConcurrency { get; set; }
        [Parameter] [ArgumentCompleter(typeof(SettingCompleter))] public System.Collections.Hashtable Setting { get; set; }
        [Parameter] public System.Collections.Hashtable ModelAlias { get; set; }
        /// <summary>The daily budget; $null removes it.</summary>
        [Parameter] [AllowNull] public decimal? DailyBudget { get; set; }
        /// <summary>The monthly budget; $null removes it.</summary>
        [Parameter] [AllowNull] public decimal? MonthlyBudget { get; set; }
        /// <summary>-AllowUnpricedModels:$false refuses unpriced models again.</summary>
        [Parameter] public SwitchParameter AllowUnpricedModels { get; set; }
        [Parameter] public SwitchParameter Default { get; set; }
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess(Name, "Change SoraPS profile in " + Store.FilePath)) return;
            var bound = MyInvocation.BoundParameters;
            try
            {
                var saved = Store.Update(list =>
                {
                    var p = list.FirstOrDefault(x => string.Equals(x.Name, Name, StringComparison.OrdinalIgnoreCase));
                    if (p == null)
                        throw new SoraConfigurationException("ProfileNotFound", $"No SoraPS profile named '{Name}'. Use Register-SoraProfile to add it.") { Target = Name };
                    if (bound.ContainsKey(nameof(Dialect))) p.Dialect = Dialect;
                    if (bound.ContainsKey(nameof(BaseUri))) p.BaseUri = BaseUri;
                    if (bound.ContainsKey(nameof(ApiKeyEnvironmentVariable))) p.ApiKeyEnvironmentVariable = Blank(ApiKeyEnvironmentVariable);
                    if (bound.ContainsKey(nameof(ApiKeySecret))) p.ApiKeySecret = Blank(ApiKeySecret);
                    if (bound.ContainsKey(nameof(Vault))) p.Vault = Blank(Vault);
                    if (bound.ContainsKey(nameof(Model))) p.Model = Blank(Model);
                    if (bound.ContainsKey(nameof(Duration))) p.Duration = Duration;
                    if (bound.ContainsKey(nameof(AspectRatio))) p.AspectRatio = Blank(AspectRatio);
                    if (bound.ContainsKey(nameof(Resolution))) p.Resolution = Blank(Resolution);
                    if (bound.ContainsKey(nameof(MaxConcurrency))) p.MaxConcurrency = MaxConcurrency;
                    if (bound.ContainsKey(nameof(Setting))) p.Settings = ProfileSettings.From(Setting);
                    if (bound.ContainsKey(nameof(ModelAlias))) p.ModelAlias = ProfileSettings.From(ModelAlias);
                    if (bound.ContainsKey(nameof(DailyBudget))) p.DailyBudget = DailyBudget;
                    if (bound.ContainsKey(nameof(MonthlyBudget))) p.MonthlyBudget = MonthlyBudget;
                    if (bound.ContainsKey(nameof(AllowUnpricedModels))) p.AllowUnpricedModels = AllowUnpricedModels;
                    if (bound.ContainsKey(nameof(Default)))
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

        private static string Blank(string s) => string.IsNullOrWhiteSpace(s) ? null : s;
    }

    /// <summary>Unregister-SoraProfile: removes stored profiles.</summary>
    [Cmdlet(VerbsLifecycle.Unregister, "SoraProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class UnregisterSoraProfileCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string[] Name { get; set; }

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
        public static void StoreOrForget(SoraCmdlet cmdlet, string profile, System.Security.SecureString key, bool replace)
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
        public static Dictionary<string, string> From(System.Collections.Hashtable table)
        {
            if (table == null || table.Count == 0) return null;
            var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (System.Collections.DictionaryEntry e in table)
                d[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)] = Convert.ToString(e.Value, System.Globalization.CultureInfo.InvariantCulture);
            return d;
        }
    }
}
