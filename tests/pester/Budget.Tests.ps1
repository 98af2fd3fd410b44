#Requires -Modules Pester
# Budgets hold across processes, and Get-SoraSpend reads the journal (built module, fresh processes).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-budget-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    $script:module = Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1'
    $script:pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    Import-Module $module -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    function Get-PostCount([string] $Prompt) {
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like "*$Prompt*" }).Count
    }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Budgets' {
    It 'are set, shown and removed with $null' {
        Register-SoraProfile -Name capped -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -DailyBudget 5 -MonthlyBudget 50.5
        $p = Get-SoraProfile -Name capped
        $p.DailyBudget | Should -Be 5
        $p.MonthlyBudget | Should -Be 50.5
        Set-SoraProfile -Name capped -DailyBudget $null -AllowUnpricedModels
        $p = Get-SoraProfile -Name capped
        $p.DailyBudget | Should -BeNullOrEmpty
        $p.MonthlyBudget | Should -Be 50.5
        $p.AllowUnpricedModels | Should -BeTrue
        Set-SoraProfile -Name capped -MonthlyBudget $null -AllowUnpricedModels:$false
        $p = Get-SoraProfile -Name capped
        $p.MonthlyBudget | Should -BeNullOrEmpty
        $p.AllowUnpricedModels | Should -BeFalse
        Set-SoraProfile -Name capped -DailyBudget -1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBudget*'
    }

    It 'refuses the submission that would pass the limit with BudgetExceeded, sending nothing for it' {
        Register-SoraProfile -Name daily -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -DailyBudget 0.8
        $tasks = 'budget one', 'budget two', 'budget three' | New-SoraVideo -Profile daily -ErrorVariable err -ErrorAction SilentlyContinue
        @($tasks).Count | Should -Be 2
        @($err).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BudgetExceeded*'
        $err[0].CategoryInfo.Category | Should -Be 'QuotaExceeded'
        $err[0].Exception.Message | Should -BeLike '*daily budget of 0.80 USD*0.80 USD is already spent today*0.40 USD (4 s x 0.10 USD/s)*'
        Get-PostCount 'budget ' | Should -Be 2
    }

    It 'counts the request as it is sent: a provider option naming the length is that length, and a contradiction is refused' {
        Register-SoraProfile -Name as-sent -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -DailyBudget 1
        # 12 s at 0.10 USD/s is 1.20 USD: over the 1.00 budget, though the default 4 s would fit.
        New-SoraVideo 'as sent twelve' -Profile as-sent -ProviderOption @{ seconds = '12' } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BudgetExceeded*'
        $err[0].Exception.Message | Should -BeLike '*1.20 USD (12 s x 0.10 USD/s)*'
        New-SoraVideo 'as sent both' -Profile as-sent -Duration 4 -ProviderOption @{ seconds = '12' } -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ConflictingProviderOption*'
        Get-PostCount 'as sent' | Should -Be 0
    }

    It 'refuses an unpriced model on a profile with a budget (UnpricedModel), unless allowed' {
        Register-SoraProfile -Name unpriced -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -MonthlyBudget 100
        New-SoraVideo 'unpriced submission' -Profile unpriced -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnpricedModel*'
        $err[0].Exception.Message | Should -BeLike '*give the model a price in the catalog, or allow unpriced models on the profile*'
        Get-PostCount 'unpriced submission' | Should -Be 0
        Set-SoraProfile -Name unpriced -AllowUnpricedModels
        (New-SoraVideo 'unpriced allowed' -Profile unpriced).Status | Should -Not -BeNullOrEmpty
        Get-PostCount 'unpriced allowed' | Should -Be 1
    }

    It '-WhatIf shows the budget left next to the estimate' {
        Register-SoraProfile -Name whatif -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -DailyBudget 2 -MonthlyBudget 10
        $null = New-SoraVideo 'spent before what-if' -Profile whatif
        $out = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$module'; New-SoraVideo 'only a what-if' -Profile whatif -WhatIf" 2>&1 | Out-String
        $out | Should -BeLike '*estimate: 0.40 USD (4 s x 0.10 USD/s); budget: 1.60 of 2.00 USD left today, 9.60 of 10.00 USD left this month*'
        Get-PostCount 'only a what-if' | Should -Be 0
    }

    It 'two processes submitting at once never pass the limit together' {
        Register-SoraProfile -Name shared -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -MonthlyBudget 4 -MaxConcurrency 8
        $dir = Join-Path $env:SORAPS_CONFIG_HOME 'children'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $go = Join-Path $dir 'go'
        $children = foreach ($name in 'left', 'right') {
            $out = Join-Path $dir "$name.json"
            # Both import the module, say they are ready, and start submitting on the same signal.
            $child = "Import-Module '$module'; `$ProgressPreference = 'SilentlyContinue'; `$null = Get-SoraProfile -Name shared; " +
                "Set-Content -LiteralPath '$out.ready' -Value 1; `$deadline = (Get-Date).AddSeconds(60); " +
                "while (-not (Test-Path -LiteralPath '$go')) { if ((Get-Date) -gt `$deadline) { exit 2 }; Start-Sleep -Milliseconds 10 }; " +
                "`$t = 1..25 | ForEach-Object { 'two processes $name ' + `$_ } | New-SoraVideo -Profile shared -ErrorVariable e -ErrorAction SilentlyContinue; " +
                "@{ Accepted = @(`$t).Count; Errors = @(`$e | ForEach-Object { `$_.FullyQualifiedErrorId }) } | ConvertTo-Json | Set-Content -LiteralPath '$out'"
            [pscustomobject]@{ Out = $out; Process = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $child -PassThru }
        }
        $deadline = (Get-Date).AddSeconds(60)
        while (@($children | Where-Object { -not (Test-Path -LiteralPath "$($_.Out).ready") }).Count -gt 0) {
            if ((Get-Date) -gt $deadline) { $children | ForEach-Object { Stop-Process -Id $_.Process.Id -Force -ErrorAction SilentlyContinue }; throw 'The child processes did not start within 60 s.' }
            Start-Sleep -Milliseconds 50
        }
        Set-Content -LiteralPath $go -Value 1
        foreach ($c in $children) {
            if (-not $c.Process.WaitForExit(120000)) { Stop-Process -Id $c.Process.Id -Force; throw 'A child process did not finish within 120 s.' }
        }
        $results = $children | ForEach-Object { Get-Content -Raw -LiteralPath $_.Out | ConvertFrom-Json }
        ($results | Measure-Object Accepted -Sum).Sum | Should -Be 10
        $errors = @($results | ForEach-Object { $_.Errors })
        $errors.Count | Should -Be 40
        $errors | Where-Object { $_ -notlike 'BudgetExceeded*' } | Should -BeNullOrEmpty
        Get-PostCount 'two processes ' | Should -Be 10
        $spend = Get-SoraSpend -Profile shared -By Profile
        $spend.Count | Should -Be 10
        $spend.EstimatedCost | Should -Be 4
        $spend.EstimatedCost | Should -BeLessOrEqual (Get-SoraProfile -Name shared).MonthlyBudget
    }
}

Describe 'Get-SoraSpend' {
    It 'groups the journal by profile, model, status, day and month, with a table view' {
        $journal = @(Get-SoraTask)
        $byProfile = Get-SoraSpend -By Profile
        $byProfile | Should -Not -BeNullOrEmpty
        $byProfile[0].PSObject.TypeNames[0] | Should -Be 'SoraPS.Core.Budget.SoraSpend'
        ($byProfile | Measure-Object Count -Sum).Sum | Should -Be $journal.Count
        foreach ($by in 'Day', 'Month', 'Model', 'Status') {
            (Get-SoraSpend -By $by | Measure-Object Count -Sum).Sum | Should -Be $journal.Count
            (Get-SoraSpend -By $by | Measure-Object EstimatedCost -Sum).Sum | Should -Be ($byProfile | Measure-Object EstimatedCost -Sum).Sum
        }
        (Get-SoraSpend -By Month).Name | Should -Be (Get-Date).ToString('yyyy-MM')
        (Get-SoraSpend -Profile 'dai*' -By Profile).Name | Should -Be 'daily'
        (Get-SoraSpend -Since (Get-Date).AddMinutes(10)) | Should -BeNullOrEmpty
        (Get-SoraSpend -Until (Get-Date).AddMinutes(-60)) | Should -BeNullOrEmpty
        $table = Get-SoraSpend -By Profile | Format-Table | Out-String
        $table | Should -BeLike '*EstimatedCost*Currency*'
        $table | Should -BeLike '*USD*'
    }
}
