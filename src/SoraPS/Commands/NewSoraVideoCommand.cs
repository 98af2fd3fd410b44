using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>New-SoraVideo: validates, then submits one generation per prompt.</summary>
    [Cmdlet(VerbsCommon.New, "SoraVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SoraTask))]
    public sealed class NewSoraVideoCommand : SoraCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [Alias("Text")]
        public string Prompt { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Profile { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string Model { get; set; }

        /// <summary>Seconds; 0 or empty means the profile's or model's default.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Seconds")]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public int? Duration { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("aspect_ratio", "Aspect")]
        [ArgumentCompleter(typeof(AspectRatioCompleter))]
        public string AspectRatio { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Size", "Quality")]
        [ArgumentCompleter(typeof(ResolutionCompleter))]
        public string Resolution { get; set; }

        /// <summary>An image URL, or a local file where the dialect can upload one.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ImageUrl", "image_url", "ImagePath")]
        public string Image { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("callback_url", "CallbackUrl")]
        public Uri CallbackUri { get; set; }

        [Parameter]
        public Hashtable ProviderOption { get; set; }

        /// <summary>Remix an earlier video: a task object, a task id, or (SoraWeb) a generation id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("remix_of", "SourceId")]
        public object RemixOf { get; set; }

        /// <summary>How far a remix may move from its source: 0 (close) to 1 (free). Default 0.5.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double? RemixStrength { get; set; }

        /// <summary>Storyboard beats: hashtables or objects with Time (seconds) and Description, or strings "4: the fox jumps".</summary>
        [Parameter]
        public object[] Storyboard { get; set; }

        /// <summary>Blend two generations (SoraWeb).</summary>
        [Parameter]
        public string[] Blend { get; set; }

        /// <summary>The frame at which -Image appears (SoraWeb).</summary>
        [Parameter]
        [ValidateRange(0, 100000)]
        public int? ImageFrame { get; set; }

        /// <summary>Wait for the task to finish (as Wait-SoraTask) and emit it finished.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(0, 86400)]
        public double TimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(0, 3600)]
        public double PollIntervalSec { get; set; }

        protected override void ProcessRecord()
        {
            SoraClient client;
            ValidatedRequest validated;
            try
            {
                client = ClientFor(Empty(Profile));
                var request = new VideoRequest
                {
                    Prompt = Prompt,
                    Model = Empty(Model),
                    Duration = Duration.HasValue && Duration.Value != 0 ? Duration : null,
                    AspectRatio = Empty(AspectRatio),
                    Resolution = Empty(Resolution),
                    Image = ResolveImage(Empty(Image)),
                    CallbackUri = CallbackUri,
                    ProviderOptions = ToDictionary(ProviderOption),
                    RemixOf = RemixId(RemixOf),
                    RemixStrength = RemixStrength,
                    Storyboard = StoryboardInput.ToBeats(Storyboard),
                    Blend = Blend,
                    ImageFrame = ImageFrame,
                };
                validated = client.Validate(request);
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Prompt);
                return;
            }

            var shortPrompt = Prompt.Length > 60 ? Prompt.Substring(0, 57) + "..." : Prompt;
            var cost = client.Dialect.EstimateCost(validated);
            var action = $"Submit a paid {client.Dialect.Name} video generation on profile '{client.Profile.Name}' ({validated.Describe()})" +
                         (cost == null ? "" : "; cost: " + cost);
            if (!ShouldProcess(shortPrompt, action)) return;

            try
            {
                client.EnsureCredential();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Prompt);
                return;
            }
            var prompt = Prompt;
            var waitOptions = Wait ? MakeWaitOptions(TimeoutSec, PollIntervalSec) : null;
            var description = client.Dialect.IsSynchronous ? $"Generating \"{shortPrompt}\" ({client.Dialect.Name}, answers when the video is ready)" : null;
            // The client itself keeps the profile's limit on requests in flight; here the queue is bounded.
            var concurrency = client.Profile.EffectiveConcurrency;
            StartBackground(client.Profile.Name ?? "", concurrency * 2, concurrency * 4, description,
                ct => client.SubmitAsync(validated, ct),
                task =>
                {
                    if (waitOptions != null) AddToWait(task, waitOptions, WriteObject);
                    else WriteObject(task);
                },
                e => WriteSoraError(e, prompt));
            Pump(block: false);
        }

        protected override void EndProcessing()
        {
            Pump(block: true);
        }

        private string ResolveImage(string image)
        {
            if (image == null) return null;
            if (Uri.TryCreate(image, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)) return image;
            try
            {
                return GetUnresolvedProviderPathFromPSPath(image);
            }
            catch (Exception e) when (e is ProviderNotFoundException || e is DriveNotFoundException || e is NotSupportedException)
            {
                return image;
            }
        }

        /// <summary>A task object remixes by its generation id where it has one, else its id.</summary>
        private static string RemixId(object value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            if (value == null) return null;
            if (value is SoraTask t) return t.GenerationId ?? t.Id;
            var s = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            return string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        }

        private static string Empty(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

        private static IDictionary<string, object> ToDictionary(Hashtable table)
        {
            if (table == null) return null;
            var d = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in table)
            {
                var v = e.Value is PSObject pso ? pso.BaseObject : e.Value;
                d[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)] = v;
            }
            return d;
        }
    }
}
