#Requires -Modules Pester
# A catalog learned from the provider through the built module: Update-SoraModel reads OpenRouter's model list at the
# emulator and keeps it in models.json; Get-SoraModel shows it with its source; validation refuses what the provider
# does not list before any request; a rerun replaces what was learned; Register-SoraModel models survive.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-providermodels-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:PROVIDER_MODELS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name or -Dialect OpenRouter -BaseUri "$($emu.BaseUri)/openrouter" -ApiKeyEnvironmentVariable PROVIDER_MODELS_PESTER_KEY -Setting @{ PollIntervalSec = 0.2 } -Default
    Register-SoraProfile -Name relay -Dialect V2Task -BaseUri "$($emu.BaseUri)/v2task" -ApiKeyEnvironmentVariable PROVIDER_MODELS_PESTER_KEY
    $script:modelsFile = Join-Path $env:SORAPS_CONFIG_HOME 'models.json'
    function Get-Request([string] $Method, [string] $PathLike) {
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq $Method -and $_.path -like $PathLike })
    }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Update-SoraModel' {
    It 'with -WhatIf reads the list but writes nothing' {
        Update-SoraModel -Profile or -WhatIf | Should -BeNullOrEmpty
        Test-Path $modelsFile | Should -BeFalse
        Get-Request GET '*/videos/models' | Should -Not -BeNullOrEmpty
    }

    It 'learns the provider''s models and Get-SoraModel lists them with their source' {
        $before = @(Get-Request GET '*/videos/models').Count
        $learned = Update-SoraModel -Profile or
        @(Get-Request GET '*/videos/models').Count | Should -Be ($before + 1)
        $learned[0].PSObject.TypeNames[0] | Should -Be 'SoraPS.Core.Dialects.SoraModelInfo'
        $learned.Name | Should -Contain 'alibaba/wan-2.7'
        $learned.Name | Should -Not -Contain 'openai/sora-2-pro'
        $learned | ForEach-Object { $_.Source | Should -Match '^provider openrouter \d{4}-\d\d-\d\dT\d\d:\d\dZ$' }

        $models = Get-SoraModel -Profile or
        $wan = $models | Where-Object Name -EQ 'alibaba/wan-2.7'
        $wan.Durations | Should -Be @(5, 10)
        $wan.AspectRatios | Should -Be @('16:9', '9:16', '1:1')
        $wan.Source | Should -Match '^provider openrouter '
        $wan.PricePerSecond | Should -BeNullOrEmpty      # "generate" names no unit
        $fast = $models | Where-Object Name -EQ 'google/veo-3.1-fast'
        $fast.Source | Should -Match '^provider openrouter '
        $fast.PricePerSecond['720p'] | Should -Be 0.15
        $fast.PriceUnit | Should -Be 'USD per second'
        (Get-Content $modelsFile -Raw | ConvertFrom-Json).models.source | Should -Match '^provider openrouter '
    }

    It 'refuses a duration the provider does not list before any request, and estimates at the provider''s price' {
        $posts = @(Get-Request POST '*/api/v1/videos').Count
        New-SoraVideo 'A six second wan' -Model alibaba/wan-2.7 -Duration 6 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDuration*'
        $err[0].Exception.Message | Should -BeLike '*5, 10*'
        $log = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $log | Out-Null
        try { New-SoraVideo 'A fast veo' -Model google/veo-3.1-fast -Duration 8 -WhatIf }
        finally { Stop-Transcript | Out-Null }
        Get-Content $log -Raw | Should -BeLike '*about $1.20 at list price (8 s x $0.15/s)*'
        @(Get-Request POST '*/api/v1/videos').Count | Should -Be $posts
    }

    It 'runs again replacing what it learned, and never touches a model registered by hand' {
        Register-SoraModel -Dialect OpenRouter -Name alibaba/wan-2.7 -Like google/veo-3.1 -Duration 7 -Resolution 720p
        $json = Get-Content $modelsFile -Raw | ConvertFrom-Json
        # A learned stand-in from an earlier list: the next update drops it.
        $json.models += [pscustomobject]@{ dialect = 'OpenRouter'; name = 'acme/gone'; durations = @(4); aspectRatios = @('16:9'); resolutions = @('720p'); source = 'provider openrouter 2026-01-01T00:00Z' }
        $json | ConvertTo-Json -Depth 5 | Set-Content $modelsFile
        (Get-SoraModel -Profile or).Name | Should -Contain 'acme/gone'

        $learned = Update-SoraModel -Profile or -Verbose 4>&1
        $verbose = $learned | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -BeLike '*Left out alibaba/wan-2.7*'
        $names = (Get-SoraModel -Profile or).Name
        $names | Should -Not -Contain 'acme/gone'
        $names | Should -Contain 'google/veo-3.1-fast'
        $wan = Get-SoraModel -Profile or -Name alibaba/wan-2.7
        $wan.Durations | Should -Be @(7)
        $wan.Source | Should -Be $modelsFile
        $stored = (Get-Content $modelsFile -Raw | ConvertFrom-Json).models
        @($stored | Where-Object name -EQ 'alibaba/wan-2.7').Count | Should -Be 1
        Unregister-SoraModel -Dialect OpenRouter -Name alibaba/wan-2.7
    }

    It 'says ModelListNotSupported for a dialect without a model list, naming Register-SoraModel' {
        $before = @(Get-EmulatorRequest $emu).Count
        Update-SoraModel -Profile relay -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelListNotSupported*'
        $err[0].CategoryInfo.Category | Should -Be 'NotImplemented'
        $err[0].Exception.Message | Should -BeLike '*V2Task*Register-SoraModel -Dialect V2Task -Name*-Like*'
        @(Get-EmulatorRequest $emu).Count | Should -Be $before
    }

    It 'UnknownModel names the command that adds the model' {
        New-SoraVideo 'An unknown model' -Model acme/new -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnknownModel*'
        $err[0].Exception.Message | Should -BeLike '*Update-SoraModel -Profile or*'
        New-SoraVideo 'An unknown relay model' -Profile relay -Model sora-9 -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].Exception.Message | Should -BeLike '*Register-SoraModel -Dialect V2Task -Name sora-9 -Like sora-2*'
    }
}
