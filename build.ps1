#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and demonstrates SoraPS.
.DESCRIPTION
    Build   dotnet build of the solution; lays out the ready-to-import module in out/SoraPS.
    Test    the xunit suite (dotnet test), then the Pester suite against the BUILT module in a fresh pwsh.
    Pester  only the Pester suite (after Build and Package).
    Package builds the module and packs out/packages/SoraPS.<version>.nupkg, which Install-PSResource
            and Install-Module accept from a local repository.
    Demo    starts the provider emulator, registers temporary profiles, runs
            Get-Content prompts | New-SoraVideo | Wait-SoraTask | Save-SoraVideo and saves the MP4s.
    Clean   removes out/ and the bin/obj folders.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Demo -OutputPath ./demo-videos
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Package', 'Demo', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Where the Demo task saves its videos.
    [string] $OutputPath = (Join-Path $PSScriptRoot 'demo-videos')
)

$ErrorActionPreference = 'Stop'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out' 'SoraPS'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'SoraPS.sln'), '-c', $Configuration, '-nologo', '-v', 'minimal')
    foreach ($f in 'SoraPS.psd1', 'bin/core/SoraPS.dll', 'bin/desktop/SoraPS.dll', 'en-US/SoraPS.dll-Help.xml') { if (-not (Test-Path (Join-Path $moduleDir $f))) { throw "The build did not lay out $moduleDir/$f" } }
    Write-Host "Module ready: $moduleDir"
}

function Invoke-PesterSuite {
    # A fresh pwsh, so the suite sees only the built module and never this session's state.
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.0
`$c = New-PesterConfiguration
`$c.Run.Path = '$(Join-Path $root 'tests' 'pester')'
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$r = Invoke-Pester -Configuration `$c
'Pester: {0} passed, {1} failed, {2} skipped' -f `$r.PassedCount, `$r.FailedCount, `$r.SkippedCount
if (`$r.FailedCount -gt 0 -or `$r.Result -ne 'Passed') { exit 1 }
"@
    $env:SORAPS_TEST_CONFIGURATION = $Configuration
    Invoke-Native pwsh @('-NoProfile', '-NonInteractive', '-Command', $script)
}

function Invoke-Package {
    Invoke-Build
    $packages = Join-Path $root 'out' 'packages'
    Invoke-Native dotnet @('pack', (Join-Path $root 'tools' 'SoraPS.Package' 'SoraPS.Package.csproj'), '-c', $Configuration, '-o', $packages, '-nologo')
    $manifest = Test-ModuleManifest (Join-Path $moduleDir 'SoraPS.psd1')
    Write-Host "Package ready: $(Join-Path $packages "SoraPS.$($manifest.Version).nupkg")"
}

function Invoke-Test {
    Invoke-Native dotnet @('test', (Join-Path $root 'SoraPS.sln'), '-c', $Configuration, '-nologo')
    Invoke-Package
    Invoke-PesterSuite
}

function Invoke-Demo {
    Invoke-Native dotnet @('run', '--project', (Join-Path $root 'tools' 'SoraPS.Demo'), '-c', $Configuration, '--', '--out', $OutputPath)
}

function Invoke-Clean {
    foreach ($d in @('out') + (Get-ChildItem $root -Recurse -Directory -Include bin, obj | ForEach-Object FullName)) {
        $p = if ([IO.Path]::IsPathRooted($d)) { $d } else { Join-Path $root $d }
        if (Test-Path $p) { Remove-Item $p -Recurse -Force }
    }
}

foreach ($t in $Task) {
    Write-Host "== $t ($Configuration)"
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Pester' { Invoke-PesterSuite }
        'Package' { Invoke-Package }
        'Demo' { Invoke-Demo }
        'Clean' { Invoke-Clean }
    }
}
