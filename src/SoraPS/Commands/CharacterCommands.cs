using System;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>New-SoraCharacter: makes a character from a video file (multipart upload) on dialects that have characters.</summary>
    [Cmdlet(VerbsCommon.New, "SoraCharacter", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SoraCharacter))]
    public sealed class NewSoraCharacterCommand : SoraTaskCmdlet
    {
        /// <summary>The video file (.mp4, .mov or .webm) that shows the character.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Path", "FullName")]
        public string Video { get; set; } = "";

        /// <summary>The character's display name: 1 to 80 characters.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateLength(1, SoraCharacter.MaxNameLength)]
        public string Name { get; set; } = "";

        protected override void ProcessRecord()
        {
            try
            {
                var path = ProviderPaths.FileSystemPath(this, Video, literal: true, "Video");
                var client = ClientFor(TextInput.OrNull(Profile));
                client.CheckCharacter(path, Name);
                if (!ShouldProcess(Name, $"Upload '{path}' to make a {client.Dialect.Name} character on profile '{client.Profile.Name}'")) return;
                client.EnsureCredential();
                WriteObject(RunAsync(ct => client.CreateCharacterAsync(path, Name, ct)));
            }
            catch (SoraException e)
            {
                WriteSoraError(e, e.Target ?? Name);
            }
        }
    }

    /// <summary>Get-SoraCharacter: reads characters by id.</summary>
    [Cmdlet(VerbsCommon.Get, "SoraCharacter")]
    [OutputType(typeof(SoraCharacter))]
    public sealed class GetSoraCharacterCommand : SoraTaskCmdlet
    {
        /// <summary>Character ids (char_…).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("CharacterId", "character_id")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = Array.Empty<string>();

        protected override void ProcessRecord()
        {
            foreach (var id in Id)
            {
                try
                {
                    var client = ClientFor(TextInput.OrNull(Profile));
                    client.EnsureCredential();
                    WriteObject(RunAsync(ct => client.GetCharacterAsync(id, ct)));
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, id);
                }
            }
        }
    }
}
