using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace SoraPS.Core.Profiles
{
    /// <summary>
    /// Keys stored with a profile (Register-SoraProfile -ApiKey). On Windows they are encrypted for the
    /// current user with DPAPI; elsewhere they sit in keys.json readable only by the user (mode 0600),
    /// which is not encryption, and the cmdlet says so. Never in profiles.json.
    /// </summary>
    public sealed class KeyStore
    {
        public const string FileName = "keys.json";

        public KeyStore(string? directory = null)
        {
            Directory = directory ?? ConfigPaths.ConfigDirectory;
        }

        public string Directory { get; }
        public string FilePath => Path.Combine(Directory, FileName);

        /// <summary>True when keys are encrypted at rest on this platform.</summary>
        public static bool Encrypts => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public bool Has(string profile) => Load().ContainsKey(profile);

        /// <summary>The profiles that have a stored key (one read of the key file).</summary>
        public ISet<string> Profiles() => new HashSet<string>(Load().Keys, StringComparer.OrdinalIgnoreCase);

        public void Set(string profile, string key)
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (AtomicFile.Lock(FilePath + ".lock"))
            {
                var all = Load();
                all[profile] = Encrypts
                    ? new Entry { Protection = "DPAPI", Data = Convert.ToBase64String(Dpapi.Protect(Encoding.UTF8.GetBytes(key))) }
                    : new Entry { Protection = "None", Data = key };
                Save(all);
            }
        }

        public bool Remove(string profile)
        {
            if (!File.Exists(FilePath)) return false;
            using (AtomicFile.Lock(FilePath + ".lock"))
            {
                var all = Load();
                if (!all.Remove(profile)) return false;
                Save(all);
                return true;
            }
        }

        public string? Get(string? profile)
        {
            if (profile == null || !Load().TryGetValue(profile, out var e)) return null;
            if (e.Protection == "DPAPI")
            {
                try { return Encoding.UTF8.GetString(Dpapi.Unprotect(Convert.FromBase64String(e.Data))); }
                catch (Exception ex) when (ex is FormatException || ex is InvalidOperationException)
                {
                    throw new SoraConfigurationException("StoredKeyUnreadable", $"The key stored for profile '{profile}' cannot be decrypted by this user on this machine. Store it again with Set-SoraProfile -ApiKey.", ex);
                }
            }
            return e.Data;
        }

        /// <summary>
        /// Reads the key file strictly: an object mapping profile names to entries with a Protection of
        /// None or DPAPI and a Data string. Anything else is KeyStoreCorrupt naming the file and the fault.
        /// </summary>
        private Dictionary<string, Entry> Load()
        {
            var all = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
            if (!File.Exists(FilePath)) return all;
            string text;
            try
            {
                text = AtomicFile.ReadAllText(FilePath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new SoraConfigurationException("KeyStoreUnreadable", $"Cannot read the key file '{FilePath}': {e.Message}", e) { Target = FilePath };
            }
            if (string.IsNullOrWhiteSpace(text)) return all;
            Dictionary<string, Entry>? read;
            try
            {
                read = JsonSerializer.Deserialize<Dictionary<string, Entry>>(text, new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
            }
            catch (JsonException e)
            {
                throw Corrupt("it is not a JSON object of stored keys: " + e.Message, e);
            }
            if (read == null) throw Corrupt("it holds null where an object of stored keys belongs");
            foreach (var kv in read)
            {
                if (kv.Value == null) throw Corrupt($"the entry for '{kv.Key}' is null");
                if (kv.Value.Data == null) throw Corrupt($"the entry for '{kv.Key}' has no Data");
                if (kv.Value.Protection != "None" && kv.Value.Protection != "DPAPI")
                    throw Corrupt($"the entry for '{kv.Key}' has Protection '{kv.Value.Protection}' (expected None or DPAPI)");
                all[kv.Key] = kv.Value;
            }
            return all;
        }

        private SoraConfigurationException Corrupt(string fault, Exception? inner = null) =>
            new SoraConfigurationException("KeyStoreCorrupt",
                $"The key file '{FilePath}' is damaged: {fault}. Fix or remove it (then store the keys again with Set-SoraProfile -ApiKey); SoraPS changes nothing in it until then.", inner) { Target = FilePath };

        private void Save(Dictionary<string, Entry> all) =>
            AtomicFile.WriteAllText(FilePath, JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true }));

        public sealed class Entry
        {
            public string? Protection { get; set; }
            /// <summary>Always present: <see cref="Load"/> refuses an entry without it.</summary>
            public string Data { get; set; } = null!;
        }

        /// <summary>Windows DPAPI for the current user, through crypt32 (no extra package).</summary>
        private static class Dpapi
        {
            [StructLayout(LayoutKind.Sequential)]
            private struct Blob
            {
                public int Size;
                public IntPtr Data;
            }

            [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
            private static extern bool CryptProtectData(ref Blob input, string description, IntPtr entropy, IntPtr reserved, IntPtr prompt, int flags, ref Blob output);

            [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
            private static extern bool CryptUnprotectData(ref Blob input, IntPtr description, IntPtr entropy, IntPtr reserved, IntPtr prompt, int flags, ref Blob output);

            [DllImport("kernel32.dll")]
            private static extern IntPtr LocalFree(IntPtr mem);

            private const int UiForbidden = 0x1;

            public static byte[] Protect(byte[] data) => Run(data, true);
            public static byte[] Unprotect(byte[] data) => Run(data, false);

            private static byte[] Run(byte[] data, bool protect)
            {
                var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
                var input = new Blob { Size = data.Length, Data = handle.AddrOfPinnedObject() };
                var output = new Blob();
                try
                {
                    var ok = protect
                        ? CryptProtectData(ref input, "SoraPS", IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, UiForbidden, ref output)
                        : CryptUnprotectData(ref input, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, UiForbidden, ref output);
                    if (!ok) throw new InvalidOperationException("DPAPI failed with error " + Marshal.GetLastWin32Error());
                    var result = new byte[output.Size];
                    Marshal.Copy(output.Data, result, 0, output.Size);
                    return result;
                }
                finally
                {
                    handle.Free();
                    if (output.Data != IntPtr.Zero) LocalFree(output.Data);
                }
            }
        }
    }
}
