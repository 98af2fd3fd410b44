#Requires -Modules Pester
# A paid submission is never invisible: whatever ends it, the journal holds it (built module, fresh processes).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-sub-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    $script:module = Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1'
    # The pwsh running these tests (under a dotnet tool, the process itself is dotnet).
    $script:pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    Import-Module $module -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name unified -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name azure -Dialect AzureJobs -BaseUri "$($emu.BaseUri)/azure" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY

    function Add-Fault([hashtable] $Fault) {
        Invoke-RestMethod -Method Post -Uri "$($emu.BaseUri)/_emulator/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json) | Out-Null
    }
    function Clear-Fault { Invoke-RestMethod -Method Delete -Uri "$($emu.BaseUri)/_emulator/faults" | Out-Null }
    function Get-PostCount([string] $Prompt) {
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like "*$Prompt*" }).Count
    }
    # Waits (with a deadline) until the emulator has received the submission carrying $Prompt.
    function Wait-Posted([string] $Prompt, [int] $Seconds = 30) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        while ((Get-PostCount $Prompt) -eq 0) {
            if ((Get-Date) -gt $deadline) { throw "The submission '$Prompt' did not reach the emulator within $Seconds s." }
            Start-Sleep -Milliseconds 100
        }
    }
    # What a brand-new process sees in the journal.
    function Get-FreshUnknown {
        $script = "Import-Module '$module'; Get-SoraTask -Status Unknown | Select-Object Id, Prompt, @{ n = 'Status'; e = { [string] `$_.Status } }, Profile | ConvertTo-Json -AsArray"
        $json = & $pwsh -NoProfile -NonInteractive -Command $script
        @($json | ConvertFrom-Json)
    }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'A paid submission is never invisible' {
    AfterEach { Clear-Fault }

    It 'a process killed while its submission is in flight leaves an Unknown entry a fresh process lists' {
        Add-Fault @{ method = 'POST'; path = '/unified/v1/videos/generations'; kind = 'Delay'; delay = '00:00:30' }
        $child = "Import-Module '$module'; `$ProgressPreference = 'SilentlyContinue'; New-SoraVideo 'killed mid-request' -Profile unified"
        $p = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $child -PassThru
        try {
            Wait-Posted 'killed mid-request'
        }
        finally {
            Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue
            $p.WaitForExit(10000) | Out-Null
        }
        $unknown = @(Get-FreshUnknown | Where-Object Prompt -EQ 'killed mid-request')
        $unknown | Should -HaveCount 1
        $unknown[0].Status | Should -Be 'Unknown'
        $unknown[0].Profile | Should -Be 'unified'
        @(Get-SoraTask -Pending | Where-Object Prompt -EQ 'killed mid-request') | Should -HaveCount 0 -Because 'an Unknown submission is never waited on or re-sent automatically'
        Get-PostCount 'killed mid-request' | Should -Be 1
    }

    It 'Stop-Job while the submission is in flight leaves an Unknown entry' {
        Add-Fault @{ method = 'POST'; path = '/unified/v1/videos/generations'; kind = 'Delay'; delay = '00:00:30' }
        $job = Start-Job -ScriptBlock {
            param($Module)
            Import-Module $Module
            $ProgressPreference = 'SilentlyContinue'
            New-SoraVideo 'stopped mid-request' -Profile unified
        } -ArgumentList $module
        try {
            Wait-Posted 'stopped mid-request'
        }
        finally {
            $job | Stop-Job
            $job | Remove-Job -Force
        }
        $unknown = @(Get-FreshUnknown | Where-Object Prompt -EQ 'stopped mid-request')
        $unknown | Should -HaveCount 1
        Get-PostCount 'stopped mid-request' | Should -Be 1
    }

    It 'a gateway answering <Status> is Unknown, not re-sent, and not GenerationTimeout' -ForEach @(
        @{ Status = 502 }, @{ Status = 503 }, @{ Status = 504 }
    ) {
        $prompt = "gateway $Status"
        Add-Fault @{ method = 'POST'; path = '/unified/v1/videos/generations'; kind = 'Status'; status = $Status }
        $out = New-SoraVideo $prompt -Profile unified -ErrorVariable failed -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SubmissionOutcomeUnknown*'
        $failed[0].Exception.Message | Should -Match "$Status"
        Get-PostCount $prompt | Should -Be 1
        @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ $prompt) | Should -HaveCount 1
    }

    It 'a refusal the provider certainly did not accept (400) leaves no Unknown entry' {
        New-SoraVideo 'refused outright [refuse]' -Profile openai -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed | Should -HaveCount 1
        @(Get-SoraTask | Where-Object Prompt -EQ 'refused outright [refuse]') | Should -HaveCount 0
    }

    It 'a successful submission is journaled under the provider id only' {
        $t = New-SoraVideo 'plain success' -Profile unified
        @(Get-SoraTask | Where-Object Prompt -EQ 'plain success').Id | Should -Be @($t.Id)
        @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ 'plain success') | Should -HaveCount 0
    }
}

Describe 'Resolve-SoraTask' {
    AfterEach { Clear-Fault }

    It 'finds the task the provider accepted and records its id (<Profile>)' -ForEach @(
        @{ Profile = 'openai'; Path = '/openai/v1/videos'; Prefix = 'video_' }
        @{ Profile = 'azure'; Path = '/azure/openai/v1/video/generations/jobs'; Prefix = 'task_' }
    ) {
        $prompt = "accepted then lost on $Profile"
        Add-Fault @{ method = 'POST'; path = $Path; kind = 'AcceptThenReset' }
        New-SoraVideo $prompt -Profile $Profile -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SubmissionOutcomeUnknown*'
        $unknown = @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ $prompt)
        $unknown | Should -HaveCount 1
        $resolved = $unknown | Resolve-SoraTask
        $resolved | Should -HaveCount 1
        $resolved.Id | Should -BeLike "$Prefix*"
        $resolved.Prompt | Should -Be $prompt
        @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ $prompt) | Should -HaveCount 0
        @(Get-SoraTask | Where-Object Prompt -EQ $prompt).Id | Should -Be @($resolved.Id)
        Get-PostCount $prompt | Should -Be 1
    }

    It 'says it found nothing when the provider never accepted it' {
        Add-Fault @{ method = 'POST'; path = '/openai/v1/videos'; kind = 'Status'; status = 504 }
        New-SoraVideo 'never arrived' -Profile openai -ErrorAction SilentlyContinue | Out-Null
        $r = Get-SoraTask -Status Unknown | Where-Object Prompt -EQ 'never arrived' | Resolve-SoraTask -ErrorVariable failed -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SubmissionNotFound*'
        @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ 'never arrived') | Should -HaveCount 1
    }

    It 'says ListNotSupported on a dialect without a task list' {
        Add-Fault @{ method = 'POST'; path = '/unified/v1/videos/generations'; kind = 'AcceptThenReset' }
        New-SoraVideo 'no list here' -Profile unified -ErrorAction SilentlyContinue | Out-Null
        $r = Get-SoraTask -Status Unknown | Where-Object Prompt -EQ 'no list here' | Resolve-SoraTask -ErrorVariable failed -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ListNotSupported*'
    }
}

Describe 'Bad data never blocks recovery' {
    It 'skips each malformed journal line with one warning naming the file and line' {
        $t = New-SoraVideo 'survives garbage' -Profile unified
        $file = Get-ChildItem (Join-Path $env:SORAPS_CONFIG_HOME 'journal') -Filter 'tasks-*.jsonl' | Sort-Object Name | Select-Object -Last 1
        $garbage = @('{"id":"torn","prof', 'not json at all', '[1,2,3]', '"a string"', 'null', '{"id":42}', '{"id":"x","status":"Exploded"}',
            '{"id":"y","progress":"lots"}', '{"id":"z","createdAt":"yesterday"}', '{}')
        $lines = @(Get-Content $file.FullName).Count
        Add-Content -Path $file.FullName -Value $garbage
        $pending = Get-SoraTask -Pending -WarningVariable w -WarningAction SilentlyContinue
        $pending.Id | Should -Contain $t.Id
        $w | Should -HaveCount $garbage.Count
        for ($i = 0; $i -lt $garbage.Count; $i++) {
            $w[$i].Message | Should -Match ([regex]::Escape($file.Name))
            $w[$i].Message | Should -Match "line $($lines + $i + 1)\b"
        }
        (Get-SoraTask -First 5 -WarningAction SilentlyContinue).Id | Should -Contain $t.Id
    }
}
