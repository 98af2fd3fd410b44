using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Catalog
{
    /// <summary>
    /// A request checked against the catalog's model table before anything is sent: defaults filled (request,
    /// then profile, then model), every value checked, the allowed values named when one is refused. What the
    /// dialect cannot send is refused through its <see cref="SoraDialect.Capabilities"/>; its own field rules
    /// (<see cref="SoraDialect.ValidateMore"/>) run last.
    /// </summary>
    internal sealed class RequestValidator
    {
        private readonly ModelCatalog _catalog;
        private readonly SoraDialect _dialect;
        private readonly SoraProfile? _profile;

        public RequestValidator(ModelCatalog catalog, SoraDialect dialect, SoraProfile? profile)
        {
            _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
            _dialect = dialect ?? throw new ArgumentNullException(nameof(dialect));
            _profile = profile;
        }

        private string Named(ModelSpec spec) => $"{_dialect.Name} model {spec.Name}";

        /// <summary>
        /// A prompt that cannot be meant as one: it holds NUL characters (a UTF-16 file read without its encoding gives
        /// one after every letter) or nothing but control characters and spaces. Refused before anything is paid for.
        /// </summary>
        internal static void CheckPromptText(string prompt)
        {
            if (prompt.IndexOf('\0') >= 0)
                throw new SoraValidationException("PromptNotText", "Prompt",
                    "The prompt holds NUL characters, as text read from a UTF-16 file without its encoding does; nothing was sent. " +
                    "Read the file with its encoding (Get-Content -Encoding Unicode, Import-Csv -Encoding Unicode).");
            if (prompt.All(c => char.IsControl(c) || char.IsWhiteSpace(c)))
                throw new SoraValidationException("PromptNotText", "Prompt", "The prompt holds only control characters and spaces; nothing was sent. Describe the video to generate.");
        }

        /// <summary>
        /// Reads a duration as it was given: a number, or the text of a CSV cell. Only whole seconds are
        /// accepted ("8", 8, 8.0); empty and 0 mean the default (null). Anything else ("12 seconds",
        /// "twelve", 7.5) is refused with InvalidDuration naming the value and the durations the model
        /// (<paramref name="model"/>, else the profile's, else the dialect's default) allows, never rounded or dropped.
        /// </summary>
        public int? ParseDuration(object? value, string? model)
        {
            if (value == null) return null;
            var seconds = ReadSeconds(value, out var shown);
            if (shown == null) return null;
            if (seconds.HasValue && seconds.Value >= 0) return seconds.Value == 0 ? (int?)null : seconds.Value;
            var spec = _catalog.GetModel(_dialect, FirstNonEmpty(model, _profile?.Model, _dialect.DefaultModel), _profile);
            throw new SoraValidationException("InvalidDuration", "Duration",
                $"Duration '{shown}' is not a whole number of seconds. {Named(spec)} allows: {ModelSpec.List(spec.Durations)} s (empty or 0: the default).")
            { Target = value };
        }

        /// <summary>The whole seconds a value holds (null when it holds none); <paramref name="shown"/> is null for empty text.</summary>
        private static int? ReadSeconds(object value, out string? shown)
        {
            switch (value)
            {
                case int i: shown = i.ToString(CultureInfo.InvariantCulture); return i;
                case long l: shown = l.ToString(CultureInfo.InvariantCulture); return l >= int.MinValue && l <= int.MaxValue ? (int)l : (int?)null;
                case short sh: shown = sh.ToString(CultureInfo.InvariantCulture); return sh;
                case byte b: shown = b.ToString(CultureInfo.InvariantCulture); return b;
                case double d: shown = d.ToString("R", CultureInfo.InvariantCulture); return WholeSeconds((decimal?)(double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) > int.MaxValue ? (double?)null : d));
                case float f: shown = f.ToString("R", CultureInfo.InvariantCulture); return WholeSeconds((decimal?)(float.IsNaN(f) || float.IsInfinity(f) || Math.Abs(f) > int.MaxValue ? (float?)null : f));
                case decimal m: shown = m.ToString(CultureInfo.InvariantCulture); return WholeSeconds(m);
                default:
                    var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                    shown = string.IsNullOrWhiteSpace(text) ? null : text;
                    return shown != null && decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed)
                        ? WholeSeconds(parsed) : null;
            }
        }

        private static int? WholeSeconds(decimal? value) =>
            value.HasValue && value.Value == decimal.Truncate(value.Value) && value.Value >= int.MinValue && value.Value <= int.MaxValue ? (int)value.Value : (int?)null;

        /// <summary>
        /// Checks every value against the model's table and fills defaults (request, then profile, then model).
        /// Throws <see cref="SoraValidationException"/> naming the allowed values; sends nothing.
        /// </summary>
        public ValidatedRequest Validate(VideoRequest request)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var count = LiftSentFields(request);
            var modelName = FirstNonEmpty(request.Model, _profile?.Model, _dialect.DefaultModel);
            var spec = _catalog.GetModel(_dialect, modelName, _profile);
            var v = new ValidatedRequest(request, modelName ?? spec.Name, spec) { Count = count };
            CheckPrompt(request, spec);
            ValidateSource(request, v);
            v.Duration = Duration(request, spec);
            v.LengthFromSource = !string.IsNullOrEmpty(request.EditOf) || (!string.IsNullOrEmpty(request.RemixOf) && _dialect.RemixKeepsSourceLength);
            v.AspectRatio = OneOf(FirstNonEmpty(request.AspectRatio, _profile?.AspectRatio, spec.DefaultAspectRatio), spec.AspectRatios,
                "InvalidAspectRatio", "AspectRatio", "aspect ratio", spec);
            v.Resolution = OneOf(FirstNonEmpty(request.Resolution, _profile?.Resolution, spec.DefaultResolution), spec.Resolutions,
                "InvalidResolution", "Resolution", "resolution", spec);
            // A value the dialect has no field for is refused, never dropped.
            if (request.RemixStrength.HasValue) _dialect.Require(DialectOperation.RemixStrength, "RemixStrength");
            if (request.ImageFrame.HasValue) _dialect.Require(DialectOperation.ImageFrame, "ImageFrame");
            if (!string.IsNullOrWhiteSpace(request.LastFrame)) _dialect.Require(DialectOperation.LastFrame, "LastFrame");
            if (request.ReferenceImages != null && request.ReferenceImages.Count > 0) _dialect.Require(DialectOperation.ReferenceImages, "ReferenceImage");
            ValidateImage(request.Image, spec, v);
            ValidateMoreImages(request, spec, v);
            if (spec.RequiresImage && v.ImageUri == null && v.ImagePath == null)
                throw new SoraValidationException("ImageRequired", "Image", $"{Named(spec)} animates an input image: give it an image URL.");
            ValidateOperations(request);
            ValidateProviderOptions(request);
            _dialect.CheckMore(v, spec);
            return v;
        }

        private void CheckPrompt(VideoRequest request, ModelSpec spec)
        {
            if (request.Prompt == null || string.IsNullOrWhiteSpace(request.Prompt))
                throw new SoraValidationException("EmptyPrompt", "Prompt", "The prompt is empty. Describe the video to generate.");
            CheckPromptText(request.Prompt);
            if (request.Prompt.Length > spec.MaxPromptLength)
                throw new SoraValidationException("PromptTooLong", "Prompt",
                    $"The prompt has {request.Prompt.Length} characters; {Named(spec)} accepts at most {spec.MaxPromptLength}.");
        }

        /// <summary>The length to make: an edit keeps its source's, an extension adds one the model allows, else one of the model's durations.</summary>
        private int? Duration(VideoRequest request, ModelSpec spec)
        {
            if (!string.IsNullOrEmpty(request.EditOf))
            {
                // An edit keeps its source's length: nothing to choose, and the source's length (when known) prices it.
                if (request.Duration.HasValue)
                    throw new SoraValidationException("DurationWithEdit", "Duration", "An edit keeps the length of the video it edits; leave -Duration out (use -ExtendOf to add seconds).");
                return request.SourceDuration > 0 ? request.SourceDuration : null;
            }
            if (!string.IsNullOrEmpty(request.RemixOf) && _dialect.RemixKeepsSourceLength)
            {
                // The remix is made at its source's length: the source's length (when known) prices it.
                if (request.Duration.HasValue)
                    throw new SoraValidationException("DurationWithRemix", "Duration", $"A {_dialect.Name} remix keeps the length of the video it remixes; leave -Duration out.");
                return request.SourceDuration > 0 ? request.SourceDuration : null;
            }
            if (!string.IsNullOrEmpty(request.ExtendOf))
            {
                var lengths = spec.ExtendDurations;
                if (lengths == null || lengths.Count == 0)
                    throw new SoraValidationException("ExtendNotSupported", "ExtendOf", $"{Named(spec)} cannot extend a video.");
                var added = request.Duration ?? _profile?.Duration ?? spec.DefaultDuration;
                if (!lengths.Contains(added))
                    throw new SoraValidationException("InvalidDuration", "Duration",
                        $"{Named(spec)} cannot extend a video by {added} s. Allowed extensions: {ModelSpec.List(lengths)} s.");
                return added;
            }
            var duration = request.Duration ?? _profile?.Duration ?? spec.DefaultDuration;
            if (!spec.Durations.Contains(duration))
                throw new SoraValidationException("InvalidDuration", "Duration",
                    $"{Named(spec)} cannot make a {duration} s video. Allowed durations: {ModelSpec.List(spec.Durations)} s.");
            return duration;
        }

        /// <summary>The table's spelling of a value the model offers (case does not matter); else refused naming the allowed ones.</summary>
        private string OneOf(string? value, IReadOnlyList<string> allowed, string errorId, string parameter, string what, ModelSpec spec) =>
            allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new SoraValidationException(errorId, parameter, $"{Named(spec)} does not offer {what} '{value}'. Allowed: {string.Join(", ", allowed)}.");

        /// <summary>Remix, storyboard, blend and callback: each refused where the dialect cannot send it or the combination means nothing.</summary>
        private void ValidateOperations(VideoRequest request)
        {
            if (request.RemixStrength.HasValue && (request.RemixStrength < 0 || request.RemixStrength > 1))
                throw new SoraValidationException("InvalidRemixStrength", "RemixStrength", "RemixStrength goes from 0 (stay close to the source) to 1 (change freely).");
            if (request.Storyboard != null && request.Storyboard.Count > 0) _dialect.Require(DialectOperation.Storyboard, "Storyboard");
            if (request.Blend != null && request.Blend.Count > 0) _dialect.Require(DialectOperation.Blend, "Blend");
            if (request.CallbackUri != null)
            {
                _dialect.Require(DialectOperation.Callback, "CallbackUri");
                CheckPublicHttps(request.CallbackUri, "CallbackUri", 2048);
            }
            if (!string.IsNullOrEmpty(request.RemixOf)) _dialect.Require(DialectOperation.Remix, "RemixOf");
            if (request.RemixStrength.HasValue && string.IsNullOrEmpty(request.RemixOf))
                throw new SoraValidationException("RemixStrengthWithoutRemix", "RemixStrength", "-RemixStrength says how far a remix moves from its source; give the source with -RemixOf.");
            if (request.ImageFrame.HasValue && string.IsNullOrWhiteSpace(request.Image))
                throw new SoraValidationException("ImageFrameWithoutImage", "ImageFrame", "-ImageFrame places the input image; give the image with -Image.");
        }

        /// <summary>
        /// Provider options that name a field the dialect writes from a parameter (<see cref="SoraDialect.SentFields"/>):
        /// the model, length, resolution or aspect ratio is taken as that parameter (and checked as it would be), a
        /// contradiction with the parameter is refused, a count of videos is checked and returned (each is priced), and a
        /// field in the provider's own units (frames, pixels) is refused naming the parameter to use. So what is validated,
        /// journaled and priced is what goes out. Returns how many videos the request makes.
        /// </summary>
        private int LiftSentFields(VideoRequest request)
        {
            var given = request.ProviderOptions;
            if (given == null || given.Count == 0) return 1;
            var count = 1;
            var rest = new Dictionary<string, object?>(StringComparer.Ordinal);
            SentField? FieldOf(string key) => _dialect.SentFields.FirstOrDefault(f => string.Equals(f.Name, key, StringComparison.OrdinalIgnoreCase));
            // The model first: a length is checked against the model the request will name.
            foreach (var kv in given.OrderBy(g => FieldOf(g.Key)?.Meaning == SentFieldMeaning.Model ? 0 : 1))
            {
                var field = FieldOf(kv.Key);
                if (field == null) { rest[kv.Key] = kv.Value; continue; }
                var shown = Convert.ToString(kv.Value, CultureInfo.InvariantCulture) ?? "";
                switch (field.Meaning)
                {
                    case SentFieldMeaning.Model:
                        request.Model = Same(request.Model, Text(kv.Value, field), field);
                        break;
                    case SentFieldMeaning.Resolution:
                        request.Resolution = Same(request.Resolution, Text(kv.Value, field), field);
                        break;
                    case SentFieldMeaning.AspectRatio:
                        request.AspectRatio = Same(request.AspectRatio, Text(kv.Value, field), field);
                        break;
                    case SentFieldMeaning.Duration:
                        var seconds = ParseDuration(kv.Value, request.Model);
                        if (request.Duration.HasValue && seconds != request.Duration)
                            throw Conflict(field, shown, request.Duration.Value.ToString(CultureInfo.InvariantCulture));
                        request.Duration = seconds ?? request.Duration;
                        break;
                    case SentFieldMeaning.Count:
                        var n = kv.Value == null ? null : ReadSeconds(kv.Value, out _);
                        if (!n.HasValue || n.Value < 1)
                            throw new SoraValidationException("InvalidProviderOption", "ProviderOption",
                                $"The {_dialect.Name} field '{field.Name}' is how many videos the request makes: a whole number from 1; '{shown}' is not one. Nothing was sent.");
                        count = n.Value;
                        rest[field.Name] = n.Value; // sent as the number it is, and each video priced
                        break;
                    default:
                        throw new SoraValidationException("ConflictingProviderOption", "ProviderOption",
                            $"The {_dialect.Name} field '{field.Name}' is what SoraPS sends from {field.Parameter}; give {field.Parameter} instead of -ProviderOption @{{ {field.Name} = ... }}, " +
                            "so the request is checked and its cost counted as it is sent. Nothing was sent.");
                }
            }
            request.ProviderOptions = rest.Count == 0 ? null : rest;
            return count;
        }

        /// <summary>The option's value, unless the parameter says otherwise (ConflictingProviderOption).</summary>
        private string Same(string? given, string option, SentField field)
        {
            if (!string.IsNullOrWhiteSpace(given) && !string.Equals(given, option, StringComparison.OrdinalIgnoreCase))
                throw Conflict(field, option, given!);
            return option;
        }

        private string Text(object? value, SentField field) =>
            value is string s && !string.IsNullOrWhiteSpace(s)
                ? s
                : throw new SoraValidationException("InvalidProviderOption", "ProviderOption",
                    $"The {_dialect.Name} field '{field.Name}' is text ({field.Parameter}); '{Convert.ToString(value, CultureInfo.InvariantCulture)}' is not. Nothing was sent.");

        /// <summary>The option and the parameter it means (given as <paramref name="given"/>) disagree.</summary>
        private static SoraValidationException Conflict(SentField field, string option, string given) =>
            new SoraValidationException("ConflictingProviderOption", "ProviderOption",
                $"-ProviderOption @{{ {field.Name} = '{option}' }} would send another value than {field.Parameter} {given} says; give it once ({field.Parameter}). Nothing was sent.");

        private void ValidateProviderOptions(VideoRequest request)
        {
            if (request.ProviderOptions == null) return;
            foreach (var key in request.ProviderOptions.Keys)
                if (string.IsNullOrWhiteSpace(key))
                    throw new SoraValidationException("InvalidProviderOption", "ProviderOption", "ProviderOption keys must be non-empty field names.");
            ProviderOption.Check(_dialect, request.ProviderOptions);
        }

        /// <summary>
        /// The video a request starts from (remix, edit, extension: at most one), the image given by file id and the
        /// characters: each refused before anything is sent when the dialect cannot do it or the combination means nothing.
        /// </summary>
        private void ValidateSource(VideoRequest request, ValidatedRequest v)
        {
            var sources = new[] { ("RemixOf", request.RemixOf), ("EditOf", request.EditOf), ("ExtendOf", request.ExtendOf) }
                .Where(s => !string.IsNullOrEmpty(s.Item2)).Select(s => s.Item1).ToList();
            if (sources.Count > 1)
                throw new SoraValidationException("ConflictingSources", sources[1],
                    $"-{string.Join(" and -", sources)} each name the video to start from; give one of them.");
            var hasImage = !string.IsNullOrWhiteSpace(request.Image) || !string.IsNullOrEmpty(request.ImageFileId);
            if (!string.IsNullOrEmpty(request.EditOf))
            {
                _dialect.Require(DialectOperation.Edit, "EditOf");
                v.Operation = "edit";
            }
            if (!string.IsNullOrEmpty(request.ExtendOf))
            {
                _dialect.Require(DialectOperation.Extend, "ExtendOf");
                v.Operation = "extend";
            }
            if (sources.Count == 1 && sources[0] != "RemixOf" && hasImage)
                throw new SoraValidationException(sources[0] == "EditOf" ? "EditWithImage" : "ExtendWithImage", "Image",
                    $"An {(sources[0] == "EditOf" ? "edit" : "extension")} starts from the source video; leave -Image and -ImageFileId out.");
            if (!string.IsNullOrEmpty(request.ImageFileId))
            {
                _dialect.Require(DialectOperation.ImageFileId, "ImageFileId");
                if (!string.IsNullOrWhiteSpace(request.Image))
                    throw new SoraValidationException("ConflictingImages", "ImageFileId", "Give the input image once: -Image (a URL or a file) or -ImageFileId (a file already uploaded).");
            }
            if (request.Characters != null && request.Characters.Count > 0)
            {
                _dialect.Require(DialectOperation.Characters, "Character");
                if (sources.Count > 0)
                    throw new SoraValidationException("CharacterWithSource", "Character", $"Characters are cast in a new generation; -{sources[0]} starts from a finished video.");
                if (request.Characters.Any(string.IsNullOrWhiteSpace))
                    throw new SoraValidationException("InvalidCharacter", "Character", "A character id is empty.");
                if (request.Characters.Distinct(StringComparer.Ordinal).Count() > 2)
                    throw new SoraValidationException("TooManyCharacters", "Character",
                        $"A video features at most two characters; {request.Characters.Count} were given ({string.Join(", ", request.Characters)}).");
            }
        }

        private void ValidateMoreImages(VideoRequest request, ModelSpec spec, ValidatedRequest v)
        {
            var more = (request.MoreImages ?? Array.Empty<string>()).Where(i => !string.IsNullOrWhiteSpace(i)).ToList();
            if (more.Count == 0)
            {
                if (v.ImageUri != null) v.ImageUris = new[] { v.ImageUri };
                return;
            }
            if (string.IsNullOrWhiteSpace(request.Image)) throw new SoraValidationException("ImageNotFound", "Image", "The first image is empty.");
            var count = more.Count + 1;
            if (spec.Image == ImageInput.None)
                throw new SoraValidationException("ImageNotSupported", "Image", $"{_dialect.Name} model {spec.Name} does not take an input image.");
            if (count > spec.MaxImages)
                throw new SoraValidationException("TooManyImages", "Image",
                    $"{_dialect.Name} model {spec.Name} takes {(spec.MaxImages == 1 ? "one image" : "at most " + spec.MaxImages + " images")}; {count} were given.");
            var all = new List<Uri>();
            foreach (var image in new[] { request.Image }.Concat(more))
            {
                if (!Uri.TryCreate(image, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    throw new SoraValidationException("ImageUrlRequired", "Image",
                        $"Several images go to the {_dialect.Name} dialect only as http(s) URLs the provider can download; '{image}' is not one.");
                all.Add(uri);
            }
            v.ImageUris = all;
        }

        private void ValidateImage(string? image, ModelSpec spec, ValidatedRequest v)
        {
            if (string.IsNullOrWhiteSpace(image)) return;
            if (spec.Image == ImageInput.None)
                throw new SoraValidationException("ImageNotSupported", "Image", $"{_dialect.Name} model {spec.Name} does not take an input image.");
            if (Uri.TryCreate(image, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                v.ImageUri = uri;
                return;
            }
            if (spec.Image == ImageInput.UrlOnly)
                throw new SoraValidationException("ImageUrlRequired", "Image",
                    $"The {_dialect.Name} dialect takes the image only as an http(s) URL the provider can download; '{image}' is not one. Upload the file somewhere reachable and pass its URL.");
            var path = Path.GetFullPath(image);
            if (!File.Exists(path))
                throw new SoraValidationException("ImageNotFound", "Image", $"The image file '{path}' does not exist.");
            var ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".webp")
                throw new SoraValidationException("InvalidImageType", "Image", $"The image '{path}' must be .png, .jpg, .jpeg or .webp.");
            v.ImagePath = path;
        }

        /// <summary>An https URL that does not point at a loopback or private address.</summary>
        public static void CheckPublicHttps(Uri uri, string parameter, int maxLength)
        {
            if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
                throw new SoraValidationException("InvalidCallbackUri", parameter, $"{parameter} must be an https URL; '{uri}' is not.");
            if (uri.OriginalString.Length > maxLength)
                throw new SoraValidationException("InvalidCallbackUri", parameter, $"{parameter} is longer than {maxLength} characters.");
            if (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
                (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IsPrivate(ip)))
                throw new SoraValidationException("InvalidCallbackUri", parameter,
                    $"{parameter} '{uri}' points at a private or loopback address; the provider refuses those. Use a public https endpoint.");
        }

        public static bool IsPrivate(IPAddress ip)
        {
            if (IPAddress.IsLoopback(ip)) return true;
            if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || (ip.GetAddressBytes()[0] & 0xFE) == 0xFC || (ip.IsIPv4MappedToIPv6 && IsPrivate(ip.MapToIPv4()));
            var b = ip.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
        }

        private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
    }
}
