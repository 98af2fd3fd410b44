using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace SoraPS.Core
{
    /// <summary>
    /// Resolves the module's own dependencies from its folder by simple name, whatever version is
    /// requested: on .NET Framework this stands in for binding redirects. Touches no dependency itself.
    /// </summary>
    public static class DependencyResolver
    {
        private static readonly object Gate = new object();
        private static string _directory;

        /// <summary>The dependency file for a requested assembly, or null when it is not one of ours.</summary>
        public static string Find(string directory, AssemblyName requested)
        {
            if (requested?.Name == null || directory == null) return null;
            var candidate = Path.Combine(directory, requested.Name + ".dll");
            return File.Exists(candidate) ? candidate : null;
        }

        public static void Install(string directory)
        {
            lock (Gate)
            {
                if (_directory != null) return;
                _directory = directory;
                AppDomain.CurrentDomain.AssemblyResolve += OnResolve;
            }
        }

        private static Assembly OnResolve(object sender, ResolveEventArgs args)
        {
            var path = Find(_directory, new AssemblyName(args.Name));
            return path == null ? null : Assembly.LoadFrom(path);
        }
    }
}
