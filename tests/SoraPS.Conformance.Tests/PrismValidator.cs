using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using YamlDotNet.Serialization;

namespace SoraPS.Conformance.Tests
{
    /// <summary>Where the repository, the published specifications and the validator live.</summary>
    public static class Locations
    {
        public static string RepositoryRoot
        {
            get
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "SoraPS.sln"))) return dir.FullName;
                throw new InvalidOperationException($"No folder holding SoraPS.sln above {AppContext.BaseDirectory}.");
            }
        }

        /// <summary>../shared/specs beside the repository (or the folder SORAPS_SPECS names); fails clearly when it is missing.</summary>
        public static string Spec(string fileName)
        {
            // SORAPS_SPECS names the folder where the clone has no shared/ beside it (a worktree elsewhere).
            var given = Environment.GetEnvironmentVariable("SORAPS_SPECS");
            var specs = Path.GetFullPath(string.IsNullOrEmpty(given) ? Path.Combine(RepositoryRoot, "..", "shared", "specs") : given);
            var file = Path.Combine(specs, fileName);
            if (!File.Exists(file))
                throw new FileNotFoundException(
                    $"The published specification {fileName} is missing: the conformance tests read it from {specs} (the shared/ folder beside the repository clone).", file);
            return file;
        }

        public static string PrismFolder => Path.Combine(RepositoryRoot, "tools", "prism");
    }

    /// <summary>One violation Prism reported: where (e.g. body.seconds) and what.</summary>
    public sealed class Violation
    {
        public Violation(string location, string message)
        {
            Location = location;
            Message = message;
        }

        public string Location { get; }
        public string Message { get; }
        public override string ToString() => string.IsNullOrEmpty(Location) ? Message : $"{Location}: {Message}";
    }

    /// <summary>A request as it went over the wire: method, path (without the emulator's dialect prefix), query, headers, bytes.</summary>
    public sealed class WireRequest
    {
        public string Method { get; set; }
        public string Path { get; set; }
        public string Query { get; set; }
        public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public byte[] Body { get; set; }

        public string Header(string name) => Headers != null && Headers.TryGetValue(name, out var v) ? v : null;
        public override string ToString() => $"{Method} {Path}{Query}";
    }

    /// <summary>
    /// Stoplight Prism (an OpenAPI mock server written and maintained by Stoplight) run in mock mode with --errors over a
    /// published specification: a request it answers 2xx conforms (path, method, query parameters, security header,
    /// content type, JSON or multipart body); anything else comes back as a problem document listing the violations.
    /// The specification is given to Prism as written, with one tightening: the object schemas of request bodies are
    /// closed (additionalProperties: false), so a misspelt optional field is a violation, as it is for the real APIs,
    /// which refuse unknown parameters.
    /// </summary>
    public sealed class PrismValidator : IDisposable
    {
        private static readonly SemaphoreSlim Install = new SemaphoreSlim(1, 1);
        private static readonly TimeSpan InstallDeadline = TimeSpan.FromMinutes(5);
        private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
        private Process _process;
        private ProcessStartInfo _start;
        private readonly HttpClient _http;
        private readonly StringBuilder _output = new StringBuilder();

        private JsonObject _spec;

        private PrismValidator(Process process, Uri baseUri, string specFile)
        {
            _process = process;
            BaseUri = baseUri;
            SpecFile = specFile;
            _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
            // Prism must not outlive the test host, however the run ends.
            AppDomain.CurrentDomain.ProcessExit += (s, e) => Stop();
        }

        public Uri BaseUri { get; }
        public string SpecFile { get; }

        public static Task<PrismValidator> StartAsync(string publishedSpec) => StartAsync(publishedSpec, errors: true);

        /// <summary>
        /// As <see cref="StartAsync(string)"/>; without <paramref name="errors"/> Prism answers with its mock even where the
        /// mock itself falls short of the spec (a required response header it cannot make up), as a spec server.
        /// </summary>
        public static async Task<PrismValidator> StartAsync(string publishedSpec, bool errors)
        {
            var cli = await EnsureInstalledAsync();
            var strict = Path.Combine(Path.GetTempPath(), "soraps-conformance-" + Guid.NewGuid().ToString("N").Substring(0, 8) + "-" + Path.GetFileNameWithoutExtension(publishedSpec) + ".json");
            File.WriteAllText(strict, StrictSpec(File.ReadAllText(publishedSpec)));
            var port = FreePort();
            var psi = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Locations.PrismFolder,
            };
            foreach (var a in new[] { cli, "mock", strict, errors ? "--errors" : null, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                if (a != null) psi.ArgumentList.Add(a);
            psi.Environment["NO_COLOR"] = "1";
            psi.Environment["FORCE_COLOR"] = "0";
            var validator = new PrismValidator(null, new Uri($"http://127.0.0.1:{port}/"), strict) { _start = psi, _spec = (JsonObject)JsonNode.Parse(File.ReadAllText(strict)) };
            try
            {
                await validator.LaunchAsync();
            }
            catch
            {
                validator.Dispose();
                throw;
            }
            return validator;
        }

        /// <summary>Starts Prism (again, after a request crashed it) and waits until it listens.</summary>
        private async Task LaunchAsync()
        {
            _process?.Dispose();
            var process = _process = Process.Start(_start) ?? throw new InvalidOperationException("node did not start.");
            var listening = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            DataReceivedEventHandler collect = (s, e) =>
            {
                if (e.Data == null) return;
                lock (_output) _output.AppendLine(e.Data);
                if (e.Data.Contains("Prism is listening")) listening.TrySetResult(true);
            };
            process.OutputDataReceived += collect;
            process.ErrorDataReceived += collect;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var done = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(StartDeadline));
            if (done != listening.Task)
            {
                var why = process.HasExited ? $"exited with code {process.ExitCode}" : $"did not listen within {StartDeadline.TotalSeconds:0} s";
                throw new InvalidOperationException($"Prism {why} for {SpecFile}:\n{Output}");
            }
        }

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        /// <summary>
        /// Sends the request to Prism as it was sent to the provider; returns Prism's violations of the request (none: it
        /// conforms), plus any multipart part the operation's schema does not declare (Prism keeps only declared parts).
        /// Prism's remarks on its own generated mock response (location "response…") are not about the request.
        /// </summary>
        public async Task<IReadOnlyList<Violation>> ValidateAsync(WireRequest request)
        {
            if (_process.HasExited) await LaunchAsync();
            IReadOnlyList<Violation> prism;
            var before = Output.Length;
            try
            {
                prism = await PrismAsync(request);
            }
            catch (HttpRequestException e)
            {
                await Task.Delay(200);
                var said = Output.Substring(Math.Min(before, Output.Length)).Trim();
                prism = new[] { new Violation(null, $"Prism could not process the request ({e.InnerException?.Message ?? e.Message}){(_process.HasExited ? "; Prism exited" : "")}. Prism said: {(said.Length > 1500 ? said.Substring(said.Length - 1500) : said)}") };
            }
            var found = prism.Where(v => !(v.Location ?? "").StartsWith("response", StringComparison.Ordinal)).ToList();
            found.AddRange(UndeclaredParts(request));
            return found;
        }

        /// <summary>The names of the parts of a multipart body that its operation's schema does not list.</summary>
        private IEnumerable<Violation> UndeclaredParts(WireRequest request)
        {
            var type = request.Header("Content-Type") ?? "";
            if (!type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) || request.Body == null) yield break;
            var operation = (_spec["paths"] as JsonObject)?
                .Where(p => Regex.IsMatch(request.Path, "^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^}]*}", "[^/]+") + "$"))
                .Select(p => p.Value?[request.Method.ToLowerInvariant()]).FirstOrDefault(o => o != null);
            var schema = operation?["requestBody"]?["content"]?["multipart/form-data"]?["schema"];
            if (schema?["$ref"] is JsonValue r)
            {
                JsonNode target = _spec;
                foreach (var part in r.ToString().Substring(2).Split('/')) target = target?[part];
                schema = target;
            }
            if (!(schema?["properties"] is JsonObject props) || schema["additionalProperties"]?.GetValue<bool>() != false) yield break;
            var text = Encoding.Latin1.GetString(request.Body);
            foreach (Match m in Regex.Matches(text, @"^Content-Disposition:[^\r\n]*?;\s*name=(""[^""]*""|[^;\r\n]*)", RegexOptions.Multiline | RegexOptions.IgnoreCase))
            {
                var name = m.Groups[1].Value.Trim().Trim('"');
                if (!props.ContainsKey(name))
                    yield return new Violation("body", $"Request body must NOT have additional properties: multipart part '{name}' is not in the schema ({string.Join(", ", props.Select(p => p.Key))})");
            }
        }

        private async Task<IReadOnlyList<Violation>> PrismAsync(WireRequest request)
        {
            var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.TrimStart('/') + (request.Query ?? ""));
            foreach (var h in request.Headers)
            {
                if (IsHopHeader(h.Key) || h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) continue;
                message.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
            if (request.Body != null)
            {
                message.Content = new ByteArrayContent(request.Body);
                var type = request.Header("Content-Type");
                if (type != null) message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            using (var response = await _http.SendAsync(message, cancel.Token))
            {
                var status = (int)response.StatusCode;
                if (status >= 200 && status < 300) return Array.Empty<Violation>();
                var text = await response.Content.ReadAsStringAsync(cancel.Token);
                // Where the spec has an error response of its own, Prism mocks it and lists the violations in sl-violations.
                if (response.Headers.TryGetValues("sl-violations", out var header))
                    text = "{\"validation\":" + string.Join("", header) + "}";
                return Parse(status, text);
            }
        }

        private static IReadOnlyList<Violation> Parse(int status, string text)
        {
            var list = new List<Violation>();
            try
            {
                var problem = JsonNode.Parse(text) as JsonObject;
                if (problem?["validation"] is JsonArray items)
                    foreach (var v in items.OfType<JsonObject>())
                    {
                        var location = string.Join(".", (v["location"] as JsonArray)?.Select(x => x?.ToString()) ?? Array.Empty<string>());
                        list.Add(new Violation(location.StartsWith("request.", StringComparison.Ordinal) ? location.Substring(8) : location, v["message"]?.ToString()));
                    }
                if (list.Count == 0)
                    list.Add(new Violation(null, $"{status} {problem?["title"]}: {problem?["detail"]}"));
            }
            catch (JsonException)
            {
                list.Add(new Violation(null, $"{status}: {text}"));
            }
            return list;
        }

        private static bool IsHopHeader(string name) =>
            name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) ||
            name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase) ||
            name.Equals("Expect", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The published YAML as JSON, with each object schema reachable from a request body closed
        /// (additionalProperties: false unless the spec says otherwise). Nothing else changes.
        /// </summary>
        public static string StrictSpec(string yaml)
        {
            var graph = Plain(new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(yaml));
            var doc = JsonSerializer.SerializeToNode(graph) as JsonObject ?? throw new InvalidOperationException("The specification is not a YAML mapping.");
            var closed = new HashSet<JsonObject>();
            foreach (var path in (doc["paths"] as JsonObject ?? new JsonObject()))
                foreach (var op in (path.Value as JsonObject ?? new JsonObject()))
                    if (op.Value?["requestBody"]?["content"] is JsonObject content)
                        foreach (var media in content)
                            Close(media.Value?["schema"], doc, closed);
            return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        }

        /// <summary>YamlDotNet's mappings have object keys; JSON's have string keys.</summary>
        private static object Plain(object value)
        {
            if (value is IDictionary<object, object> map)
                return map.ToDictionary(kv => Convert.ToString(kv.Key, System.Globalization.CultureInfo.InvariantCulture), kv => Plain(kv.Value));
            if (value is IList<object> list) return list.Select(Plain).ToList();
            return value;
        }

        private static void Close(JsonNode node, JsonObject doc, HashSet<JsonObject> seen)
        {
            if (node is JsonArray array)
            {
                foreach (var item in array) Close(item, doc, seen);
                return;
            }
            if (!(node is JsonObject schema) || !seen.Add(schema)) return;
            MergeAllOf(schema, doc);
            if (schema["$ref"] is JsonValue r && r.ToString().StartsWith("#/", StringComparison.Ordinal))
            {
                JsonNode target = doc;
                foreach (var part in r.ToString().Substring(2).Split('/')) target = target?[part.Replace("~1", "/").Replace("~0", "~")];
                Close(target, doc, seen);
            }
            if (schema["properties"] is JsonObject props)
            {
                if (!schema.ContainsKey("additionalProperties")) schema["additionalProperties"] = false;
                foreach (var p in props) Close(p.Value, doc, seen);
            }
            foreach (var key in new[] { "items", "allOf", "anyOf", "oneOf" })
                Close(schema[key], doc, seen);
        }

        /// <summary>
        /// An object schema made of several parts (<c>allOf</c>: OpenRouter's FrameImage is ContentPartImage plus frame_type)
        /// becomes one schema with every part's properties and required names, so closing it closes the whole
        /// (closing each part would refuse the other parts' fields). The parts are copied, never changed where shared.
        /// </summary>
        private static void MergeAllOf(JsonObject schema, JsonObject doc)
        {
            if (!(schema["allOf"] is JsonArray parts) || parts.Count < 2) return;
            var resolved = parts.Select(p => Resolve(p, doc)).ToList();
            if (!resolved.Any(p => p?["properties"] is JsonObject)) return;
            var properties = schema["properties"] as JsonObject ?? new JsonObject();
            var required = new List<string>();
            if (schema["required"] is JsonArray own) required.AddRange(own.Select(r => r.ToString()));
            foreach (var part in resolved.Where(p => p != null))
            {
                if (part["properties"] is JsonObject props)
                    foreach (var p in props)
                        if (!properties.ContainsKey(p.Key)) properties[p.Key] = p.Value?.DeepClone();
                if (part["required"] is JsonArray req) required.AddRange(req.Select(r => r.ToString()));
                if (part["additionalProperties"] != null && !schema.ContainsKey("additionalProperties")) schema["additionalProperties"] = part["additionalProperties"].DeepClone();
            }
            schema.Remove("allOf");
            schema["type"] = "object";
            schema["properties"] = properties;
            if (required.Count > 0) schema["required"] = new JsonArray(required.Distinct().Select(r => (JsonNode)JsonValue.Create(r)).ToArray());
        }

        private static JsonObject Resolve(JsonNode node, JsonObject doc)
        {
            for (var hops = 0; node is JsonObject o && o["$ref"] is JsonValue r && hops < 10; hops++)
            {
                JsonNode target = doc;
                foreach (var part in r.ToString().Substring(2).Split('/')) target = target?[part.Replace("~1", "/").Replace("~0", "~")];
                node = target;
            }
            return node as JsonObject;
        }

        /// <summary>node_modules of tools/prism from its package-lock.json (npm ci), once; the path of Prism's CLI.</summary>
        private static async Task<string> EnsureInstalledAsync()
        {
            var folder = Locations.PrismFolder;
            var cli = Path.Combine(folder, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
            await Install.WaitAsync();
            try
            {
                if (File.Exists(cli)) return cli;
                var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
                var psi = new ProcessStartInfo(npm) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "ci", "--no-audit", "--no-fund" }) psi.ArgumentList.Add(a);
                Process process;
                try
                {
                    process = Process.Start(psi);
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    throw new InvalidOperationException($"The conformance validator (Stoplight Prism) is installed with npm, which was not found ({e.Message}). Install Node.js 20+ with npm.", e);
                }
                using (process)
                {
                    var stdout = process.StandardOutput.ReadToEndAsync();
                    var stderr = process.StandardError.ReadToEndAsync();
                    using (var cancel = new CancellationTokenSource(InstallDeadline))
                    {
                        try
                        {
                            await process.WaitForExitAsync(cancel.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            process.Kill(true);
                            throw new InvalidOperationException($"npm ci in {folder} did not finish within {InstallDeadline.TotalMinutes:0} minutes.");
                        }
                    }
                    if (process.ExitCode != 0 || !File.Exists(cli))
                        throw new InvalidOperationException($"npm ci in {folder} failed (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
                }
                return cli;
            }
            finally
            {
                Install.Release();
            }
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public void Dispose()
        {
            _http.Dispose();
            Stop();
            try { File.Delete(SpecFile); } catch (IOException) { }
        }

        private void Stop()
        {
            var process = _process;
            if (process == null) return;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(true);
                    process.WaitForExit(10000);
                }
            }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }
    }
}
