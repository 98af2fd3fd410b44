using System;
using System.Text.RegularExpressions;
using SoraPS.Core.Http;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// Tells a route the provider does not have from a task it does not know. Relays that speak only part of a dialect
    /// answer a request for a route they lack with 404 "Invalid URL (GET /v1/videos)" (new-api) or 405: that is the
    /// operation not being served there (ListNotSupported, DeleteNotSupported, QueryNotSupported, CancelNotSupported),
    /// never a success and never a missing task.
    /// </summary>
    public static class MissingRoute
    {
        private static readonly Regex InvalidUrl = new Regex(@"Invalid URL \((?<route>[A-Z]+ [^)]*)\)", RegexOptions.CultureInvariant);

        /// <summary>The error for an answer that says the route is missing; null for any other answer.</summary>
        public static SoraValidationException? Check(ProviderResponse response, SoraDialect dialect, DialectOperation operation, string method, string parameter, object? target)
        {
            if (response == null || (response.StatusCode != 404 && response.StatusCode != 405)) return null;
            var match = InvalidUrl.Match(response.Body ?? "");
            string route;
            if (match.Success) route = match.Groups["route"].Value;
            else if (response.StatusCode == 405) route = method + " " + (response.RequestUri?.AbsolutePath ?? "");
            else return null;
            var host = response.RequestUri?.Host ?? "the provider";
            return new SoraValidationException(operation + "NotSupported", parameter,
                $"{host} has no {route} route (it answered {response.StatusCode}: {SoraDialect.Truncate(match.Success ? match.Value : response.Body, 120)}), so its {dialect.Name} service cannot {Verb(operation)}. Nothing was changed.")
            { Target = target };
        }

        private static string Verb(DialectOperation operation)
        {
            switch (operation)
            {
                case DialectOperation.List: return "list tasks";
                case DialectOperation.Delete: return "delete a task";
                case DialectOperation.Cancel: return "stop a task";
                case DialectOperation.Query: return "read a task";
                default: return operation.ToString().ToLowerInvariant();
            }
        }
    }
}
