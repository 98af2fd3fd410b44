#Requires -Version 7.4
# Edits, extensions, characters, an image by file id and the list's order, through the built module against the emulator.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-edits-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name oai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name aoai -Dialect AzureOpenAI -BaseUri "$($emu.BaseUri)/azureopenai/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY `
        -ModelAlias @{ 'my-sora' = 'sora-2' } -Model my-sora
    Register-SoraProfile -Name uni -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    $script:source = @{}
    foreach ($p in 'oai', 'aoai') { $script:source[$p] = New-SoraVideo 'A quiet lake at dawn' -Duration 8 -Profile $p -Wait -TimeoutSec 60 }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Edits and extensions' {
    It 'edits and extends a finished video on <_>, journaling the operation and its source' -ForEach 'oai', 'aoai' {
        $src = $script:source[$_]
        $edit = New-SoraVideo 'Make it snow' -EditOf $src -Profile $_ -Wait -TimeoutSec 60
        $edit.Status | Should -Be 'Succeeded'
        $edit.Duration | Should -Be 8
        $ext = New-SoraVideo 'A heron lands' -ExtendOf $src.Id -Duration 4 -Profile $_ -Wait -TimeoutSec 60
        $ext.Status | Should -Be 'Succeeded'
        $ext.Duration | Should -Be 12
        $lines = Get-ChildItem (Join-Path $env:SORAPS_CONFIG_HOME 'journal') -Filter 'tasks-*.jsonl' | Get-Content | ForEach-Object { $_ | ConvertFrom-Json }
        ($lines | Where-Object { $_.Operation -eq 'edit' -and $_.SourceId -eq $src.Id }) | Should -Not -BeNullOrEmpty
        ($lines | Where-Object { $_.Operation -eq 'extend' -and $_.SourceId -eq $src.Id }) | Should -Not -BeNullOrEmpty
        $posts = @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/v1/videos/e*' })
        @($posts | Where-Object { $_.path -like '*/edits' })[-1].body | Should -Match ('"video":\{"id":"' + $src.Id + '"\}')
        @($posts | Where-Object { $_.path -like '*/extensions' })[-1].body | Should -Match '"seconds":"4"'
    }

    It 'shows the cost with -WhatIf and sends nothing' {
        $before = @(Get-EmulatorRequest $emu).Count
        $log = Join-Path $env:SORAPS_CONFIG_HOME 'whatif.txt'
        Start-Transcript -Path $log | Out-Null
        New-SoraVideo 'More' -ExtendOf $script:source['oai'] -Duration 16 -Profile oai -WhatIf
        New-SoraVideo 'Snow' -EditOf $script:source['oai'] -Profile oai -WhatIf
        Stop-Transcript | Out-Null
        $out = Get-Content $log -Raw
        $out | Should -Match 'video extension .*\(16 s x \$0\.10/s\)'
        $out | Should -Match 'video edit .*about \$0\.80'
        @(Get-EmulatorRequest $emu).Count | Should -Be $before
    }

    It 'refuses edits, extensions and characters where the dialect has none, naming it' {
        { New-SoraVideo 'Snow' -EditOf video_1 -Profile uni -ErrorAction Stop } | Should -Throw -ErrorId 'EditNotSupported*'
        { New-SoraVideo 'More' -ExtendOf video_1 -Duration 4 -Profile uni -ErrorAction Stop } | Should -Throw -ErrorId 'ExtendNotSupported*'
        { New-SoraVideo 'Mia' -Character char_1 -Profile uni -ErrorAction Stop } | Should -Throw '*UnifiedTask*'
        { Get-SoraCharacter -Id char_1 -Profile uni -ErrorAction Stop } | Should -Throw -ErrorId 'CharactersNotSupported*'
        { New-SoraVideo 'More' -ExtendOf video_1 -Duration 6 -Profile oai -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDuration*'
    }
}

Describe 'Characters' {
    It 'makes, reads and casts a character on <_>' -ForEach 'oai', 'aoai' {
        $clip = Join-Path $env:SORAPS_CONFIG_HOME "clip-$_.mp4"
        $script:source[$_] | Save-SoraVideo -Path $clip -Force
        $mia = New-SoraCharacter -Video $clip -Name 'Mia' -Profile $_
        $mia | Should -BeOfType ([SoraPS.Core.Tasks.SoraCharacter])
        $mia.Id | Should -BeLike 'char_*'
        $mia.Profile | Should -Be $_
        $mia.CreatedAt | Should -Not -BeNullOrEmpty
        (Get-SoraCharacter -Id $mia.Id -Profile $_).Name | Should -Be 'Mia'
        ($mia | Format-Table | Out-String) | Should -Match 'Mia'
        $task = New-SoraVideo 'Mia waves' -Character $mia -ImageFileId file-123 -Profile $_
        $task.Id | Should -Not -BeNullOrEmpty
        $post = @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*Mia waves*' })[-1]
        $post.body | Should -Match ('"characters":\[\{"id":"' + $mia.Id + '"\}\]')
        $post.body | Should -Match '"input_reference":\{"file_id":"file-123"\}'
    }

    It 'refuses a name over 80 characters and more than two characters' {
        { New-SoraCharacter -Video ./none.mp4 -Name ('n' * 81) -Profile oai -ErrorAction Stop } | Should -Throw
        { New-SoraVideo 'Crowd' -Character a, b, c -Profile oai -ErrorAction Stop } | Should -Throw -ErrorId 'TooManyCharacters*'
    }
}

Describe 'Tasks and characters named by any object with an Id' {
    It 'takes -EditOf from an Import-Csv row and -ExtendOf from ConvertFrom-Json output' {
        $src = $script:source['oai']
        $csv = Join-Path $TestDrive 'sources.csv'
        [pscustomobject]@{ Id = $src.Id; Note = 'the lake' } | Export-Csv $csv -NoTypeInformation
        $edit = New-SoraVideo 'Make it rain' -EditOf (Import-Csv $csv) -Profile oai
        $edit.Id | Should -Not -BeNullOrEmpty
        $ext = New-SoraVideo 'A crane lands' -ExtendOf ('{ "task_id": "' + $src.Id + '" }' | ConvertFrom-Json) -Duration 4 -Profile oai
        $ext.Id | Should -Not -BeNullOrEmpty
        $posts = @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/v1/videos/e*' })
        @($posts | Where-Object { $_.path -like '*/edits' -and $_.body -like '*Make it rain*' })[-1].body | Should -Match ('"video":\{"id":"' + $src.Id + '"\}')
        @($posts | Where-Object { $_.path -like '*/extensions' -and $_.body -like '*A crane lands*' })[-1].body | Should -Match ('"video":\{"id":"' + $src.Id + '"\}')
    }

    It 'takes -EditOf by property name from a piped row' {
        $src = $script:source['oai']
        $task = [pscustomobject]@{ Prompt = 'Make it dusk'; edit_of = $src.Id } | New-SoraVideo -Profile oai
        $task.Id | Should -Not -BeNullOrEmpty
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/edits' -and $_.body -like '*Make it dusk*' })[-1].body |
            Should -Match ('"video":\{"id":"' + $src.Id + '"\}')
    }

    It 'takes -Character from objects with an Id, ids and hashtables alike' {
        $clip = Join-Path $TestDrive 'cast.mp4'
        $script:source['oai'] | Save-SoraVideo -Path $clip -Force
        $ana = New-SoraCharacter -Video $clip -Name 'Ana' -Profile oai
        $leo = New-SoraCharacter -Video $clip -Name 'Leo' -Profile oai
        $json = ('[{ "id": "' + $ana.Id + '" }, { "character_id": "' + $leo.Id + '" }]') | ConvertFrom-Json
        New-SoraVideo 'Two friends wave' -Character $json -Profile oai | Should -Not -BeNullOrEmpty
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*Two friends wave*' })[-1].body |
            Should -Match ('"characters":\[\{"id":"' + $ana.Id + '"\},\{"id":"' + $leo.Id + '"\}\]')
        New-SoraVideo 'One friend waves' -Character @{ Id = $leo.Id } -Profile oai | Should -Not -BeNullOrEmpty
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*One friend waves*' })[-1].body |
            Should -Match ('"characters":\[\{"id":"' + $leo.Id + '"\}\]')
    }

    It 'refuses an object without an Id when the parameter is bound, before any request' {
        $before = @(Get-EmulatorRequest $emu).Count
        { New-SoraVideo 'Snow' -EditOf ([pscustomobject]@{ Name = 'no id' }) -Profile oai -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SoraPS.Commands.NewSoraVideoCommand' -ExpectedMessage '*properties are Name*Id, TaskId, task_id, video_id*'
        { New-SoraVideo 'Mia' -Character ([pscustomobject]@{ Name = 'Mia' }) -Profile oai -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SoraPS.Commands.NewSoraVideoCommand' -ExpectedMessage '*properties are Name*Id, CharacterId, character_id*'
        @(Get-EmulatorRequest $emu).Count | Should -Be $before
    }

    It 'treats an empty -RemixOf cell as not given' {
        $task = [pscustomobject]@{ Prompt = 'A plain generation'; remix_of = '' } | New-SoraVideo -Profile oai
        $task.Id | Should -Not -BeNullOrEmpty
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*A plain generation*' })[-1].path | Should -Not -BeLike '*remix*'
    }

    It 'shows the parameter types in help' {
        (Get-Help New-SoraVideo -Parameter EditOf).type.name | Should -Be 'SoraPS.Commands.SoraTaskReference'
        (Get-Help New-SoraVideo -Parameter Character).type.name | Should -Be 'SoraPS.Commands.SoraCharacterReference[]'
        (Get-Help New-SoraVideo -Parameter EditOf).description.Text | Should -BeLike '*Id*'
    }
}

Describe 'List order' {
    It 'lists oldest first with -Order Ascending' {
        $asc = @(Get-SoraTask -List -Profile oai -Order Ascending)
        $desc = @(Get-SoraTask -List -Profile oai)
        $asc.Count | Should -BeGreaterThan 2
        $asc[0].Id | Should -Be $desc[-1].Id
        @(Get-EmulatorRequest $emu | Where-Object { $_.query -like '*order=asc*' }).Count | Should -BeGreaterThan 0
    }
}
