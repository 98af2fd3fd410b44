using System;
using System.Net.Http;
using SoraPS.Core.Profiles;

namespace SoraPS.Core.Http
{
    /// <summary>How a dialect puts the key on a request.</summary>
    public enum AuthScheme
    {
        Bearer,
        ApiKeyHeader,
    }

    /// <summary>An API key held in memory only; ToString never shows it.</summary>
    public sealed class ApiCredential
    {
        private readonly string _key;

        public ApiCredential(string key, string source)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("Empty key.", nameof(key));
            _key = key;
            Source = source;
            Redactor.Register(key);
        }

        /// <summary>Where the key came from, for messages (never the key).</summary>
        public string Source { get; }

        internal void Apply(HttpRequestMessage request, AuthScheme scheme)
        {
            if (scheme == AuthScheme.ApiKeyHeader)
                request.Headers.TryAddWithoutValidation("api-key", _key);
            else
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _key);
        }

        public override string ToString() => "ApiCredential(" + Source + ")";

        /// <summary>
        /// Finds the key for a profile: its SecretManagement secret (through <paramref name="secrets"/>),
        /// else the key stored with it, else the environment variable it names, else SORAPS_API_KEY.
        /// A missing key is a clear error before anything is sent.
        /// </summary>
        public static ApiCredential Resolve(SoraProfile profile, Func<string, string?, string?>? secrets = null, KeyStore? keys = null)
        {
            if (!string.IsNullOrEmpty(profile.ApiKeySecret))
            {
                if (secrets == null)
                    throw new SoraConfigurationException("SecretManagementUnavailable",
                        $"Profile '{profile.Name}' takes its key from the secret '{profile.ApiKeySecret}', which needs PowerShell's SecretManagement.") { Target = profile.Name };
                var secret = secrets(profile.ApiKeySecret!, profile.Vault);
                if (secret == null || secret.Length == 0)
                    throw new SoraConfigurationException("ApiKeyMissing", $"The secret '{profile.ApiKeySecret}' for profile '{profile.Name}' is empty.") { Target = profile.Name };
                return new ApiCredential(secret.Trim(), "secret " + profile.ApiKeySecret);
            }
            keys = keys ?? new KeyStore();
            var stored = keys.Get(profile.Name);
            if (stored != null && stored.Length > 0) return new ApiCredential(stored, "the key stored with the profile");
            var variable = string.IsNullOrEmpty(profile.ApiKeyEnvironmentVariable) ? ConfigPaths.ApiKeyVariable : profile.ApiKeyEnvironmentVariable;
            var value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value))
                throw new SoraConfigurationException("ApiKeyMissing",
                    $"No API key for profile '{profile.Name}': the environment variable '{variable}' is not set. " +
                    $"Set it (for example $env:{variable} = '<key>'), store a key with Set-SoraProfile -ApiKey, or use a secret with -ApiKeySecret.")
                { Target = profile.Name };
            return new ApiCredential(value.Trim(), "environment variable " + variable);
        }
    }
}
