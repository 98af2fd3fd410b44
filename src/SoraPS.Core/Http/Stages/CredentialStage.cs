using System;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>Puts the key on requests to the profile's own origin (scheme, host and port) and on no other.</summary>
    public sealed class CredentialStage : HttpStage
    {
        private readonly Uri _baseUri;
        private readonly ApiCredential? _credential;
        private readonly AuthScheme _scheme;

        public CredentialStage(Uri baseUri, ApiCredential? credential, AuthScheme scheme)
        {
            _baseUri = baseUri ?? throw new ArgumentNullException(nameof(baseUri));
            _credential = credential;
            _scheme = scheme;
        }

        /// <summary>True when a request to <paramref name="uri"/> should carry the key.</summary>
        public bool IsOwnHost(Uri? uri) =>
            Uri.Compare(uri, _baseUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

        public override Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            if (_credential != null && IsOwnHost(exchange.Request.RequestUri)) _credential.Apply(exchange.Request, _scheme);
            return next();
        }
    }
}
