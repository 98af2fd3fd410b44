#Requires -Modules Pester
# The OpenRouter dialect through the built module against the emulator: frames and references, several outputs,
# error bodies, reported costs in budgets across processes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-openrouter-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:OPENROUTER_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    $script:module = Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1'
    $script:pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    Import-Module $module -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name or -Dialect OpenRouter -BaseUri "$($emu.BaseUri)/openrouter" -ApiKeyEnvironmentVariable OPENROUTER_PESTER_KEY -Setting @{ PollIntervalSec = 0.2 } -Default
    $script:work = Join-Path $env:SORAPS_CONFIG_HOME 'work'
    New-Item -ItemType Directory -Path $work -Force | Out-Null
    $script:png = Join-Path $work 'last frame.png'
    [IO.File]::WriteAllBytes($png, [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='))
    function Get-Post([string] $Prompt) {
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like "*$Prompt*" })
    }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'OpenRouter dialect' {
    It 'submits with a first and last frame and references, waits, saves, and keeps the reported cost' {
        $task = New-SoraVideo 'A kite over the dunes' -Model google/veo-3.1 -Duration 6 -AspectRatio 9:16 -Resolution 1080p `
            -Image https://images.example.com/first.png -LastFrame $png -ReferenceImage https://images.example.com/style.png `
            -ProviderOption @{ generate_audio = $true; seed = 3 } -Wait -TimeoutSec 60
        $task.Dialect | Should -Be 'OpenRouter'
        $task.Status | Should -Be 'Succeeded'
        $task.ActualCost | Should -Be 2.4
        $body = (Get-Post 'A kite over the dunes')[0].body | ConvertFrom-Json
        $body.duration | Should -Be 6
        $body.frame_images.frame_type | Should -Be @('first_frame', 'last_frame')
        $body.frame_images[1].image_url.url | Should -BeLike 'data:image/png;base64,*'
        $body.input_references[0].image_url.url | Should -Be 'https://images.example.com/style.png'
        $body.seed | Should -Be 3
        $file = $task | Save-SoraVideo -Path $work -PassThru
        $file.Length | Should -BeGreaterThan 0
        (Get-SoraTask -Id $task.Id).ActualCost | Should -Be 2.4
    }

    It 'saves every video of a job that made several' {
        $dir = Join-Path $work 'several'
        $task = New-SoraVideo 'Three takes [outputs:3]' -Model google/veo-3.1-fast -Duration 4 -Wait -TimeoutSec 60
        $files = $task | Save-SoraVideo -Path $dir -PassThru
        @($files).Count | Should -Be 3
        ($files.Name | Sort-Object) | Should -Be (@("$($task.Id).mp4", "$($task.Id)-1.mp4", "$($task.Id)-2.mp4") | Sort-Object)
        $index = Get-EmulatorRequest $emu | Where-Object { $_.path -like "*$($task.Id)/content" } | ForEach-Object query
        $index | Should -Contain '?index=2'
    }

    It 'turns error bodies into error ids: credits, a flagged job' {
        New-SoraVideo 'Out of credits [quota]' -Duration 4 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'QuotaExceeded*'
        $err[0].Exception.Message | Should -BeLike '*credits ran out*'
        New-SoraVideo 'Flagged [fail:moderation]' -Duration 4 -Wait -TimeoutSec 60 -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ContentModerationFailed*'
        $failed[0].Exception.Message | Should -BeLike '*content moderation policy*'
    }

    It 'refuses what it cannot send before any request' {
        New-SoraVideo 'Five seconds' -Duration 5 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDuration*'
        New-SoraVideo 'Typed seed' -ProviderOption @{ seed = 'seven' } -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidProviderOption*'
        Register-SoraProfile -Name oa -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable OPENROUTER_PESTER_KEY
        New-SoraVideo 'Last frame elsewhere' -Profile oa -LastFrame $png -ErrorVariable err3 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err3[0].FullyQualifiedErrorId | Should -BeLike 'LastFrameNotSupported*'
        @(Get-Post 'Five seconds').Count + @(Get-Post 'Typed seed').Count + @(Get-Post 'Last frame elsewhere').Count | Should -Be 0
    }

    It 'a budget counts the cost another process saw reported, not the estimate' {
        Register-SoraModel -Dialect OpenRouter -Name google/veo-3.1 -Like google/veo-3.1 -PricePerSecond 1
        Register-SoraProfile -Name orbudget -Dialect OpenRouter -BaseUri "$($emu.BaseUri)/openrouter" -ApiKeyEnvironmentVariable OPENROUTER_PESTER_KEY -Setting @{ PollIntervalSec = 0.2 } -DailyBudget 10
        # Another process submits 8 s (estimate 8.00) and waits: OpenRouter reports 3.20.
        $child = "Import-Module '$module'; `$ProgressPreference = 'SilentlyContinue'; " +
            "`$t = New-SoraVideo 'budget across processes one' -Profile orbudget -Model google/veo-3.1 -Duration 8 -Wait -TimeoutSec 60; `$t.ActualCost"
        $reported = & $pwsh -NoProfile -NonInteractive -Command $child
        $reported | Should -Be '3.2'
        # 3.20 + 4.00 fits in 10.00 (the estimates, 8.00 + 4.00, would not).
        $task = New-SoraVideo 'budget across processes two' -Profile orbudget -Model google/veo-3.1 -Duration 4
        $task.Status | Should -Be 'Queued'
        New-SoraVideo 'budget across processes three' -Profile orbudget -Model google/veo-3.1 -Duration 4 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BudgetExceeded*'
        $spend = Get-SoraSpend -Profile orbudget -By Profile
        $spend.EstimatedCost | Should -Be 12
        $spend.ActualCost | Should -Be 3.2
        $spend.Reported | Should -Be 1
        (Get-SoraSpend -Profile orbudget -By Profile | Format-List | Out-String) | Should -BeLike '*ActualCost*: 3.2*'
        Unregister-SoraModel -Dialect OpenRouter -Name google/veo-3.1
    }

    It 'a model the provider retired is ModelRetired naming the replacement; a deprecated one warns once' {
        Register-SoraModel -Dialect OpenRouter -Name openai/sora-2-pro -Like google/veo-3.1 -Duration 4, 8, 12 -Resolution 720p
        Register-SoraModel -Dialect OpenRouter -Name minimax/hailuo-02 -Like google/veo-3.1 -Duration 6, 10 -Resolution 768p, 1080p -AspectRatio 16:9
        New-SoraVideo 'A retired model' -Model openai/sora-2-pro -Duration 4 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelRetired*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Replacement | Should -Be 'google/veo-3.1'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*Get-SoraModel*'
        $tasks = 'deprecated one', 'deprecated two' | New-SoraVideo -Model minimax/hailuo-02 -Duration 6 -WarningVariable warned -WarningAction SilentlyContinue
        @($tasks).Count | Should -Be 2
        @($warned | Where-Object { $_.Message -like '*minimax/hailuo-02*2026-10-31*' }).Count | Should -Be 1
        Unregister-SoraModel -Dialect OpenRouter -Name openai/sora-2-pro
        Unregister-SoraModel -Dialect OpenRouter -Name minimax/hailuo-02
    }

    It 'shows RetiredOn for OpenAI''s Sora 2 models and warns once when one is submitted, without refusing it' {
        (Get-SoraModel -Dialect OpenAI -Name sora-2, sora-2-pro).RetiredOn | ForEach-Object { $_.ToString('yyyy-MM-dd') } | Should -Be @('2026-09-24', '2026-09-24')
        (Get-SoraModel -Dialect OpenRouter -Name google/veo-3.1).RetiredOn | Should -BeNullOrEmpty
        # Once per model and process: a fresh process, since other suites in this one may have submitted sora-2-pro already.
        $script = @"
Import-Module '$module'
`$tasks = 'after sora one', 'after sora two' | New-SoraVideo -Profile oa -Model sora-2-pro -WarningVariable warned -WarningAction SilentlyContinue
@(`$tasks).Count
@(`$warned | Where-Object { `$_.Message -like '*retired sora-2-pro on 2026-09-24*' }).Count
"@
        $out = & pwsh -NoProfile -NonInteractive -Command $script
        $out | Should -Be @('2', '1')
    }
}
