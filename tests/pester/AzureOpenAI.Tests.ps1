#Requires -Version 7.4
# Sora 2 on Azure OpenAI's v1 API, through the built module against the emulator: a deployment name
# given with -ModelAlias, submit, wait, save, list and delete, the key in the api-key header.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-aoai-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    $script:videos = Join-Path $env:SORAPS_CONFIG_HOME 'videos'
    Register-SoraProfile -Name aoai -Dialect AzureOpenAI -BaseUri "$($emu.BaseUri)/azureopenai/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY `
        -ModelAlias @{ 'my-sora' = 'sora-2' } -Model my-sora -Default
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'AzureOpenAI dialect' {
    It 'submits through a deployment name, waits, saves, lists and deletes' {
        $task = New-SoraVideo 'A heron in the reeds' -Duration 8 -Profile aoai
        $task.Dialect | Should -Be 'AzureOpenAI'
        $task.Model | Should -Be 'my-sora'
        $done = $task | Wait-SoraTask -TimeoutSec 60
        $done.Status | Should -Be 'Succeeded'
        $file = $done | Save-SoraVideo -Path $videos -PassThru
        $file.Length | Should -BeGreaterThan 0
        (Get-SoraTask -List -Profile aoai).Id | Should -Contain $task.Id
        $done | Remove-SoraTask -Confirm:$false
        (Get-SoraTask -List -Profile aoai).Id | Should -Not -Contain $task.Id

        $mine = @(Get-EmulatorRequest $emu | Where-Object { $_.path -like '/azureopenai/openai/v1/videos*' })
        $mine.Count | Should -BeGreaterThan 4
        $mine | ForEach-Object { $_.authorized | Should -BeTrue }
        ($mine | Where-Object { $_.method -eq 'POST' }).body | Should -BeLike '*"model":"my-sora"*'
        ($mine | Where-Object { $_.method -eq 'DELETE' }).Count | Should -Be 1
    }

    It 'checks a deployment by its catalog model and shows the alias' {
        { New-SoraVideo 'too long' -Duration 10 -Profile aoai -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDuration*'
        (Get-SoraProfile aoai | Format-List | Out-String) | Should -Match 'ModelAlias\s+: my-sora -> sora-2'
    }

    It 'refuses a setting the dialect does not declare, naming the allowed ones' {
        $err = $null
        Set-SoraProfile -Name aoai -Setting @{ QueryPath = 'x/{id}' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSetting*'
        $err[0].Exception.Message | Should -Match 'RequestTimeoutSec, MaxRetries, DownloadStallSec'
    }
}
