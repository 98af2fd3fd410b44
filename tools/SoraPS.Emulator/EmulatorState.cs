using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace SoraPS.Emulator
{
    /// <summary>One request as the emulator saw it (the key itself is never kept).</summary>
    public sealed class RequestRecord
    {
        public string Method { get; set; } = "";
        public string Path { get; set; } = "";
        public string? Query { get; set; }
        public string? ContentType { get; set; }
        /// <summary>The body as text ("(form)" for a form or multipart body), or null when there was none.</summary>
        public string? Body { get; set; }
        /// <summary>The body's bytes exactly as sent (multipart included).</summary>
        public byte[]? RawBody { get; set; }
        /// <summary>The request headers; the credentials in Authorization and api-key are replaced by "redacted".</summary>
        public Dictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public bool Authorized { get; set; }
        public string Range { get; set; } = "";
        public string IfRange { get; set; } = "";
        /// <summary>True when the request carried an Authorization or api-key header (whatever its value).</summary>
        public bool CarriedKey { get; set; }
        /// <summary>Every header value received, one per line (for tests that check a key never arrived here).</summary>
        public string HeaderText { get; set; } = "";
        public int Status { get; set; }
        public DateTimeOffset At { get; set; }
    }

    /// <summary>A character made from an uploaded video: its id, name, the host it belongs to and when it was made.</summary>
    public sealed class EmuCharacter
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Host { get; set; } = "";
        public DateTimeOffset Created { get; set; }
    }

    /// <summary>A generation the emulator is "running": its state is computed from elapsed time.</summary>
    public sealed class EmuTask
    {
        public string Id { get; set; } = "";
        public string Dialect { get; set; } = "";
        public string Model { get; set; } = "";
        public string Prompt { get; set; } = "";
        public int Seconds { get; set; }
        public string? Size { get; set; }
        public string? AspectRatio { get; set; }
        public DateTimeOffset Created { get; set; }
        public TimeSpan Duration { get; set; }
        /// <summary>null, or the failure it will end with: moderation, timeout.</summary>
        public string? Failure { get; set; }
        public bool Deleted { get; set; }
        private int _polls;
        /// <summary>How many times a client asked for this task's state.</summary>
        public int Polls => Volatile.Read(ref _polls);
        /// <summary>Counts one request for this task's state.</summary>
        public void CountPoll() => Interlocked.Increment(ref _polls);
        /// <summary>When set, the task was cancelled at this progress.</summary>
        public int? CancelledAt { get; set; }
        public Dictionary<string, object> Extra { get; } = new Dictionary<string, object>();

        public double Fraction(DateTimeOffset now) =>
            Duration <= TimeSpan.Zero ? 1 : Math.Max(0, (now - Created).TotalMilliseconds / Duration.TotalMilliseconds);

        /// <summary>queued, running, completed or failed at <paramref name="now"/>; progress 0..100.</summary>
        public (string Phase, int Progress) StateAt(DateTimeOffset now)
        {
            var f = Fraction(now);
            if (CancelledAt.HasValue) return ("cancelled", CancelledAt.Value);
            if (Failure != null && f >= 0.9) return ("failed", 90);
            if (f >= 1) return ("completed", 100);
            if (f < 0.15) return ("queued", 0);
            return ("running", Math.Min(99, (int)(f * 100)));
        }

        public DateTimeOffset CompletedAt => Created + Duration;
    }

    public sealed class EmulatorState
    {
        private readonly ConcurrentQueue<RequestRecord> _requests = new ConcurrentQueue<RequestRecord>();
        private int _counter;

        public ConcurrentDictionary<string, EmuTask> Tasks { get; } = new ConcurrentDictionary<string, EmuTask>();
        public IReadOnlyList<RequestRecord> Requests => _requests.ToArray();
        public byte[] Video { get; }
        /// <summary>Part of the video's ETag: bump it to make the served video "another version" (If-Range then answers 200).</summary>
        public int VideoVersion { get; set; } = 1;
        public DateTimeOffset VideoModified { get; set; } = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public EmulatorState(int videoSize = 0)
        {
            using (var s = typeof(EmulatorState).Assembly.GetManifestResourceStream("SoraPS.Emulator.sample.mp4")
                ?? throw new InvalidOperationException("The emulator assembly lacks its sample video."))
            using (var m = new MemoryStream())
            {
                s.CopyTo(m);
                // Pad with a trailing 'free' box (still a valid MP4) when a bigger file is wanted.
                _sampleLength = (int)m.Length;
                var pad = videoSize - (int)m.Length - 8;
                if (pad > 0)
                {
                    var box = new byte[8];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(box, pad + 8);
                    box[4] = (byte)'f'; box[5] = (byte)'r'; box[6] = (byte)'e'; box[7] = (byte)'e';
                    m.Write(box, 0, 8);
                    m.Write(new byte[pad], 0, pad);
                }
                Video = m.ToArray();
                if (pad <= 0) _sampleLength = Video.Length;
            }
        }

        private readonly ConcurrentDictionary<string, byte[]> _videos = new ConcurrentDictionary<string, byte[]>();
        private int _sampleLength;

        /// <summary>The video of one task: the shared one with its padding filled with the task id, so no two tasks' bytes match.</summary>
        public byte[] VideoFor(string id) => _videos.GetOrAdd(id, key =>
        {
            var v = (byte[])Video.Clone();
            var pattern = System.Text.Encoding.ASCII.GetBytes(key + "|");
            for (var i = _sampleLength + 8; i < v.Length; i++) v[i] = pattern[(i - _sampleLength - 8) % pattern.Length];
            return v;
        });

        public void Record(RequestRecord r) => _requests.Enqueue(r);

        /// <summary>Characters made from uploaded videos (OpenAI shape), by id.</summary>
        public ConcurrentDictionary<string, EmuCharacter> Characters { get; } = new ConcurrentDictionary<string, EmuCharacter>(StringComparer.Ordinal);

        private readonly Random _random = new Random(20261121);

        /// <summary>A reproducible random number in [0, 1).</summary>
        public double NextRandom()
        {
            lock (_random) return _random.NextDouble();
        }

        private readonly List<Fault> _faults = new List<Fault>();

        /// <summary>Adds a fault for the next matching requests.</summary>
        public Fault AddFault(Fault fault)
        {
            lock (_faults) _faults.Add(fault);
            return fault;
        }

        public void ClearFaults()
        {
            lock (_faults) _faults.Clear();
        }

        internal Fault? TakeFault(string method, string path, string? body = null)
        {
            lock (_faults)
            {
                var f = _faults.FirstOrDefault(x => x.Times > 0 && (x.Method == null || x.Method == method) && (x.Path == null || path.Contains(x.Path, StringComparison.OrdinalIgnoreCase)) &&
                                                    (x.BodyContains == null || (body != null && body.Contains(x.BodyContains, StringComparison.Ordinal))));
                if (f == null) return null;
                f.Times--;
                f.Hits++;
                return f;
            }
        }

        public int Count(string method, string pathContains) =>
            Requests.Count(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.OrdinalIgnoreCase));

        public string NextId(string prefix) =>
            prefix + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + "-" + Interlocked.Increment(ref _counter).ToString("x4") + Guid.NewGuid().ToString("N").Substring(0, 6);

        public void ClearRequests()
        {
            while (_requests.TryDequeue(out _)) { }
        }
    }
}
