using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;

namespace SoraPS.Commands
{
    /// <summary>Get-SoraModel: the model catalog, built-in, the user's and those learned from a provider (Update-SoraModel), one object per model.</summary>
    [Cmdlet(VerbsCommon.Get, "SoraModel")]
    [OutputType(typeof(SoraModelInfo))]
    public sealed class GetSoraModelCommand : SoraCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string[]? Name { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DialectCompleter))]
        public string? Dialect { get; set; }

        /// <summary>The profile's dialect, with the profile's model aliases shown on the models they follow.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string? Profile { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var profile = string.IsNullOrEmpty(Profile) ? null : Store.Resolve(Profile);
                foreach (var model in SoraModelInfo.Query(Dialect, profile, Name))
                    WriteObject(model);
            }
            catch (SoraException e)
            {
                WriteSoraError(e, e.Target ?? (object?)Name);
            }
        }
    }

    /// <summary>Register-SoraModel: adds or overrides a model in the user's catalog (models.json).</summary>
    [Cmdlet(VerbsLifecycle.Register, "SoraModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SoraModelInfo))]
    public sealed class RegisterSoraModelCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DialectCompleter))]
        public string Dialect { get; set; } = "";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; } = "";

        /// <summary>The model whose rules are copied; the other parameters override them.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Like { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public int[]? Duration { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? Resolution { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? AspectRatio { get; set; }

        /// <summary>US dollars per second of video, at every resolution of the model.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public decimal? PricePerSecond { get; set; }

        /// <summary>Replace a user model of the same name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var dialect = DialectRegistry.Get(Dialect);
                var model = new UserModel { Dialect = dialect.Name, Name = Name };
                if (!string.IsNullOrEmpty(Like))
                {
                    var basis = dialect.GetModel(Like);
                    model.Like = basis.Name;
                    model.Durations = basis.Durations.ToArray();
                    model.DefaultDuration = basis.DefaultDuration;
                    model.AspectRatios = basis.AspectRatios.ToArray();
                    model.DefaultAspectRatio = basis.DefaultAspectRatio;
                    model.Resolutions = basis.Resolutions.ToArray();
                    model.DefaultResolution = basis.DefaultResolution;
                    model.ImageInput = basis.Image.ToString();
                    model.MaxPromptLength = basis.MaxPromptLength;
                    if (basis.Source != ModelSpec.BuiltIn && basis.UsdPerSecond != null && basis.UsdPerSecond.Values.Distinct().Count() == 1)
                        model.PricePerSecond = (decimal)basis.UsdPerSecond.Values.First();
                }
                if (Duration != null) model.Durations = Duration;
                if (Resolution != null) model.Resolutions = Resolution;
                if (AspectRatio != null) model.AspectRatios = AspectRatio;
                if (PricePerSecond.HasValue) model.PricePerSecond = PricePerSecond;
                var store = new ModelStore(Store.Directory);
                store.Check(model, null);
                if (!ShouldProcess($"{dialect.Name} model {Name}", "Register SoraPS model in " + store.FilePath)) return;
                store.Update(list =>
                {
                    // A model learned from the provider (Update-SoraModel) gives way to the one registered by hand.
                    list.RemoveAll(m => m.IsLearned && m.Dialect == model.Dialect && string.Equals(m.Name, model.Name, StringComparison.OrdinalIgnoreCase));
                    var existing = list.FindIndex(m => m.Dialect == model.Dialect && string.Equals(m.Name, model.Name, StringComparison.OrdinalIgnoreCase));
                    if (existing >= 0)
                    {
                        if (!Force)
                            throw new SoraConfigurationException("ModelExists", $"You already registered the {dialect.Name} model '{Name}'. Use -Force to replace it.") { Target = Name };
                        list.RemoveAt(existing);
                    }
                    list.Add(model);
                });
                if (PassThru) WriteObject(SoraModelInfo.From(dialect, dialect.GetModel(Name)));
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Name);
            }
        }
    }

    /// <summary>Unregister-SoraModel: removes a model from the user's catalog (a built-in one it replaced comes back).</summary>
    [Cmdlet(VerbsLifecycle.Unregister, "SoraModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class UnregisterSoraModelCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DialectCompleter))]
        public string Dialect { get; set; } = "";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string Name { get; set; } = "";

        protected override void ProcessRecord()
        {
            try
            {
                var dialect = DialectRegistry.Get(Dialect);
                var store = new ModelStore(Store.Directory);
                if (!ShouldProcess($"{dialect.Name} model {Name}", "Unregister SoraPS model from " + store.FilePath)) return;
                store.Update(list =>
                {
                    if (list.RemoveAll(m => m.Dialect == dialect.Name && string.Equals(m.Name, Name, StringComparison.OrdinalIgnoreCase)) == 0)
                        throw new SoraConfigurationException("ModelNotFound", $"You registered no {dialect.Name} model '{Name}'; built-in models cannot be removed.") { Target = Name };
                });
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Name);
            }
        }
    }
}
