using System;
using System.IO;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Core's exceptions as ErrorRecords: the stable ErrorId, a real category, the target, and a hint (RecommendedAction)
    /// of what to do next in PowerShell terms. Core's messages are written for the module's users: many name the
    /// parameter or cmdlet concerned (-Duration, -LiteralPath, Get-SoraTask), so a hint adds to the message, not repeats it.
    /// </summary>
    internal static class ErrorMapping
    {
        internal static ErrorCategory CategoryFor(SoraException e)
        {
            switch (e.ErrorId)
            {
                case "ProfileNotFound": case "NoProfile": return ErrorCategory.ObjectNotFound;
                case "ApiKeyMissing": case "SecretNotFound": return ErrorCategory.AuthenticationError;
                case "SecretManagementMissing": return ErrorCategory.NotInstalled;
                case "FileExists": return ErrorCategory.ResourceExists;
                case "SubmissionOutcomeUnknown": return ErrorCategory.OperationTimeout;
                case "ModelListNotSupported": return ErrorCategory.NotImplemented;
            }
            switch (e.Kind)
            {
                case SoraErrorKind.ContentModeration: return ErrorCategory.PermissionDenied;
                case SoraErrorKind.Quota: return ErrorCategory.QuotaExceeded;
                case SoraErrorKind.Authentication: return ErrorCategory.AuthenticationError;
                case SoraErrorKind.Permission: return ErrorCategory.PermissionDenied;
                case SoraErrorKind.InvalidParameter: return ErrorCategory.InvalidArgument;
                case SoraErrorKind.RateLimit: return ErrorCategory.LimitsExceeded;
                case SoraErrorKind.NotFound: return ErrorCategory.ObjectNotFound;
                case SoraErrorKind.Upstream: return ErrorCategory.ResourceUnavailable;
                case SoraErrorKind.Timeout: return ErrorCategory.OperationTimeout;
                case SoraErrorKind.Expired: return ErrorCategory.ResourceUnavailable;
                case SoraErrorKind.Cancelled: return ErrorCategory.OperationStopped;
                case SoraErrorKind.UnexpectedResponse: return ErrorCategory.ProtocolError;
                case SoraErrorKind.Network: return ErrorCategory.ConnectionError;
                case SoraErrorKind.Configuration: return ErrorCategory.InvalidArgument;
                default: return ErrorCategory.NotSpecified;
            }
        }

        internal static ErrorRecord ToErrorRecord(Exception e, object? target)
        {
            if (e is AggregateException agg && agg.InnerExceptions.Count == 1) e = agg.InnerExceptions[0];
            if (e is SoraException se)
            {
                var record = new ErrorRecord(se, se.ErrorId, CategoryFor(se), se.Target ?? target);
                var fix = RecommendedAction(se);
                if (fix != null) record.ErrorDetails = new ErrorDetails(Redactor.Redact(se.Message)) { RecommendedAction = fix };
                return record;
            }
            if (e is IOException || e is UnauthorizedAccessException)
                return new ErrorRecord(e, "FileSystemError", ErrorCategory.WriteError, target);
            var safe = new InvalidOperationException(Redactor.Redact(e.Message), e);
            return new ErrorRecord(safe, "UnexpectedError", ErrorCategory.NotSpecified, target);
        }

        private static string? RecommendedAction(SoraException e)
        {
            switch (e.Kind)
            {
                case SoraErrorKind.ContentModeration: return "Rephrase the prompt or change the input image; moderation can also reject a finished video.";
                case SoraErrorKind.Quota: return "Top up or raise the quota with your provider, then submit again.";
                case SoraErrorKind.Authentication: return "Check the API key the profile points at (Get-SoraProfile shows the variable name).";
                case SoraErrorKind.RateLimit: return "Wait and retry, or lower the profile's MaxConcurrency.";
                case SoraErrorKind.Expired: return "The link has expired; generate the video again.";
            }
            switch (e.ErrorId)
            {
                case "SubmissionOutcomeUnknown": return "Check the provider's task list (Get-SoraTask) before submitting the same prompt again.";
                case "ListNotSupported": return "Use Get-SoraTask with ids, or without arguments for this machine's journal.";
                case "QueryNotSupported": return "The task object New-SoraVideo emitted already holds the video link.";
                case "ImageRequired": return "Pass -Image with an image URL.";
                case "CallbackNotSupported": return "Leave -CallbackUri out.";
                case "ConflictingOperations": return "Pass only one of -RemixOf, -Storyboard and -Blend.";
                case "FileExists": return "Use -Force to overwrite, or another -Path.";
                case "PathIsSingleFile": return "Give -Path a folder to save several tasks.";
                case "DestinationNotWritable": return "Check the folder's permissions or give another -Path.";
                case "ModelRetired": return "Choose a model the provider serves now: Get-SoraModel -Profile NAME lists them, and Register-SoraModel adds one the catalog lacks.";
                case "InvalidSetting": return "Get-SoraProfile shows a profile's settings; tab completion on -Setting offers the names.";
            }
            return null;
        }
    }
}
