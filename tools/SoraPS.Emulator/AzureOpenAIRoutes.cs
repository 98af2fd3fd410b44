using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SoraPS.Emulator
{
    /// <summary>
    /// Sora 2 on Azure OpenAI's v1 API under /azureopenai: the OpenAI Videos routes at /openai/v1/videos,
    /// the key only in the api-key header (a Bearer token is refused), models named by deployment.
    /// </summary>
    internal static class AzureOpenAIRoutes
    {
        /// <summary>The emulated resource's deployments and the model each serves.</summary>
        public static readonly IReadOnlyDictionary<string, string> Deployments = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["my-sora"] = "sora-2",
            ["sora-2"] = "sora-2",
            ["my-sora-pro"] = "sora-2-pro",
        };

        public static void Map(WebApplication app, SoraEmulator emu) =>
            OpenAIRoutes.Map(app, emu, "/azureopenai/openai/v1/videos", new OpenAIRoutes.Host("azureopenai",
                request => request.Headers["api-key"].ToString() == emu.Options.ApiKey,
                model => Deployments.TryGetValue(model, out var m) ? m : null));
    }
}
