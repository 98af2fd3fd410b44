using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// The dialect matrix (tools/SoraPS.Emulator/dialects.json) against the code: every registered dialect has a row,
    /// each row states exactly what its dialect declares, and each dialect does over HTTP what its row says
    /// (list, delete, remix, cancel, every download variant) and refuses, before any request, what it says it cannot.
    /// </summary>
    public sealed class DialectMatrixTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;
        public DialectMatrixTests(EmulatorFixture fx) { _fx = fx; }

        public static TheoryData<string> Dialects()
        {
            var data = new TheoryData<string>();
            foreach (var row in DialectMatrix.Rows) data.Add(row.Dialect);
            return data;
        }

        [Fact]
        public void Every_registered_dialect_has_a_matrix_row_and_every_row_a_dialect()
        {
            var missing = DialectRegistry.Names.Where(n => DialectMatrix.Rows.All(r => r.Dialect != n)).ToList();
            Assert.True(missing.Count == 0,
                "Dialects without a row in tools/SoraPS.Emulator/dialects.json (see docs/adding-a-dialect.md): " + string.Join(", ", missing));
            var unknown = DialectMatrix.Rows.Select(r => r.Dialect).Where(n => !DialectRegistry.Names.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, "Matrix rows for dialects DialectRegistry does not register: " + string.Join(", ", unknown));
            Assert.Equal(DialectRegistry.Dialects.Count, DialectMatrix.Rows.Count);
        }

        [Theory]
        [MemberData(nameof(Dialects))]
        public void The_row_states_exactly_what_the_dialect_declares(string dialect)
        {
            var row = Row(dialect);
            var can = DialectRegistry.Get(dialect).Capabilities;
            var declared = Enum.GetValues<DialectOperation>()
                .Where(op => op != DialectOperation.None && op != DialectOperation.Submit && can.Has(op))
                .Select(op => op.ToString()).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(declared, row.Operations.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(can.Variants.Select(v => v.Name), row.Variants);
            Assert.Equal(row.Prefix, SoraEmulator.PrefixOf(dialect));
        }

        [Fact]
        public void A_row_without_a_prefix_or_a_dialect_listed_twice_is_refused()
        {
            const string Good = "{ \"dialect\": \"X\", \"prefix\": \"x\", \"model\": \"m\", \"seconds\": 4 }";
            Assert.Single(DialectMatrix.Parse("{ \"dialects\": [" + Good + "] }"));
            Assert.Contains("prefix", Assert.Throws<InvalidDataException>(() =>
                DialectMatrix.Parse("{ \"dialects\": [{ \"dialect\": \"X\", \"model\": \"m\", \"seconds\": 4 }] }")).Message);
            Assert.Contains("'X' twice", Assert.Throws<InvalidDataException>(() =>
                DialectMatrix.Parse("{ \"dialects\": [" + Good + ", " + Good.Replace("\"x\"", "\"y\"") + "] }")).Message);
            Assert.Contains("without slashes", Assert.Throws<InvalidDataException>(() =>
                DialectMatrix.Parse("{ \"dialects\": [" + Good.Replace("\"x\"", "\"/x\"") + "] }")).Message);
        }

        [Theory]
        [MemberData(nameof(Dialects))]
        public async Task The_dialect_does_over_http_what_its_row_says(string dialect)
        {
            var row = Row(dialect);
            var emu = _fx.Emulator;
            var client = Testing.Client(emu, dialect);
            var task = await client.SubmitAsync(client.Validate(Generation(row, "matrix " + dialect)), Testing.Timeout());
            Assert.Equal(row.Can("Synchronous"), task.IsTerminal);
            if (!task.IsTerminal) Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);

            using (var dir = new TempDir())
            {
                foreach (var name in row.Variants)
                {
                    var variant = client.Dialect.Capabilities.Variant(name, dialect);
                    var saved = await client.DownloadAsync(task, dir.File(name + variant.Extension), new DownloadOptions { Variant = name, VerifyMp4 = variant.IsVideo }, null, Testing.Timeout());
                    Assert.True(new FileInfo(saved.Path).Length > 0, name + " is empty");
                }
                foreach (var name in new[] { "thumbnail", "spritesheet" }.Except(row.Variants))
                    await Refused("VariantNotSupported", () => client.DownloadAsync(task, dir.File(name), new DownloadOptions { Variant = name, VerifyMp4 = false }, null, Testing.Timeout()));
            }

            if (row.Can("List")) Assert.Contains(await client.ListAsync(100, Testing.Timeout()), t => t.Id == task.Id);
            else await Refused("ListNotSupported", () => client.ListAsync(100, Testing.Timeout()));

            var remix = Generation(row, "matrix remix " + dialect);
            remix.RemixOf = task.GenerationId ?? task.Id;
            // A remix made at its source's length takes no length of its own (DurationWithRemix).
            if (client.Dialect.RemixKeepsSourceLength) remix.Duration = null;
            if (row.Can("Remix"))
            {
                var remixed = await client.SubmitAsync(client.Validate(remix), Testing.Timeout());
                Testing.WaitFor(client, remixed);
                Assert.Equal(SoraTaskStatus.Succeeded, remixed.Status);
                Assert.NotEqual(task.Id, remixed.Id);
            }
            else await Refused("RemixNotSupported", () => Task.FromResult(client.Validate(remix)));

            if (row.Can("Cancel"))
            {
                // Providers cancel only a task still queued: an emulator whose tasks queue for minutes, so load cannot decide.
                await using (var patient = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMinutes(20) }))
                {
                    var queued = Testing.Client(patient, dialect);
                    var slow = await queued.SubmitAsync(queued.Validate(Generation(row, "matrix cancel")), Testing.Timeout());
                    await queued.CancelAsync(slow, Testing.Timeout());
                    Assert.Equal(SoraTaskStatus.Cancelled, slow.Status);
                }
            }
            else await Refused("CancelNotSupported", () => client.CancelAsync(task, Testing.Timeout()));

            if (row.Can("Delete"))
            {
                await client.DeleteAsync(task, Testing.Timeout());
                Assert.Equal("deleted", task.ProviderStatus);
                if (row.Can("List")) Assert.DoesNotContain(await client.ListAsync(100, Testing.Timeout()), t => t.Id == task.Id);
            }
            else await Refused("DeleteNotSupported", () => client.DeleteAsync(task, Testing.Timeout()));

            async Task Refused(string errorId, Func<Task> call)
            {
                var before = emu.State.Requests.Count;
                var e = await Assert.ThrowsAsync<SoraValidationException>(call);
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(before, emu.State.Requests.Count);
            }
        }

        private static DialectRow Row(string dialect) =>
            DialectMatrix.Find(dialect) ?? throw new InvalidOperationException(dialect + " has no matrix row.");

        private static VideoRequest Generation(DialectRow row, string prompt) =>
            new VideoRequest { Prompt = prompt, Model = row.Model, Duration = row.Seconds, Image = row.Image };
    }
}
