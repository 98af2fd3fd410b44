using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using SoraPS.Core.Catalog;
using SoraPS.Core.Http;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// OpenRouter's model list (<c>GET /api/v1/videos/models</c>, the spec's <c>VideoModelsListResponse</c>): a
    /// <c>data</c> array of <c>VideoModel</c> with <c>supported_durations</c>, <c>supported_resolutions</c>,
    /// <c>supported_aspect_ratios</c>, <c>supported_sizes</c>, <c>supported_frame_images</c>, <c>generate_audio</c> and
    /// <c>pricing_skus</c> (prices as strings, keyed by SKU).
    /// </summary>
    public static class OpenRouterModelList
    {
        private static readonly HashSet<string> SecondWords = new HashSet<string>(StringComparer.Ordinal) { "second", "seconds", "sec", "secs" };
        private static readonly HashSet<string> AudioWords = new HashSet<string>(StringComparer.Ordinal) { "audio", "with", "without", "no" };
        private static readonly HashSet<string> PlainWords = new HashSet<string>(StringComparer.Ordinal) { "per", "video", "videos" };

        /// <summary>Reads the list; an answer without a <c>data</c> array is UnexpectedResponse.</summary>
        public static IReadOnlyList<UserModel> Parse(ProviderResponse response, string dialect)
        {
            if (response == null) throw new ArgumentNullException(nameof(response));
            using (var doc = Json.TryParse(response.Body))
            {
                var data = doc?.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Prop("data") : null;
                if (data?.ValueKind != JsonValueKind.Array)
                    throw new SoraProtocolException("The OpenRouter model list has no 'data' array.", response.Body);
                var list = new List<UserModel>();
                foreach (var item in data.Value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object) continue;
                    var id = item.Str("id");
                    if (string.IsNullOrWhiteSpace(id)) continue;
                    var resolutions = Texts(item.Prop("supported_resolutions"));
                    var frames = Texts(item.Prop("supported_frame_images"));
                    var model = new UserModel
                    {
                        Dialect = dialect,
                        Name = id,
                        Durations = Numbers(item.Prop("supported_durations")),
                        Resolutions = resolutions,
                        AspectRatios = Texts(item.Prop("supported_aspect_ratios")),
                        Sizes = Texts(item.Prop("supported_sizes")),
                        FrameImages = frames,
                        GenerateAudio = item.Prop("generate_audio").Bool(),
                        ImageInput = frames == null ? null : frames.Contains("first_frame") ? nameof(Dialects.ImageInput.UrlOrFile) : nameof(Dialects.ImageInput.None),
                    };
                    if (model.Durations?.Length == 0) model.Durations = null;
                    if (model.Resolutions?.Length == 0) model.Resolutions = null;
                    if (model.AspectRatios?.Length == 0) model.AspectRatios = null;
                    var skus = item.Prop("pricing_skus");
                    if (skus?.ValueKind == JsonValueKind.Object && model.Resolutions != null)
                    {
                        var (perSecond, perVideo) = Prices(skus.Value, model.Resolutions);
                        model.PricesPerSecond = perSecond;
                        model.PricesPerVideo = perVideo;
                    }
                    list.Add(model);
                }
                return list;
            }
        }

        /// <summary>
        /// The prices of <c>pricing_skus</c> whose unit is certain, per resolution: a key made of the words per, video,
        /// second(s) (per second, as OpenRouter's <c>per-video-second</c> and <c>video_seconds</c>) or per and video
        /// without seconds (per video), optionally a resolution of the model and audio words. A key with any other word
        /// (<c>generate</c>, tokens, a resolution the model lacks) says nothing certain and is ignored. A key with a
        /// resolution is that resolution's price, one without applies to the others; where audio is priced apart the
        /// higher price is kept (whether audio is on is not known here). Both units at once: no price at all.
        /// </summary>
        public static (Dictionary<string, decimal>? PerSecond, Dictionary<string, decimal>? PerVideo) Prices(JsonElement skus, IReadOnlyList<string> resolutions)
        {
            if (resolutions == null) throw new ArgumentNullException(nameof(resolutions));
            var seconds = new List<(string? Resolution, bool Audio, decimal Price)>();
            var videos = new List<(string? Resolution, bool Audio, decimal Price)>();
            if (skus.ValueKind != JsonValueKind.Object) return (null, null);
            foreach (var p in skus.EnumerateObject())
            {
                var text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : null;
                if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price) || price < 0) continue;
                string? resolution = null;
                bool perSecond = false, per = false, video = false, certain = true;
                var words = p.Name.ToLowerInvariant().Split(new[] { '-', '_', ' ', '.', ':' }, StringSplitOptions.RemoveEmptyEntries);
                var audio = words.Contains("audio") && !words.Contains("without") && !words.Contains("no");
                foreach (var word in words)
                {
                    var res = resolutions.FirstOrDefault(r => string.Equals(r, word, StringComparison.OrdinalIgnoreCase));
                    if (res != null && resolution == null) resolution = res;
                    else if (SecondWords.Contains(word)) perSecond = true;
                    else if (AudioWords.Contains(word)) continue;
                    else if (PlainWords.Contains(word)) { per |= word == "per"; video |= word != "per"; }
                    else { certain = false; break; }
                }
                if (!certain) continue;
                if (perSecond) seconds.Add((resolution, audio, price));
                else if (per && video) videos.Add((resolution, audio, price));
            }
            if (seconds.Count > 0 && videos.Count > 0) return (null, null);
            return (Table(seconds, resolutions), Table(videos, resolutions));
        }

        private static Dictionary<string, decimal>? Table(List<(string? Resolution, bool Audio, decimal Price)> keys, IReadOnlyList<string> resolutions)
        {
            if (keys.Count == 0) return null;
            var table = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in resolutions)
            {
                decimal? Pick(bool audio) =>
                    keys.Where(k => k.Audio == audio && string.Equals(k.Resolution, r, StringComparison.OrdinalIgnoreCase)).Select(k => (decimal?)k.Price).Max()
                    ?? keys.Where(k => k.Audio == audio && k.Resolution == null).Select(k => (decimal?)k.Price).Max();
                var plain = Pick(false);
                var withAudio = Pick(true);
                var price = plain.HasValue && withAudio.HasValue ? Math.Max(plain.Value, withAudio.Value) : plain ?? withAudio;
                if (price.HasValue) table[r] = price.Value;
            }
            return table.Count == 0 ? null : table;
        }

        private static string[]? Texts(JsonElement? e) =>
            e?.ValueKind == JsonValueKind.Array
                ? e.Value.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(x.GetString())).Select(x => x.GetString()!).Distinct().ToArray()
                : null;

        private static int[]? Numbers(JsonElement? e) =>
            e?.ValueKind == JsonValueKind.Array
                ? e.Value.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out var n) && n > 0).Select(x => x.GetInt32()).Distinct().ToArray()
                : null;
    }
}
