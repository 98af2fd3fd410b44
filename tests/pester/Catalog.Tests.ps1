#Requires -Version 7.4
# The model catalog through the built module: Get-SoraModel, user models in models.json
# (Register-SoraModel / Unregister-SoraModel) used for validation and submission against the emulator,
# and parameters a dialect cannot send refused before any request.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-catalog-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name v2 -Dialect V2Task -BaseUri "$($emu.BaseUri)/v2task" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name oa -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY `
        -ModelAlias @{ 'relay-pro' = 'sora-2-pro' }
    $script:modelsFile = Join-Path $env:SORAPS_CONFIG_HOME 'models.json'
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Get-SoraModel' {
    It 'emits one typed object per built-in model' {
        $all = @(Get-SoraModel)
        $all.Count | Should -BeGreaterThan 8
        $pro = Get-SoraModel -Dialect OpenAI -Name sora-2-pro
        $pro.PSObject.TypeNames[0] | Should -Be 'SoraPS.Core.Dialects.SoraModelInfo'
        $pro.Dialect | Should -Be 'OpenAI'
        $pro.Durations | Should -Be @(4, 8, 12)
        $pro.Resolutions | Should -Be @('720p', '1024p')
        $pro.Sizes | Should -Contain '1024p 16:9 = 1792x1024'
        $pro.AspectRatios | Should -Contain '16:9'
        $pro.ImageInput | Should -Be 'UrlOrFile'
        $pro.Remix | Should -BeTrue
        $pro.Edit | Should -BeTrue
        $pro.Extend | Should -BeTrue
        (Get-SoraModel -Dialect V2Task -Name sora-2).Extend | Should -BeFalse
        $pro.PricePerSecond['1024p'] | Should -Be 0.50
        $pro.PriceUnit | Should -Be 'USD per second'
        $pro.Source | Should -Be 'built-in'
        (Get-SoraModel -Dialect V2Task).Name | Should -Be @('sora-2', 'sora-2-pro')
    }

    It 'shows a default table and a profile''s aliases' {
        (Get-SoraModel -Dialect OpenAI | Out-String) | Should -Match 'Dialect\s+Name\s+Durations'
        $m = Get-SoraModel -Profile oa -Name sora-2-pro
        $m.Aliases | Should -Be @('relay-pro')
        $m.Dialect | Should -Be 'OpenAI'
        (Get-SoraModel -Profile oa -Name relay-pro).Name | Should -Be 'sora-2-pro'
    }

    It 'refuses an unknown model or dialect' {
        { Get-SoraModel -Dialect V2Task -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownModel*'
        { Get-SoraModel -Dialect Nope -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownDialect*'
    }

    It 'completes -Name and -Dialect' {
        $r = TabExpansion2 -inputScript ($l = 'Get-SoraModel -Dialect V2') -cursorColumn $l.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'V2Task'
        $r = TabExpansion2 -inputScript ($l = 'Get-SoraModel -Dialect OpenAI -Name sora-2-p') -cursorColumn $l.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'sora-2-pro'
    }
}

Describe 'Register-SoraModel' {
    AfterEach { Remove-Item $modelsFile -ErrorAction SilentlyContinue }

    It 'overrides a built-in model for validation and submission over HTTP' {
        Register-SoraModel -Dialect V2Task -Name sora-2 -Duration 4, 8 -PricePerSecond 0.02
        Test-Path $modelsFile | Should -BeTrue
        $m = Get-SoraModel -Dialect V2Task -Name sora-2
        $m.Durations | Should -Be @(4, 8)
        $m.Source | Should -Be $modelsFile
        $m.PricePerSecond['720p'] | Should -Be 0.02
        $err = $null
        New-SoraVideo 'A relay with fewer lengths' -Profile v2 -Duration 10 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDuration*'
        $err[0].Exception.Message | Should -Match '4, 8 s'
        $task = New-SoraVideo 'A relay with fewer lengths' -Profile v2 -Duration 8
        $task.Duration | Should -Be 8
        ($task | Wait-SoraTask -TimeoutSec 60).Status | Should -Be 'Succeeded'
        $r = TabExpansion2 -inputScript ($l = 'New-SoraVideo x -Profile v2 -Model sora-2 -Duration ') -cursorColumn $l.Length
        $r.CompletionMatches.CompletionText | Should -Be @('4', '8')
    }

    It 'copies a model with -Like, prices -WhatIf estimates by it, and unregisters' {
        Register-SoraModel -Dialect OpenAI -Name my-sora -Like sora-2-pro -Resolution 720p -PricePerSecond 0.25 -PassThru |
            ForEach-Object { $_.Durations | Should -Be @(4, 8, 12) }
        (Get-SoraModel -Dialect OpenAI).Name | Should -Contain 'my-sora'
        $log = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $log | Out-Null
        try { New-SoraVideo 'priced' -Profile oa -Model my-sora -Duration 8 -WhatIf }
        finally { Stop-Transcript | Out-Null }
        Get-Content $log -Raw | Should -BeLike '*cost: about $2.00 at list price (8 s x $0.25/s)*'
        { Register-SoraModel -Dialect OpenAI -Name my-sora -Like sora-2 -ErrorAction Stop } | Should -Throw -ErrorId 'ModelExists*'
        Register-SoraModel -Dialect OpenAI -Name my-sora -Like sora-2 -Force
        (Get-SoraModel -Dialect OpenAI -Name my-sora).Resolutions | Should -Be @('720p')
        Unregister-SoraModel -Dialect OpenAI -Name my-sora
        (Get-SoraModel -Dialect OpenAI).Name | Should -Not -Contain 'my-sora'
        { Unregister-SoraModel -Dialect OpenAI -Name my-sora -ErrorAction Stop } | Should -Throw -ErrorId 'ModelNotFound*'
    }

    It 'refuses an unknown model to copy, bad values and a new model without rules' {
        { Register-SoraModel -Dialect OpenAI -Name fresh -ErrorAction Stop } | Should -Throw -ErrorId 'ModelRulesMissing*'
        { Register-SoraModel -Dialect OpenAI -Name x -Like nope -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownModel*'
        { Register-SoraModel -Dialect OpenAI -Name x -Like sora-2 -Duration 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidModel*'
    }

    It 'names the file and the fault when models.json is damaged' {
        Set-Content -Path $modelsFile -Value '{"version":1,"models":[{"dialect":"V2Task","name":"x","durations":"ten"}]}'
        $err = $null
        Get-SoraModel -Dialect V2Task -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelStoreCorrupt*'
        $err[0].Exception.Message | Should -Match ([regex]::Escape($modelsFile))
        $err[0].Exception.Message | Should -Match 'model #1'
        { New-SoraVideo 'x' -Profile v2 -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'ModelStoreCorrupt*'
    }
}

Describe 'Parameters a dialect cannot send' {
    It 'refuses -RemixStrength on OpenAI before any request' {
        $before = @(Get-EmulatorRequest $emu).Count
        { New-SoraVideo 'lake' -Profile oa -RemixOf video_123 -RemixStrength 0.3 -ErrorAction Stop } | Should -Throw -ErrorId 'RemixStrengthNotSupported*'
        { New-SoraVideo 'lake' -Profile oa -ImageFrame 3 -ErrorAction Stop } | Should -Throw -ErrorId 'ImageFrameNotSupported*'
        { New-SoraVideo 'lake' -Profile v2 -RemixOf abc -ErrorAction Stop } | Should -Throw -ErrorId 'RemixNotSupported*'
        @(Get-EmulatorRequest $emu).Count | Should -Be $before
    }
}

Describe 'V2Task as the seed has it' {
    It 'sends several -Image URLs in the images array and refuses them where a model takes one' {
        $t = New-SoraVideo 'Two frames' -Profile v2 -Image https://img.example.com/a.png, https://img.example.com/b.png
        $body = (Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*Two frames*' }).body | ConvertFrom-Json
        $body.images | Should -Be @('https://img.example.com/a.png', 'https://img.example.com/b.png')
        ($t | Wait-SoraTask -TimeoutSec 60).Status | Should -Be 'Succeeded'
        { New-SoraVideo 'Two frames' -Profile oa -Image https://img.example.com/a.png, https://img.example.com/b.png -ErrorAction Stop } |
            Should -Throw -ErrorId 'TooManyImages*'
        (Get-SoraModel -Dialect V2Task -Name sora-2).MaxImages | Should -BeNullOrEmpty   # the seed states no limit
        (Get-SoraModel -Dialect OpenAI -Name sora-2).MaxImages | Should -Be 1
    }

    It 'checks the types of the watermark and private options' {
        $t = New-SoraVideo 'Flags' -Profile v2 -ProviderOption @{ Watermark = $false; private = $true }
        $body = (Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*Flags*' }).body | ConvertFrom-Json
        $body.watermark | Should -BeFalse
        $body.private | Should -BeTrue
        $err = $null
        New-SoraVideo 'Flags' -Profile v2 -ProviderOption @{ watermark = 'no' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidProviderOption*'
        $err[0].Exception.Message | Should -Match 'watermark.*boolean'
    }
}

Describe 'Budgets price by the catalog' {
    It 'accepts a user-priced model on a budgeted profile and counts it at its price' {
        Register-SoraProfile -Name v2capped -Dialect V2Task -BaseUri "$($emu.BaseUri)/v2task" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -DailyBudget 1
        # V2Task has no list price: unpriced, a budgeted profile refuses it.
        { New-SoraVideo 'Priced by me' -Profile v2capped -Duration 8 -ErrorAction Stop } | Should -Throw -ErrorId 'UnpricedModel*'
        Register-SoraModel -Dialect V2Task -Name sora-2 -PricePerSecond 0.05
        try {
            $t = New-SoraVideo 'Priced by me' -Profile v2capped -Duration 8
            $t.Id | Should -Not -BeNullOrEmpty
            $spend = Get-SoraSpend -Profile v2capped -By Model
            $spend.EstimatedCost | Should -Be 0.40
            $spend.Unpriced | Should -Be 0
            # 0.40 spent: a second 12 s (0.60) still fits, a third does not.
            New-SoraVideo 'Priced by me again' -Profile v2capped -Duration 12 | Should -Not -BeNullOrEmpty
            { New-SoraVideo 'One too many' -Profile v2capped -Duration 4 -ErrorAction Stop } | Should -Throw -ErrorId 'BudgetExceeded*'
        }
        finally { Unregister-SoraModel -Dialect V2Task -Name sora-2 }
    }
}

Describe 'Azure video jobs' {
    BeforeAll {
        Register-SoraProfile -Name azure -Dialect AzureJobs -BaseUri "$($emu.BaseUri)/azure" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
        $script:videos = Join-Path $env:SORAPS_CONFIG_HOME 'azure-videos'
    }

    It 'turns the content filter''s inner_error into ContentModerationFailed and keeps revised_prompt, param and type' {
        $err = $null
        New-SoraVideo 'A brawl [refuse]' -Profile azure -Duration 5 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ContentModerationFailed*'
        $err[0].Exception.InnerCode | Should -Be 'ResponsibleAIPolicyViolation'
        $err[0].Exception.RevisedPrompt | Should -Be 'A calm scene'
        $err[0].Exception.Param | Should -Be 'prompt'
        $err[0].Exception.ErrorType | Should -Be 'invalid_request_error'
        $err[0].Exception.Message | Should -Match 'Revised prompt: A calm scene'
    }

    It 'lists jobs, saves the thumbnail and the video at low quality' {
        $t = New-SoraVideo 'A harbour at dusk' -Profile azure -Duration 5 | Wait-SoraTask -TimeoutSec 60
        (Get-SoraTask -List -Profile azure).Id | Should -Contain $t.Id
        $thumb = $t | Save-SoraVideo -Path $videos -Variant thumbnail -PassThru
        $thumb.Length | Should -BeGreaterThan 0
        $file = $t | Save-SoraVideo -Path (Join-Path $videos 'low.mp4') -Quality low -PassThru
        $file.Length | Should -BeGreaterThan 0
        $get = Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'GET' -and $_.path -like '/azure/*/content/video' }
        $get.query | Should -Contain '?api-version=preview&quality=low'
        $v2 = New-SoraVideo 'no quality here' -Profile v2 | Wait-SoraTask -TimeoutSec 60
        { $v2 | Save-SoraVideo -Path $videos -Quality low -ErrorAction Stop } | Should -Throw -ErrorId 'QualityNotSupported*'
    }
}
