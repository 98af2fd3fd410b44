using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Dialects;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>New-SoraVideo: validates, then submits one generation per prompt.</summary>
    [Cmdlet(VerbsCommon.New, "SoraVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SoraTask))]
    public sealed class NewSoraVideoCommand : SoraTaskCmdlet
    {
        /// <summary>The prompt: given here, or taken from the Prompt (or Text) property of each object piped in.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [AllowNull]
        [Alias("Text")]
        public string Prompt { get; set; }

        /// <summary>
        /// What is piped in: a prompt string, or an object whose Prompt (or Text) property holds the prompt.
        /// An object without one is refused (PromptMissing) instead of being submitted as text.
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject InputObject { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string Model { get; set; }

        /// <summary>Seconds; 0 or empty means the profile's or model's default.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Seconds")]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public object Duration { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("aspect_ratio", "Aspect")]
        [ArgumentCompleter(typeof(AspectRatioCompleter))]
        public string AspectRatio { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Size", "Quality")]
        [ArgumentCompleter(typeof(ResolutionCompleter))]
        public string Resolution { get; set; }

        /// <summary>An image URL, or a local file where the dialect can upload one; several URLs where the model takes them.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ImageUrl", "image_url", "ImagePath")]
        public string[] Image { get; set; }

        /// <summary>The image the video ends on: a URL, or a local file where the dialect takes one (OpenRouter).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("last_frame")]
        public string LastFrame { get; set; }

        /// <summary>Images that guide the video without being a frame of it (OpenRouter's input_references): URLs or local files.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("input_references")]
        public string[] ReferenceImage { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("callback_url", "CallbackUrl")]
        public string CallbackUri { get; set; }

        [Parameter]
        public Hashtable ProviderOption { get; set; }

        /// <summary>Remix an earlier video: a task object, a task id, or (SoraWeb) a generation id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("remix_of", "SourceId")]
        public object RemixOf { get; set; }

        /// <summary>Edit a finished video with the prompt (OpenAI, AzureOpenAI): a task object or a task id. The edit keeps the source's length.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("edit_of")]
        [ArgumentCompleter(typeof(TaskIdCompleter))]
        public object EditOf { get; set; }

        /// <summary>Extend a finished video by -Duration seconds, directed by the prompt (OpenAI, AzureOpenAI): a task object or a task id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("extend_of")]
        [ArgumentCompleter(typeof(TaskIdCompleter))]
        public object ExtendOf { get; set; }

        /// <summary>Characters the video features (at most two): SoraCharacter objects or character ids.</summary>
        [Parameter]
        [Alias("Characters")]
        public object[] Character { get; set; }

        /// <summary>The input image as the id of a file already uploaded to the provider (OpenAI, AzureOpenAI).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("file_id")]
        public string ImageFileId { get; set; }

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

        private bool _promptArgument;
        private int _inputCount;

        protected override void BeginProcessing()
        {
            // Only what the command line gave is bound before the first record.
            _promptArgument = MyInvocation.BoundParameters.ContainsKey(nameof(Prompt));
            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            SoraClient client;
            ValidatedRequest validated;
            string prompt;
            object target;
            try
            {
                (prompt, target) = PromptOf();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, e.Target);
                return;
            }
            try
            {
                client = ClientFor(Empty(Profile));
                var request = new VideoRequest
                {
                    Prompt = prompt,
                    Model = Empty(Model),
                    Duration = client.Dialect.ParseDuration(Unwrap(Duration), Empty(Model), client.Profile),
                    AspectRatio = Empty(AspectRatio),
                    Resolution = Empty(Resolution),
                    Image = ResolveImage(Empty(Image?.FirstOrDefault())),
                    MoreImages = Image?.Skip(1).Select(Empty).Where(i => i != null).ToList(),
                    CallbackUri = CallbackUriOf(Empty(CallbackUri)),
                    ProviderOptions = ToDictionary(ProviderOption),
                    RemixOf = RemixId(RemixOf),
                    EditOf = SourceId(EditOf),
                    ExtendOf = SourceId(ExtendOf),
                    SourceDuration = SourceLength(EditOf),
                    ImageFileId = Empty(ImageFileId),
                    Characters = CharacterIds(Character),
                    RemixStrength = RemixStrength,
                    Storyboard = StoryboardInput.ToBeats(Storyboard),
                    Blend = Blend,
                    ImageFrame = ImageFrame,
                    LastFrame = ResolveImage(Empty(LastFrame), nameof(LastFrame)),
                    ReferenceImages = ReferenceImage?.Select(Empty).Where(i => i != null).Select(i => ResolveImage(i, nameof(ReferenceImage))).ToList(),
                };
                validated = client.Validate(request);
            }
            catch (SoraException e)
            {
                WriteSoraError(e, target);
                return;
            }

            var shortPrompt = prompt.Length > 60 ? prompt.Substring(0, 57) + "..." : prompt;
            var cost = client.Dialect.EstimateCost(validated);
            var what = validated.Operation == "edit" ? "video edit" : validated.Operation == "extend" ? "video extension" : validated.Operation == "remix" ? "video remix" : "video generation";
            var action = $"Submit a paid {client.Dialect.Name} {what} on profile '{client.Profile.Name}' ({validated.Describe()})" +
                         (cost == null ? "" : "; cost: " + cost) + BudgetText(client, validated);
            if (!ShouldProcess(shortPrompt, action)) return;

            try
            {
                client.EnsureCredential();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, target);
                return;
            }
            var waitOptions = Wait ? MakeWaitOptions(TimeoutSec, PollIntervalSec) : null;
            var description = client.Dialect.Capabilities.Has(DialectOperation.Synchronous) ? $"Generating \"{shortPrompt}\" ({client.Dialect.Name}, answers when the video is ready)" : null;
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

        /// <summary>
        /// The prompt of this record and what an error about it points at: -Prompt from the command line,
        /// a string piped in, or the Prompt/Text property of an object piped in. Whole objects are never
        /// turned into text.
        /// </summary>
        private (string Prompt, object Target) PromptOf()
        {
            if (InputObject == null) return (Prompt, Prompt);
            _inputCount++;
            var input = InputObject;
            var value = input.BaseObject;
            var isText = value is string || value is char || (value != null && value.GetType().IsPrimitive) || value is decimal;
            if (_promptArgument)
                throw new SoraValidationException("PromptConflict", "Prompt",
                    $"Input {_inputCount} was piped in while -Prompt was also given on the command line; say which is the prompt: pipe the prompts, or give -Prompt without pipeline input.")
                { Target = input };
            if (isText) return (Convert.ToString(value, CultureInfo.InvariantCulture), value);
            var names = input.Properties.Select(p => p.Name).ToList();
            if (names.Any(n => string.Equals(n, nameof(Prompt), StringComparison.OrdinalIgnoreCase) || string.Equals(n, "Text", StringComparison.OrdinalIgnoreCase)))
                return (Prompt, input);
            throw new SoraValidationException("PromptMissing", "Prompt", DescribeMissingPrompt(input, names)) { Target = input };
        }

        private string DescribeMissingPrompt(PSObject input, IList<string> names)
        {
            var shown = names.Count == 0 ? "none" : string.Join(", ", names.Take(12).Select(n => "'" + n + "'")) + (names.Count > 12 ? $", and {names.Count - 12} more" : "");
            var text = $"Input {_inputCount} ({input.BaseObject?.GetType().Name ?? "null"}) has no Prompt property, so there is nothing to submit; nothing was sent. Its properties: {shown}.";
            if (input.BaseObject is IDictionary)
                return text + " A hashtable's keys are not properties: pipe [pscustomobject]@{ Prompt = '...' } instead.";
            var glued = names.FirstOrDefault(n => n.IndexOfAny(new[] { ';', '\t', '|', ',' }) >= 0);
            if (glued != null)
            {
                var sep = glued.First(c => c == ';' || c == '\t' || c == '|' || c == ',');
                var shownSep = sep == '\t' ? "`t" : sep.ToString();
                return text + $" The single column '{glued}' means the file is delimited by '{shownSep}': read it with Import-Csv -Delimiter '{shownSep}'.";
            }
            return text + " Name the column (or property) Prompt.";
        }

        /// <summary>For -WhatIf: the budget left next to the estimate, on a profile with a budget.</summary>
        private static string BudgetText(SoraClient client, ValidatedRequest validated)
        {
            try
            {
                var text = SoraPS.Core.Budget.BudgetGuard.Describe(client.Journal, client.Profile, client.Dialect, validated, client.BudgetClock);
                return text == null ? "" : "; " + text;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                return "; budget: the task journal could not be read (" + e.Message + ")";
            }
        }

        private static object Unwrap(object value) => value is PSObject pso ? pso.BaseObject : value;

        private static Uri CallbackUriOf(string text)
        {
            if (text == null) return null;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri)) return uri;
            throw new SoraValidationException("InvalidCallbackUri", "CallbackUri", $"CallbackUri '{text}' is not an absolute https URL.") { Target = text };
        }

        private string ResolveImage(string image, string parameter = "Image")
        {
            if (image == null) return null;
            if (Uri.TryCreate(image, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)) return image;
            return ProviderPaths.FileSystemPath(this, image, literal: true, parameter);
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

        /// <summary>The id of the video an edit or extension starts from: a task's id, or the id given.</summary>
        private static string SourceId(object value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            if (value == null) return null;
            if (value is SoraTask t) return t.Id;
            var s = Convert.ToString(value, CultureInfo.InvariantCulture);
            return string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        }

        /// <summary>The source's length when a task object was given (it prices an edit).</summary>
        private static int? SourceLength(object value) => (value is PSObject pso ? pso.BaseObject : value) is SoraTask t ? t.Duration : null;

        /// <summary>Character ids from SoraCharacter objects or ids.</summary>
        private static IList<string> CharacterIds(object[] values)
        {
            if (values == null) return null;
            var ids = new List<string>();
            foreach (var item in values)
            {
                var value = item is PSObject pso ? pso.BaseObject : item;
                if (value is SoraCharacter c) ids.Add(c.Id);
                else ids.Add(Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim());
            }
            return ids;
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
