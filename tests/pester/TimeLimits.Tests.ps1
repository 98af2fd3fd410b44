#Requires -Modules Pester
# Time limits bound every wait (retry sleeps, single requests, polls); a stopped pipeline stops sending; the errors
# of a wait and a save say what happened. Runs against the BUILT module and the emulator.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-limits-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:configHome = $env:SORAPS_CONFIG_HOME
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default -MaxConcurrency 4
    Register-SoraProfile -Name openai2 -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name unified -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY

    function script:Add-Fault([hashtable] $Fault) {
        Invoke-RestMethod -Method Post -Uri "$($emu.BaseUri)/_emulator/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json) | Out-Null
    }
    function script:Clear-Fault { Invoke-RestMethod -Method Delete -Uri "$($emu.BaseUri)/_emulator/faults" | Out-Null }
    function script:Get-Post([string] $Prompt) {
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like "*$Prompt*" })
    }
    # Runs a script block, returning how long it took (seconds).
    function script:Measure-Limited([scriptblock] $Block) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & $Block
        [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds }
    }
}

AfterAll {
    Clear-Fault
    Stop-SoraEmulator $script:emu
    Remove-Item $script:configHome -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Every time limit is hard' {
    AfterEach { Clear-Fault }

    It 'New-SoraVideo -Wait -TimeoutSec ends on time while the create is pushed back with a long Retry-After' {
        Add-Fault @{ method = 'POST'; path = '/openai/v1/videos'; kind = 'Status'; status = 429; headers = @{ 'Retry-After' = '20' }; times = 100 }
        $r = Measure-Limited { New-SoraVideo 'limit pushed back' -Wait -TimeoutSec 3 -ErrorVariable script:e1 -ErrorAction SilentlyContinue }
        $r.Seconds | Should -BeLessThan 7
        $script:e1 | Should -HaveCount 1
        $script:e1[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
        # Refused with 429: certainly not accepted, so nothing is left Unknown.
        @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ 'limit pushed back') | Should -HaveCount 0
    }

    It 'New-SoraVideo -Wait -TimeoutSec ends on time while the create is never answered, and the create stays journaled as Unknown' {
        Add-Fault @{ method = 'POST'; path = '/openai/v1/videos'; kind = 'Delay'; delay = '00:00:40'; times = 5 }
        $r = Measure-Limited { New-SoraVideo 'limit unanswered' -Wait -TimeoutSec 3 -ErrorVariable script:e2 -ErrorAction SilentlyContinue }
        $r.Seconds | Should -BeLessThan 7
        $script:e2 | Should -HaveCount 1
        $script:e2[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
        $script:e2[0].Exception.Message | Should -BeLike '*Unknown*'
        @(Get-Post 'limit unanswered') | Should -HaveCount 1
        @(Get-SoraTask -Status Unknown | Where-Object Prompt -EQ 'limit unanswered') | Should -HaveCount 1
    }

    It 'Wait-SoraTask -Id -TimeoutSec ends on time while the status request never answers' {
        $t = New-SoraVideo 'limit status hangs'
        Add-Fault @{ method = 'GET'; path = "/openai/v1/videos/$($t.Id)"; kind = 'Delay'; delay = '00:01:00'; times = 100 }
        $r = Measure-Limited { Wait-SoraTask -Id $t.Id -TimeoutSec 4 -ErrorVariable script:e3 -ErrorAction SilentlyContinue }
        $r.Seconds | Should -BeLessThan 8
        $script:e3 | Should -HaveCount 1
        $script:e3[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
    }
}

Describe 'A stopped pipeline stops sending' {
    AfterEach { Clear-Fault }

    It 'sends at most the creates in flight when Select-Object -First 1 has its task, and journals every create that went out' {
        # The first create is answered at once; the others take a while, so they are in flight when the pipeline stops.
        Add-Fault @{ method = 'POST'; path = '/openai/v1/videos'; kind = 'Delay'; delay = '00:00:01.5'; times = 1000; bodyContains = 'stop-later' }
        $prompts = @('stop-first') + (1..39 | ForEach-Object { "stop-later-$_" })
        $first = $prompts | New-SoraVideo | Select-Object -First 1
        $first.Prompt | Should -Be 'stop-first'
        # MaxConcurrency 4: the four in flight, and at most one more that took the first one's slot as it ended.
        $deadline = (Get-Date).AddSeconds(20)
        do {
            Start-Sleep -Milliseconds 300
            $sent = @(Get-Post 'stop-')
            $journaled = @(Get-SoraTask -First 200 | Where-Object { $_.Prompt -like 'stop-*' -and $_.Id -notlike 'sub-*' })
        } until ($journaled.Count -ge $sent.Count -or (Get-Date) -gt $deadline)
        Write-Host "creates sent: $($sent.Count)"
        $sent.Count | Should -BeLessOrEqual 5
        $journaled.Count | Should -Be $sent.Count
    }
}

Describe 'Messages say what happened' {
    AfterEach { Clear-Fault }

    It 'a wait that ends on a task answered completed without a link says the link is missing, not that it is still queued' {
        $t = New-SoraVideo 'completed without link' -Profile unified
        Add-Fault @{ method = 'GET'; path = '/unified/v1/tasks/'; kind = 'Replace'; pattern = '"results":\[[^\]]*\]'; word = '"results":[]'; times = 100 }
        $null = $t | Wait-SoraTask -TimeoutSec 3 -ErrorVariable script:e4 -ErrorAction SilentlyContinue
        $script:e4 | Should -HaveCount 1
        $script:e4[0].Exception.Message | Should -Not -BeLike '*still Queued*'
        $script:e4[0].Exception.Message | Should -BeLike '*completed*no video*'
    }

    It 'the same task piped twice to one file is saved once and said to be piped twice' {
        $t = New-SoraVideo 'saved twice' -Wait
        $file = Join-Path $TestDrive 'twice.mp4'
        $out = $t, $t | Save-SoraVideo -Path $file -PassThru -ErrorVariable e5 -ErrorAction SilentlyContinue -WarningVariable w5 -WarningAction SilentlyContinue
        $e5 | Should -HaveCount 0
        @($out) | Should -HaveCount 1
        Test-Path $file | Should -BeTrue
        @($w5 | Where-Object { "$_" -like '*twice*' }) | Should -HaveCount 1
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'GET' -and $_.path -like "*$($t.Id)/content*" }) | Should -HaveCount 1
    }

    It 'two tasks whose files would have one name are told apart, not reported as a download in progress' {
        $t = New-SoraVideo 'colliding ids' -Wait
        $twin = Get-SoraTask -Id $t.Id -Profile openai2
        $folder = Join-Path $TestDrive 'collide'
        $null = $t, $twin | Save-SoraVideo -Path $folder -ErrorVariable e6 -ErrorAction SilentlyContinue
        $e6 | Should -HaveCount 1
        $e6[0].FullyQualifiedErrorId | Should -BeLike 'FileNameCollision,*'
        $e6[0].Exception.Message | Should -BeLike "*openai2*"
        @(Get-ChildItem $folder -Filter *.mp4) | Should -HaveCount 1
    }
}
