using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// One provider dialect, the adapter of one wire shape: how a validated request maps to HTTP, and how the
    /// provider's answers, status words and error bodies map back to a <see cref="SoraTask"/> or an exception.
    /// It declares its built-in models (<see cref="Models"/>), but the catalog, validation and prices are the
    /// <see cref="Catalog.ModelCatalog"/>'s. The helpers its parsers share are in SoraDialect.Answers.cs.
    /// A new dialect is a subclass (one file) and one line in <see cref="DialectRegistry"/>; the emulator's routes,
    /// the tests and the README's table are what else it usually brings.
    /// </summary>
    public abstract partial class SoraDialect
    {
        public abstract string Name { get; }
        /// <summary>A short line for help and completion.</summary>
        public abstract string Description { get; }
        /// <summary>The model catalog: what each model accepts and costs.</summary>
        public abstract IReadOnlyList<ModelSpec> Models { get; }
        /// <summary>The provider's status words and their meaning.</summary>
        public abstract StatusTable Statuses { get; }
        /// <summary>What the dialect can do; checked in one place (<see cref="DialectCapabilities.Require"/>).</summary>
        public abstract DialectCapabilities Capabilities { get; }
        public virtual string DefaultModel => Models[0].Name;
        public virtual AuthScheme Auth => AuthScheme.Bearer;
        /// <summary>How long a submission may take to be answered.</summary>
        public virtual TimeSpan SubmitTimeout => TimeSpan.FromMinutes(2);
        /// <summary>How long a result link stays valid when the provider does not say.</summary>
        public virtual TimeSpan? LinkLifetime => null;
        /// <summary>Documented body fields a -ProviderOption may carry, with the type each is checked for.</summary>
        public virtual IReadOnlyList<ProviderOption> ProviderOptions => Array.Empty<ProviderOption>();
        /// <summary>
        /// The body fields the dialect writes from the cmdlet's parameters (model, length, size, how many videos): a
        /// -ProviderOption naming one is validated and priced as what it means (<see cref="SentField"/>).
        /// </summary>
        public virtual IReadOnlyList<SentField> SentFields => SentField.Common;
        /// <summary>Whether a remix keeps its source's length (it is priced at that length, looked up when not known).</summary>
        public virtual bool RemixKeepsSourceLength => false;
        /// <summary>The settings this dialect's own requests read (the network settings are common to all).</summary>
        protected virtual IEnumerable<SettingDeclaration> OwnSettings => Array.Empty<SettingDeclaration>();

        private IReadOnlyList<SettingDeclaration>? _settings;
        /// <summary>Every setting a profile of this dialect may carry: the common network limits, then the dialect's own.</summary>
        public IReadOnlyList<SettingDeclaration> Settings => _settings ?? (_settings = NetworkSettings.Declarations.Concat(OwnSettings).ToList());

        /// <summary>Refuses an operation the dialect lacks (the one place capabilities are checked).</summary>
        public void Require(DialectOperation operation, string parameter, object? target = null) =>
            Capabilities.Require(operation, Name, parameter, target);

        /// <summary>The pixel size (WIDTHxHEIGHT) the provider makes for an aspect ratio and resolution, where it says; else null.</summary>
        public virtual string? SizeOf(string aspectRatio, string resolution) => null;

        /// <summary>
        /// Dialect-specific rules beyond the model table (for example field combinations, the operation to send);
        /// called last by the catalog's validation.
        /// </summary>
        protected virtual void ValidateMore(ValidatedRequest request, ModelSpec spec) { }

        internal void CheckMore(ValidatedRequest request, ModelSpec spec) => ValidateMore(request, spec);

        // ----- HTTP mapping -----

        public abstract HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest request);

        /// <summary>Reads the submission answer into a task (parsing errors are wrapped by the caller).</summary>
        public abstract SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile);

        /// <summary>A task's status request (dialects with <see cref="DialectOperation.Query"/>).</summary>
        public virtual HttpRequestMessage BuildQuery(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Query);

        public virtual SoraTask ParseTask(ProviderResponse response, SoraProfile profile) => throw Undeclared(DialectOperation.Query);

        /// <summary>Asks the provider to stop a task (dialects with <see cref="DialectOperation.Cancel"/>).</summary>
        public virtual HttpRequestMessage BuildCancel(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Cancel);

        /// <summary>Asks the provider to delete a task and its video (dialects with <see cref="DialectOperation.Delete"/>).</summary>
        public virtual HttpRequestMessage BuildDelete(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Delete);

        /// <summary>Lists the provider's tasks, one page at a time (<paramref name="after"/>: the cursor).</summary>
        public virtual HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit) => throw Undeclared(DialectOperation.List);

        /// <summary>Reads one page of the task list; <paramref name="next"/> is null on the last page.</summary>
        public virtual IReadOnlyList<SoraTask> ParseList(ProviderResponse response, SoraProfile profile, out string? next) => throw Undeclared(DialectOperation.List);

        /// <summary>A character made from a video file (dialects with <see cref="DialectOperation.Characters"/>).</summary>
        public virtual HttpRequestMessage BuildCreateCharacter(SoraProfile profile, string videoPath, string name) => throw Undeclared(DialectOperation.Characters);

        /// <summary>Reads one character (dialects with <see cref="DialectOperation.Characters"/>).</summary>
        public virtual HttpRequestMessage BuildGetCharacter(SoraProfile profile, string id) => throw Undeclared(DialectOperation.Characters);

        public virtual SoraCharacter ParseCharacter(ProviderResponse response, SoraProfile profile) => throw Undeclared(DialectOperation.Characters);

        /// <summary>A list request that names its order (dialects with <see cref="DialectOperation.ListOrder"/>).</summary>
        public virtual HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit, bool ascending) =>
            ascending ? throw Undeclared(DialectOperation.ListOrder) : BuildList(profile, after, limit);

        /// <summary>A builder was called for an operation the dialect does not declare: callers check <see cref="Require"/> first.</summary>
        private InvalidOperationException Undeclared(DialectOperation operation) =>
            new InvalidOperationException($"The {Name} dialect does not declare {operation}; check Capabilities before building the request.");

        /// <summary>
        /// What the provider's billing adds to the catalog's list-price estimate of a request (text appended to it,
        /// starting with "; "); null when nothing. The estimate itself is <see cref="Catalog.Pricing.Describe"/>.
        /// </summary>
        public virtual string? BillingNote(ValidatedRequest request) => null;

        /// <summary>Where a finished task's file can be downloaded from; the variant is checked against <see cref="Capabilities"/>.</summary>
        public Uri? GetDownloadUri(SoraProfile profile, SoraTask task, string? variant) => GetDownloadUri(profile, task, variant, null);

        /// <summary>As <see cref="GetDownloadUri(SoraProfile, SoraTask, string)"/>, asking for a quality the dialect declares (sent as its quality query parameter).</summary>
        public Uri? GetDownloadUri(SoraProfile profile, SoraTask task, string? variant, string? quality)
        {
            var uri = DownloadUri(profile, task, Capabilities.Variant(variant, Name));
            var q = Capabilities.Quality(quality, Name);
            if (uri == null || q == null) return uri;
            return new Uri(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + "quality=" + Uri.EscapeDataString(q));
        }

        /// <summary>The link of one declared variant; by default the task's own video link.</summary>
        protected virtual Uri? DownloadUri(SoraProfile profile, SoraTask task, DownloadVariant variant) => task.VideoUri;

        /// <summary>
        /// Turns an error answer into an exception with a kind scripts can test. Reads the common
        /// <c>{"error":{message,type,code,param}}</c> shape (<see cref="ErrorBody"/>); dialects with more override.
        /// </summary>
        public virtual SoraApiException ParseError(ProviderResponse response) => ErrorBody.Read(response.Body).ToException(Name, response);
    }
}
