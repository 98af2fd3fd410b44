using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Batch;
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
        public string? Prompt { get; set; }

        /// <summary>
        /// What is piped in: a prompt string, or an object whose Prompt (or Text) property holds the prompt.
        /// An object without one is refused (PromptMissing) instead of being submitted as text.
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Model { get; set; }

        /// <summary>
        /// Seconds; 0 or empty means the profile's or model's default. Text, as a CSV cell gives it: the dialect reads
        /// it (a number the binder turns into text reads the same) and refuses what is not a whole number of seconds.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Seconds")]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public string? Duration { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("aspect_ratio", "Aspect")]
        [ArgumentCompleter(typeof(AspectRatioCompleter))]
        public string? AspectRatio { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Size", "Quality")]
        [ArgumentCompleter(typeof(ResolutionCompleter))]
        public string? Resolution { get; set; }

        /// <summary>An image URL, or a local file where the dialect can upload one; several URLs where the model takes them.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ImageUrl", "image_url", "ImagePath", "input_reference")]
        public string[]? Image { get; set; }

        /// <summary>The image the video ends on: a URL, or a local file where the dialect takes one (OpenRouter).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("last_frame")]
        public string? LastFrame { get; set; }

        /// <summary>Images that guide the video without being a frame of it (OpenRouter's input_references): URLs or local files.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("input_references")]
        public string[]? ReferenceImage { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("callback_url", "CallbackUrl")]
        public string? CallbackUri { get; set; }

        [Parameter]
        public Hashtable? ProviderOption { get; set; }

        /// <summary>Remix an earlier video: a task object (or any object with an Id), a task id, or (SoraWeb) a generation id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("remix_of", "SourceId")]
        public SoraTaskReference? RemixOf { get; set; }

        /// <summary>Edit a finished video with the prompt (OpenAI, AzureOpenAI): a task object (or any object with an Id) or a task id. The edit keeps the source's length.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("edit_of")]
        [ArgumentCompleter(typeof(TaskIdCompleter))]
        public SoraTaskReference? EditOf { get; set; }

        /// <summary>Extend a finished video by -Duration seconds, directed by the prompt (OpenAI, AzureOpenAI): a task object (or any object with an Id) or a task id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("extend_of")]
        [ArgumentCompleter(typeof(TaskIdCompleter))]
        public SoraTaskReference? ExtendOf { get; set; }

        /// <summary>Characters the video features (at most two): SoraCharacter objects (or any objects with an Id) or character ids.</summary>
        [Parameter]
        [Alias("Characters")]
        public SoraCharacterReference[]? Character { get; set; }

        /// <summary>The input image as the id of a file already uploaded to the provider (OpenAI, AzureOpenAI).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("file_id")]
        public string? ImageFileId { get; set; }

        /// <summary>How far a remix may move from its source: 0 (close) to 1 (free). Default 0.5.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double? RemixStrength { get; set; }

        /// <summary>Storyboard beats: hashtables or objects with Time (seconds) and Description, or strings "4: the fox jumps".</summary>
        [Parameter]
        public object[]? Storyboard { get; set; }

        /// <summary>Blend two generations (SoraWeb).</summary>
        [Parameter]
        public string[]? Blend { get; set; }

        /// <summary>The frame at which -Image appears (SoraWeb).</summary>
        [Parameter]
        [ValidateRange(0, 100000)]
        public int? ImageFrame { get; set; }

        /// <summary>
        /// Submit each row once: a row whose key is already journaled for a submission that has not failed emits
        /// that task and sends nothing. The key is -Key (or the row's Key), else derived from what would be sent.
        /// </summary>
        [Parameter]
        public SwitchParameter Once { get; set; }

        /// <summary>The row's key for -Once (any text up to 200 characters); recorded on the task.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Key { get; set; }

        /// <summary>The file name Save-SoraVideo -Path &lt;folder&gt; gives this task's video (a batch row's out); kept in the journal.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("out")]
        public string? OutFile { get; set; }

        /// <summary>Wait for the task to finish (as Wait-SoraTask) and emit it finished.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>
        /// The command's time limit in seconds, from its first prompt (0: none): submissions (their wait for a slot, the
        /// request, retries after push-back) and the -Wait end by then (WaitTimeout). A submission it cuts while out is
        /// journaled Unknown.
        /// </summary>
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
            if (Rehearsal.Active)
                WriteWarning($"Rehearsal ({Rehearsal.Variable} is set): requests are checked by the dialect's rules and answered by a simulation; nothing is sent and nothing is paid. Tasks, spend and budgets are kept in the rehearsal's own journal.");
        }

        protected override void ProcessRecord()
        {
            string? prompt;
            object? target;
            try
            {
                (prompt, target) = PromptOf();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, e.Target);
                return;
            }
            SoraClient client;
            ValidatedRequest validated;
            SubmissionOnce? once;
            try
            {
                client = ClientFor(TextInput.OrNull(Profile));
                validated = client.Validate(RequestFor(client, prompt, target));
                once = OnceFor(client, validated);
            }
            catch (SoraException e)
            {
                WriteSoraError(e, target);
                return;
            }
            // Validation refused an empty prompt: from here on there is one.
            var shortPrompt = Shorten(prompt!);
            if (!ShouldProcess(shortPrompt, PaidAction(client, validated))) return;
            try
            {
                client.EnsureCredential();
            }
            catch (SoraException e)
            {
                WriteSoraError(e, target);
                return;
            }
            Submit(client, validated, prompt!, shortPrompt, once);
        }

        protected override void EndProcessing()
        {
            Pump(block: true);
        }

        /// <summary>
        /// The request this record asks for, as the parameters give it (the dialect validates it next); a batch file's
        /// size (1280x720) becomes the aspect ratio and resolution it means for the model.
        /// </summary>
        private VideoRequest RequestFor(SoraClient client, string? prompt, object? target)
        {
            var (aspectRatio, resolution) = (TextInput.OrNull(AspectRatio), TextInput.OrNull(Resolution));
            if (BatchRow.IsPixelSize(resolution))
            {
                var (a, r) = BatchRow.FromSize(client.Dialect, client.Profile, TextInput.OrNull(Model), resolution!);
                if (aspectRatio != null && !string.Equals(aspectRatio, a, StringComparison.OrdinalIgnoreCase))
                    throw new SoraValidationException("InvalidSize", "AspectRatio", $"Size {resolution} is {a}, but the row also says aspect ratio {aspectRatio}; nothing was sent. Give one of them.") { Target = target };
                (aspectRatio, resolution) = (a, r);
            }
            return new VideoRequest
            {
                Prompt = prompt,
                Model = TextInput.OrNull(Model),
                Duration = client.Dialect.ParseDuration(Duration, TextInput.OrNull(Model), client.Profile),
                AspectRatio = aspectRatio,
                Resolution = resolution,
                Image = ResolveImage(TextInput.OrNull(Image?.FirstOrDefault())),
                MoreImages = Image?.Skip(1).Select(TextInput.OrNull).Where(i => i != null).Select(i => i!).ToList(),
                CallbackUri = CallbackUriOf(TextInput.OrNull(CallbackUri)),
                ProviderOptions = ToDictionary(ProviderOption),
                RemixOf = RemixOf?.RemixId,
                EditOf = EditOf?.Id,
                ExtendOf = ExtendOf?.Id,
                SourceDuration = EditOf?.Duration ?? RemixOf?.Duration,
                ImageFileId = TextInput.OrNull(ImageFileId),
                Characters = Character?.Select(c => c?.Id ?? "").ToList(),
                RemixStrength = RemixStrength,
                Storyboard = StoryboardInput.ToBeats(Storyboard),
                Blend = Blend,
                ImageFrame = ImageFrame,
                LastFrame = ResolveImage(TextInput.OrNull(LastFrame), nameof(LastFrame)),
                ReferenceImages = ReferenceImage?.Select(TextInput.OrNull).Where(i => i != null).Select(i => ResolveImage(i, nameof(ReferenceImage))!).ToList(),
            };
        }

        private static string Shorten(string prompt) => prompt.Length > 60 ? prompt.Substring(0, 57) + "..." : prompt;

        /// <summary>What -WhatIf and -Confirm show: the paid operation, its settings, its estimated cost and the budget left.</summary>
        private static string PaidAction(SoraClient client, ValidatedRequest validated)
        {
            var cost = client.Dialect.EstimateCost(validated);
            var what = validated.Operation == "edit" ? "video edit" : validated.Operation == "extend" ? "video extension" : validated.Operation == "remix" ? "video remix" : "video generation";
            return $"Submit a paid {client.Dialect.Name} {what} on profile '{client.Profile.Name}' ({validated.Describe()})" +
                   (cost == null ? "" : "; cost: " + cost) + BudgetText(client, validated);
        }

        /// <summary>
        /// Submits in the background (the queue bounded per profile); the task is emitted, or waited for with -Wait. -TimeoutSec
        /// counts from the command's start and bounds the submission and the wait together.
        /// </summary>
        private void Submit(SoraClient client, ValidatedRequest validated, string prompt, string shortPrompt, SubmissionOnce? once)
        {
            var waitOptions = Wait ? MakeWaitOptions(TimeoutSec, PollIntervalSec) : null;
            var description = client.Dialect.Capabilities.Has(DialectOperation.Synchronous) ? $"Generating \"{shortPrompt}\" ({client.Dialect.Name}, answers when the video is ready)" : null;
            // The client itself keeps the profile's limit on requests in flight; here the queue is bounded.
            var concurrency = client.Profile.EffectiveConcurrency;
            // -TimeoutSec bounds the submission too (its slot, request and retries); a stopped pipeline drops it unsent.
            var limits = new SubmitLimits { Deadline = DeadlineOf(TimeoutSec), Unsent = QueueStopToken };
            StartBackground(client.Profile.Name ?? "", concurrency * 2, concurrency * 4, description,
                ct => client.SubmitAsync(validated, once, limits, ct),
                task =>
                {
                    if (once != null) ReportOnce(once, task);
                    if (waitOptions != null && !(once?.Existing?.Unresolved ?? false)) AddToWait(task, waitOptions, WriteObject);
                    else WriteObject(task);
                },
                e =>
                {
                    if (once?.Previous != null) ReportOnce(once, null);
                    WriteSoraError(e, prompt);
                });
            Pump(block: false);
        }

        /// <summary>-Once, -Key and -OutFile: how this row is journaled (null when none of them is given).</summary>
        private SubmissionOnce? OnceFor(SoraClient client, ValidatedRequest validated)
        {
            var key = BatchKey.Given(Key);
            var outFile = BatchRow.CheckOutFile(OutFile);
            if (Once) return new SubmissionOnce(key ?? BatchKey.Derive(client.Profile.Name, client.Dialect.Name, validated), outFile, check: true);
            return key != null || outFile != null ? new SubmissionOnce(key, outFile, check: false) : null;
        }

        /// <summary>-Once: says which rows were not sent (already journaled) and which were sent again, and why.</summary>
        private void ReportOnce(SubmissionOnce once, SoraTask? task)
        {
            if (once.Existing != null)
            {
                if (once.Existing.Unresolved)
                    WriteWarning($"Row key '{once.Key}' is already journaled as submission {task?.Id}, whose outcome is unknown (sent, never answered); nothing was sent. " +
                                 $"Look for it at the provider with: Get-SoraTask -Id {task?.Id} | Resolve-SoraTask");
                else
                    WriteVerbose($"Row key '{once.Key}' is already journaled as task {task?.Id} ({task?.Status}); nothing was sent.");
            }
            else if (once.Previous != null)
            {
                WriteWarning($"Row key '{once.Key}': its earlier task {once.Previous.Id} {once.ResendReason}, so the row was submitted again" + (task == null ? "." : $" as {task.Id}."));
            }
        }

        /// <summary>
        /// The prompt of this record and what an error about it points at: -Prompt from the command line,
        /// a string piped in, or the Prompt/Text property of an object piped in. Whole objects are never
        /// turned into text.
        /// </summary>
        private (string? Prompt, object? Target) PromptOf()
        {
            if (InputObject == null) return (Prompt, Prompt);
            _inputCount++;
            var input = InputObject;
            var value = input.BaseObject;
            var isText = value != null && IsText(value);
            if (_promptArgument)
                throw new SoraValidationException("PromptConflict", "Prompt",
                    $"Input {_inputCount} was piped in while -Prompt was also given on the command line; say which is the prompt: pipe the prompts, or give -Prompt without pipeline input.")
                { Target = input };
            if (isText) return (Convert.ToString(value, CultureInfo.InvariantCulture), value);
            var names = input.Properties.Select(p => p.Name).ToList();
            var property = input.Properties[nameof(Prompt)] ?? input.Properties["Text"];
            if (property != null)
            {
                var given = property.Value is PSObject wrapped ? wrapped.BaseObject : property.Value;
                if (given != null && !IsText(given))
                    throw new SoraValidationException("PromptNotText", "Prompt",
                        $"Input {_inputCount}'s {property.Name} is {DescribeValue(given)}, not text; nothing was sent. A prompt is a string (in JSON: \"prompt\": \"...\").")
                    { Target = input };
                return (Prompt, input);
            }
            throw new SoraValidationException("PromptMissing", "Prompt", DescribeMissingPrompt(input, names)) { Target = input };
        }

        private static bool IsText(object value) => value is string || value is char || value.GetType().IsPrimitive || value is decimal;

        private static string DescribeValue(object value)
        {
            var text = value is PSCustomObject || value is IDictionary || value is IEnumerable ? LanguagePrimitives.ConvertTo<string>(PSObject.AsPSObject(value)) : value.ToString();
            if (text != null && text.Length > 60) text = text.Substring(0, 57) + "...";
            return $"a {value.GetType().Name} ({text})";
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

        private static Uri? CallbackUriOf(string? text)
        {
            if (text == null) return null;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri)) return uri;
            throw new SoraValidationException("InvalidCallbackUri", "CallbackUri", $"CallbackUri '{text}' is not an absolute https URL.") { Target = text };
        }

        private string? ResolveImage(string? image, string parameter = "Image")
        {
            if (image == null) return null;
            if (Uri.TryCreate(image, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)) return image;
            return ProviderPaths.FileSystemPath(this, image, literal: true, parameter);
        }

        private static IDictionary<string, object?>? ToDictionary(Hashtable? table)
        {
            if (table == null) return null;
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in table)
            {
                var v = e.Value is PSObject pso ? pso.BaseObject : e.Value;
                d[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = v;
            }
            return d;
        }
    }
}
