using System.Collections.Generic;
using System.Net.Http;
using SoraPS.Core.Catalog;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;

namespace SoraPS.Core.Dialects
{
    public abstract partial class SoraDialect
    {
        /// <summary>Whether the provider publishes the models an account can use (Update-SoraModel reads it).</summary>
        public virtual bool HasModelList => false;

        /// <summary>The request for the provider's model list (dialects with <see cref="HasModelList"/>).</summary>
        public virtual HttpRequestMessage BuildModelList(SoraProfile profile) => throw ModelListNotSupported();

        /// <summary>
        /// The provider's models as user models of this dialect (without a source: the catalog tags them). A model
        /// the list gives no durations, resolutions or aspect ratios for keeps those lists null.
        /// </summary>
        public virtual IReadOnlyList<UserModel> ParseModelList(ProviderResponse response, SoraProfile profile) => throw ModelListNotSupported();

        /// <summary>ModelListNotSupported: the dialect's provider publishes no model list; Register-SoraModel adds a model by hand.</summary>
        public SoraValidationException ModelListNotSupported() =>
            new SoraValidationException("ModelListNotSupported", "Profile",
                $"The {Name} dialect has no model list SoraPS can read: its provider publishes none. " +
                $"Add a model by hand: Register-SoraModel -Dialect {Name} -Name <model> -Like {DefaultModel}.");
    }
}
