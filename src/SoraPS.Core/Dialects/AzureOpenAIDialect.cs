using System;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// Sora 2 on Azure OpenAI's v1 API: the OpenAI Videos shape under <c>{endpoint}/openai/v1/videos</c>
    /// (BaseUri <c>https://NAME.openai.azure.com/openai</c>), authenticated with the <c>api-key</c> header.
    /// The model sent is the user's deployment name, mapped to its catalog model with a profile's ModelAlias.
    /// </summary>
    public sealed class AzureOpenAIDialect : OpenAIDialect
    {
        public override string Name => "AzureOpenAI";
        public override string Description => "Sora 2 on Azure OpenAI v1: {endpoint}/openai/v1/videos, api-key header, deployment names via -ModelAlias";
        public override AuthScheme Auth => AuthScheme.ApiKeyHeader;

        /// <summary>Azure's error bodies: the common shape with the content filter's inner_error.</summary>
        public override SoraApiException ParseError(ProviderResponse response) => AzureErrors.Parse(Name, response);

        /// <summary>The API lives below /openai: a BaseUri given without it (https://NAME.openai.azure.com) gets it added.</summary>
        protected override Uri Videos(SoraProfile profile, string rest = "")
        {
            var path = (profile.BaseUri ?? throw new ArgumentNullException(nameof(profile), "The profile has no BaseUri.")).AbsolutePath.TrimEnd('/');
            var underOpenAI = path.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase);
            return Endpoint(profile.BaseUri, (underOpenAI ? "" : "openai/") + "v1/videos" + rest);
        }
    }
}
