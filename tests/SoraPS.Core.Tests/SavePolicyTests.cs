using System;
using System.Collections.Generic;
using System.IO;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Where a task's file goes and what happens to a file already there (the rules Save-SoraVideo applies).</summary>
    public sealed class SavePolicyTests
    {
        private static readonly SoraTask Task = new SoraTask("video_1:a/b", "p", "OpenAI");

        [Fact]
        public void File_names_carry_the_variants_extension()
        {
            // A short id is named with its profile; the id had to be made safe, so its hash keeps it apart from an id that would be made the same.
            var name = SavePolicy.TaskName(Task);
            Assert.Matches("^p-video_1_a_b-[0-9a-f]{8}$", name);
            Assert.Equal(name + ".mp4", SavePolicy.FileName(Task, DownloadVariant.Video));
            Assert.Equal(name + ".thumbnail.webp", SavePolicy.FileName(Task, DownloadVariant.Thumbnail));
            Assert.Equal(name + ".spritesheet.jpg", SavePolicy.FileName(Task, DownloadVariant.Spritesheet));
            Assert.Equal("video", SavePolicy.SafeFileName(" .. "));
        }

        [Fact]
        public void A_folder_takes_every_task_and_a_file_only_one()
        {
            using (var dir = new TempDir())
            {
                var written = new HashSet<string>();
                Assert.Equal(Path.Combine(dir.Path, SavePolicy.TaskName(Task) + ".mp4"), SavePolicy.Target(dir.Path, dir.Path, Task, DownloadVariant.Video, written));
                var file = Path.Combine(dir.Path, "fox.mp4");
                Assert.Equal(file, SavePolicy.Target(file, file, Task, DownloadVariant.Video, written));
                written.Add(file);
                var e = Assert.Throws<SoraException>(() => SavePolicy.Target(file, file, Task, DownloadVariant.Video, written));
                Assert.Equal("PathIsSingleFile", e.ErrorId);
                Assert.DoesNotContain("-Path", e.Message);
            }
        }

        [Fact]
        public void An_existing_file_is_kept_only_when_whole_and_asked_for()
        {
            using (var dir = new TempDir())
            {
                var target = Path.Combine(dir.Path, "a.mp4");
                Assert.Equal(ExistingFile.Write, SavePolicy.ForExisting(target, DownloadVariant.Video, overwrite: false, skipExisting: false));
                File.WriteAllText(target, "not a video");
                Assert.Equal(ExistingFile.Refuse, SavePolicy.ForExisting(target, DownloadVariant.Video, overwrite: false, skipExisting: true));
                Assert.Equal(ExistingFile.Write, SavePolicy.ForExisting(target, DownloadVariant.Video, overwrite: true, skipExisting: true));
                Assert.Equal(ExistingFile.Skip, SavePolicy.ForExisting(target, DownloadVariant.Thumbnail, overwrite: false, skipExisting: true));
                Assert.Equal("FileExists", SavePolicy.Exists(target, Task).ErrorId);
            }
        }
    }
}
