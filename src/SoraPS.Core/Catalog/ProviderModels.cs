using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Http;

namespace SoraPS.Core.Catalog
{
    /// <summary>
    /// The models a profile's provider lists (where its dialect has a model list, <see cref="SoraDialect.HasModelList"/>),
    /// read through the client's HTTP pipeline like every other read (retries on 429, redaction, the size cap) and
    /// tagged with where and when they came from; <see cref="ModelCatalog.Remember"/> keeps them.
    /// </summary>
    public static class ProviderModels
    {
        /// <summary>"provider openrouter 2026-12-04T16:40Z": the source of a model learned from a dialect's provider at a time.</summary>
        public static string Source(SoraDialect dialect, DateTimeOffset at)
        {
            if (dialect == null) throw new ArgumentNullException(nameof(dialect));
            return "provider " + dialect.Name.ToLowerInvariant() + " " + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
        }

        /// <summary>Reads the provider's model list now.</summary>
        public static Task<IReadOnlyList<UserModel>> ReadAsync(SoraClient client, CancellationToken cancel) => ReadAsync(client, DateTimeOffset.UtcNow, cancel);

        /// <summary>
        /// Reads the provider's model list, each model's source naming the provider and <paramref name="at"/>.
        /// ModelListNotSupported (nothing sent) where the dialect's provider publishes none.
        /// </summary>
        public static async Task<IReadOnlyList<UserModel>> ReadAsync(SoraClient client, DateTimeOffset at, CancellationToken cancel)
        {
            if (client == null) throw new ArgumentNullException(nameof(client));
            var dialect = client.Dialect;
            if (!dialect.HasModelList) throw dialect.ModelListNotSupported();
            var response = await client.Http.SendAsync(() => dialect.BuildModelList(client.Profile), RequestKind.Read, cancel).ConfigureAwait(false);
            if (!response.IsSuccess) throw dialect.ParseError(response);
            IReadOnlyList<UserModel> models;
            try
            {
                models = dialect.ParseModelList(response, client.Profile);
            }
            catch (Exception e) when (e is FormatException || e is InvalidOperationException || e is ArgumentException || e is System.Text.Json.JsonException)
            {
                throw new SoraProtocolException($"The {dialect.Name} provider's model list could not be read ({e.GetType().Name}: {e.Message}).", response.Body, e);
            }
            var source = Source(dialect, at);
            foreach (var m in models)
            {
                m.Dialect = dialect.Name;
                m.Source = source;
            }
            return models;
        }
    }
}
