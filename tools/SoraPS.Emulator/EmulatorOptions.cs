using System;

namespace SoraPS.Emulator
{
    /// <summary>How the emulator behaves. Tests shorten the times; the standalone server uses the defaults.</summary>
    public sealed class EmulatorOptions
    {
        /// <summary>The only key the emulator accepts (Bearer or api-key header).</summary>
        public string ApiKey { get; set; } = "emulator-key";
        /// <summary>How long a generation takes from submission to result.</summary>
        public TimeSpan TaskDuration { get; set; } = TimeSpan.FromSeconds(6);
        /// <summary>How long result links stay valid after completion.</summary>
        public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(24);
        /// <summary>When set, OpenAI answers carry openai-poll-after-ms with this value.</summary>
        public int? OpenAIPollAfterMs { get; set; }
        /// <summary>Size of the served video in bytes (the sample MP4 padded with a 'free' box); 0 = the sample as is.</summary>
        public int VideoSize { get; set; }
        /// <summary>When above zero, every video served is a synthetic MP4 of this many bytes, streamed (for benchmarks).</summary>
        public long SyntheticVideoBytes { get; set; }
        /// <summary>Added to every submission (POST) before it is answered: a fixed per-request latency.</summary>
        public TimeSpan SubmitLatency { get; set; }
        /// <summary>When longer than TaskDuration, each task's duration is drawn uniformly between the two.</summary>
        public TimeSpan? TaskDurationMax { get; set; }
        /// <summary>Each task's video differs from every other's (its padding is filled from its id; needs VideoSize).</summary>
        public bool DistinctVideos { get; set; }
        /// <summary>Relative error of the unified estimated_time (0.3: the estimate is off by up to 30 %).</summary>
        public double EstimateNoise { get; set; }
        /// <summary>Estimated time the unified dialect reports in task_info (default: the real duration).</summary>
        public TimeSpan? UnifiedEstimatedTime { get; set; }
    }
}
