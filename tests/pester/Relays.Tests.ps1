#Requires -Version 7.4
# Relays as they answer today, through the built module against the emulator: new-api's task route (NewApi dialect, its
# three answer shapes), an OpenAI-shaped relay that names its links and lacks list, delete and thumbnail routes, and
# APIMart-style answers on the UnifiedTask paths.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-relays-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    $script:videos = Join-Path $env:SORAPS_CONFIG_HOME 'videos'
    $script:sample = [IO.File]::ReadAllBytes((Join-Path $root 'tools' 'SoraPS.Emulator' 'Assets' 'sample.mp4'))
    Register-SoraProfile -Name newapi -Dialect NewApi -BaseUri "$($emu.BaseUri)/newapi" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name relay -Dialect OpenAI -BaseUri "$($emu.BaseUri)/relay" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name azurejobs -Dialect AzureJobs -BaseUri "$($emu.BaseUri)/azure" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name apimart -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/apimart" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'NewApi dialect (new-api task route)' {
    It 'New | Wait | Save gives the video in the <Shape> answer shape' -ForEach @(
        @{ Shape = 'envelope'; Marker = ''; Model = 'sora-2'; Duration = 8 }
        @{ Shape = 'Veo envelope'; Marker = ' [shape:veo]'; Model = 'veo-3.1-generate-preview'; Duration = 8 }
        @{ Shape = 'flat'; Marker = ' [shape:flat]'; Model = 'MiniMax-Hailuo-02'; Duration = 6 }
    ) {
        $task = New-SoraVideo "A kite over the dunes$Marker" -Profile newapi -Model $Model -Duration $Duration
        $task.Dialect | Should -Be 'NewApi'
        $task.Id | Should -BeLike 'task_*'
        $file = $task | Wait-SoraTask -TimeoutSec 60 | Save-SoraVideo -Path $videos -PassThru
        $file.Name | Should -Be "$($task.Id).mp4"
        [IO.File]::ReadAllBytes($file.FullName) | Should -Be $sample
        $post = Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like "*$Model*" } | Select-Object -Last 1
        $post.path | Should -Be '/newapi/v1/video/generations'
        $post.body | Should -BeLike "*`"duration`":$Duration*"
    }

    It 'reports a failure with its reason' {
        $err = $null
        New-SoraVideo 'A busy square [fail:moderation]' -Profile newapi | Wait-SoraTask -TimeoutSec 60 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ContentModerationFailed*'
        $err[0].Exception.Message | Should -Match 'content moderation'
    }

    It 'an unknown id is TaskNotFound' {
        { Get-SoraTask -Id task_doesnotexist -Profile newapi -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
    }

    It 'list and delete are refused by the dialect before any request' {
        { Get-SoraTask -List -Profile newapi -ErrorAction Stop } | Should -Throw -ErrorId 'ListNotSupported*'
    }
}

Describe 'OpenAI-shaped relay with links' {
    It 'uses the link in <Place> and fetches it without the key' -ForEach @(
        @{ Place = 'metadata.url'; Marker = '' }
        @{ Place = 'metadata.video_url'; Marker = ' [link:metadata.video_url]' }
        @{ Place = 'video_url'; Marker = ' [link:video_url]' }
        @{ Place = 'url'; Marker = ' [link:url]' }
    ) {
        $task = New-SoraVideo "A pier at dawn$Marker" -Profile relay -Duration 4 | Wait-SoraTask -TimeoutSec 60
        $task.VideoUri.Host | Should -Be 'localhost'
        $file = $task | Save-SoraVideo -Path $videos -PassThru
        [IO.File]::ReadAllBytes($file.FullName) | Should -Be $sample
        $get = Get-EmulatorRequest $emu | Where-Object { $_.path -eq "/relay/files/$($task.Id).mp4" } | Select-Object -Last 1
        $get.status | Should -Be 200
        $get.carriedKey | Should -BeFalse
    }

    It 'an unknown id is TaskNotFound' {
        { Get-SoraTask -Id task_nope -Profile relay -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
    }

    It 'refuses list and delete the relay lacks, and marks nothing deleted' {
        $task = New-SoraVideo 'Keep this one' -Profile relay -Duration 4 | Wait-SoraTask -TimeoutSec 60
        $err = $null
        Get-SoraTask -List -Profile relay -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ListNotSupported*'
        $err[0].Exception.Message | Should -Match 'GET /v1/videos'
        $err = $null
        # -Force: the video was never saved, and only then does Remove-SoraTask delete without asking.
        $task | Remove-SoraTask -Force -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DeleteNotSupported*'
        $entry = Get-SoraTask -Profile relay | Where-Object Id -eq $task.Id
        $entry.Status | Should -Be 'Succeeded'
        $entry.ProviderStatus | Should -Not -Be 'deleted'
        # The relay still serves it, and it can still be saved.
        ($task | Save-SoraVideo -Path (Join-Path $videos 'kept') -PassThru).Length | Should -Be $sample.Length
    }

    It 'refuses a thumbnail where the relay sends the video, leaving no file' {
        $task = New-SoraVideo 'No thumbnail route' -Profile relay -Duration 4 | Wait-SoraTask -TimeoutSec 60
        $dir = Join-Path $videos 'thumbs'
        $err = $null
        $task | Save-SoraVideo -Path $dir -Variant thumbnail -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnexpectedResponse*'
        $err[0].Exception.Message | Should -Match 'not a picture.*MP4 video'
        @(Get-ChildItem $dir -File -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'saves the thumbnail a relay names in thumbnail_url' {
        $task = New-SoraVideo 'Named thumbnail [link:url]' -Profile relay -Duration 4 | Wait-SoraTask -TimeoutSec 60
        $thumb = $task | Save-SoraVideo -Path (Join-Path $videos 'named') -Variant thumbnail -PassThru
        $thumb.Name | Should -Be "$($task.Id).thumbnail.webp"
        [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($thumb.FullName), 8, 4) | Should -Be 'WEBP'
    }
}

Describe 'Saved files are what the server sent' {
    It 'saves a thumbnail sent as JPEG as .jpg, and a re-run with -SkipExisting finds it' {
        $task = New-SoraVideo 'A harbour at dusk' -Profile azurejobs -Duration 5 | Wait-SoraTask -TimeoutSec 60
        $dir = Join-Path $videos 'azure-thumbs'
        $thumb = $task | Save-SoraVideo -Path $dir -Variant thumbnail -PassThru
        $thumb.Name | Should -Be "$($task.Id).thumbnail.jpg"
        $before = @(Get-EmulatorRequest $emu | Where-Object { $_.path -like '*/content/thumbnail' }).Count
        $again = $task | Save-SoraVideo -Path $dir -Variant thumbnail -SkipExisting -PassThru
        $again.FullName | Should -Be $thumb.FullName
        @(Get-EmulatorRequest $emu | Where-Object { $_.path -like '*/content/thumbnail' }).Count | Should -Be $before
        @(Get-ChildItem $dir -File).Name | Should -Be @("$($task.Id).thumbnail.jpg")
    }
}

Describe 'APIMart-style answers on UnifiedTask' {
    It 'New | Wait | Save, with the reported cost' {
        $task = New-SoraVideo 'A dune at noon' -Profile apimart -Duration 10
        $task.ProviderStatus | Should -Be 'submitted'
        $done = $task | Wait-SoraTask -TimeoutSec 60
        $done.Status | Should -Be 'Succeeded'
        $done.ActualCost | Should -Be 0.84
        $file = $done | Save-SoraVideo -Path $videos -PassThru
        [IO.File]::ReadAllBytes($file.FullName) | Should -Be $sample
        (Get-SoraTask -Profile apimart | Where-Object Id -eq $task.Id).ActualCost | Should -Be 0.84
    }

    It 'reports a failure with its message' {
        $err = $null
        New-SoraVideo 'A riot [fail:moderation]' -Profile apimart | Wait-SoraTask -TimeoutSec 60 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ContentModerationFailed*'
        $err[0].Exception.Message | Should -Match 'usage policy'
    }

    It 'an unknown id is TaskNotFound' {
        { Get-SoraTask -Id task_missing -Profile apimart -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
    }
}
