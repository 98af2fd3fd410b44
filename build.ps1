#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and demonstrates SoraPS.
.DESCRIPTION
    Run it with the PowerShell pinned in .config/dotnet-tools.json, on a machine with only the .NET SDK:
        dotnet tool restore
        dotnet pwsh ./build.ps1 -Task Test

    Build   dotnet build of the solution: lays out the ready-to-import module in out/SoraPS (emptied first) and
            restores the test-time modules (Pester, from NuGet) into out/modules.
    Test    everything, in order, and one closing "N passed, N failed" line for all of it:
              1. the xunit suites (SoraPS.Core as PowerShell 7 loads it, and the netstandard2.0 build Windows
                 PowerShell 5.1 loads), with line and branch coverage of SoraPS.Core, and the conformance suite (SoraPS's
                 OpenAI and AzureJobs requests validated by Stoplight Prism against ../shared/specs; Prism comes from
                 tools/prism/package-lock.json with npm ci, so Node.js 20+ with npm is needed);
              2. the Pester suite against the BUILT module in a fresh pwsh;
              3. the package install tests, in a fresh pwsh whose repository settings live in a temporary folder.
            Fails when any test fails, or when a Pester phase ran no test.
    Pester  only steps 2 and 3 (after Build and Package).
    Package builds the module and publishes out/packages/SoraPS.<version>.nupkg from the manifest with
            Publish-PSResource to a local file repository (Install-PSResource and Install-Module accept it).
    Demo    the demo pipeline on the provider emulator (tools/SoraPS.Emulator), in this pwsh's PowerShell.
    Clean   removes out/ and the bin/obj folders.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build, Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo -OutputPath ./demo-videos
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
$env:POWERSHELL_UPDATECHECK = 'Off'
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'SoraPS'
$testModules = Join-Path $out 'modules'
$packages = Join-Path $out 'packages'
$results = [ordered]@{}
$coverage = [ordered]@{}

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# The pwsh running this script (the pinned dotnet tool, or any pwsh 7.4+), as a command child processes can
# start: out/tools/pwsh[.cmd] is put first on PATH, so tests that start `pwsh` get this same PowerShell.
function Initialize-PwshShim {
    $bin = Join-Path $out 'tools'
    New-Item -ItemType Directory $bin -Force | Out-Null
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $host_ = [Environment]::ProcessPath
    if ((Split-Path $host_ -LeafBase) -ne 'dotnet') { $target = "`"$host_`"" } else { $target = "`"$host_`" `"$dll`"" }
    if ($IsWindows) {
        Set-Content (Join-Path $bin 'pwsh.cmd') "@$target %*" -Encoding ascii
    } else {
        $shim = Join-Path $bin 'pwsh'
        Set-Content $shim "#!/bin/sh`nexec $target `"`$@`"" -Encoding ascii -NoNewline
        & chmod 755 $shim
    }
    if (-not ($env:PATH -split [IO.Path]::PathSeparator | Where-Object { $_ -eq $bin })) {
        $env:PATH = $bin + [IO.Path]::PathSeparator + $env:PATH
    }
    $bin
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'SoraPS.sln'), '-c', $Configuration, '-nologo', '-v', 'minimal')
    foreach ($f in 'SoraPS.psd1', 'bin/SoraPS.dll', 'bin/core/SoraPS.Core.dll', 'bin/desktop/SoraPS.Core.dll', 'en-US/SoraPS.dll-Help.xml') {
        if (-not (Test-Path (Join-Path $moduleDir $f))) { throw "The build did not lay out $moduleDir/$f" }
    }
    if (-not (Get-ChildItem (Join-Path $testModules 'Pester') -Filter Pester.psd1 -Recurse -ErrorAction SilentlyContinue)) { throw "The build did not restore Pester into $testModules" }
    Write-Host "Module ready: $moduleDir"
}

function Get-PesterVersion {
    (@(Get-Content (Join-Path $testModules 'versions.txt')) -match '^Pester=' -replace '^Pester=', '')[0].Trim()
}

# Runs Pester on some test files in a fresh pwsh; returns its counts. $Environment adds variables for that process.
function Invoke-PesterRun([string] $Name, [string[]] $Path, [string[]] $ExcludePath = @(), [hashtable] $Environment = @{}) {
    $pesterVersion = Get-PesterVersion
    $resultFile = Join-Path $out 'test-results' "pester-$Name.json"
    New-Item -ItemType Directory (Split-Path $resultFile) -Force | Out-Null
    Remove-Item $resultFile -ErrorAction SilentlyContinue
    $quote = { param($s) "'" + ($s -replace "'", "''") + "'" }
    $script = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = $(& $quote $testModules) + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module Pester -RequiredVersion $pesterVersion
`$c = New-PesterConfiguration
`$c.Run.Path = @($(($Path | ForEach-Object { & $quote $_ }) -join ', '))
`$c.Run.ExcludePath = @($(($ExcludePath | ForEach-Object { & $quote $_ }) -join ', '))
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$r = Invoke-Pester -Configuration `$c
`$names = @(`$r.Failed | ForEach-Object { `$_.ExpandedPath }) + @(`$r.FailedBlocks | ForEach-Object { 'block: ' + `$_.ExpandedPath }) + @(`$r.FailedContainers | ForEach-Object { 'file: ' + `$_.Item })
[pscustomobject]@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount; Skipped = `$r.SkippedCount; Total = `$r.TotalCount; Result = `$r.Result; FailedNames = `$names } | ConvertTo-Json | Set-Content $(& $quote $resultFile)
"@
    # A private config folder for the whole run, set before any SoraPS code loads; the test files make their own too.
    $config = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $saved = @{}
    $vars = @{ SORAPS_CONFIG_HOME = $config; SORAPS_PROFILE = $null; SORAPS_API_KEY = $null; SORAPS_TEST_CONFIGURATION = $Configuration } + $Environment
    foreach ($k in $vars.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $vars[$k]) }
    try {
        & pwsh -NoProfile -NonInteractive -Command $script | Out-Host
    } finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        Remove-Item $config -Recurse -Force -ErrorAction SilentlyContinue
    }
    if (-not (Test-Path $resultFile)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Total = 0; Note = 'Pester did not finish' } }
    $r = Get-Content $resultFile -Raw | ConvertFrom-Json
    if ($r.Total -eq 0 -or ($r.Passed + $r.Failed) -eq 0) { $r | Add-Member Note 'ran no test'; $r.Failed = 1 }
    $r
}

# The gallery tests load their page in a headless Chromium: Debian's chromium package, installed here when it is
# missing and this process may install packages (Linux, root). Nothing is downloaded at run time from elsewhere.
function Initialize-Chromium {
    if (Get-Command chromium, chromium-browser, google-chrome -CommandType Application -ErrorAction SilentlyContinue) { return }
    if (-not $IsLinux -or -not (Get-Command apt-get -CommandType Application -ErrorAction SilentlyContinue) -or (& id -u) -ne '0') {
        Write-Warning 'No Chromium found and it cannot be installed here (apt-get as root): the gallery browser tests will fail. Install chromium.'
        return
    }
    Write-Host 'Installing chromium (apt-get) for the gallery browser tests'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -qq chromium | Out-Host
    if ($LASTEXITCODE -ne 0) { & apt-get update -qq | Out-Host; & apt-get install -y -qq chromium | Out-Host }
}

function Invoke-PesterSuite {
    Initialize-Chromium
    $pester = Join-Path $root 'tests' 'pester'
    $results['Pester (built module, fresh pwsh)'] = Invoke-PesterRun -Name module -Path $pester -ExcludePath (Join-Path $pester 'Package.Tests.ps1')
    # Repository registrations go to a temporary store: PSResourceGet and PowerShellGet keep theirs under
    # LocalApplicationData (XDG_DATA_HOME here), never the user's own.
    $store = Join-Path ([IO.Path]::GetTempPath()) ('soraps-repos-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $isolated = @{ XDG_DATA_HOME = (Join-Path $store 'data'); XDG_CACHE_HOME = (Join-Path $store 'cache'); XDG_CONFIG_HOME = (Join-Path $store 'config') }
    if ($IsWindows) { $isolated['LOCALAPPDATA'] = (Join-Path $store 'local'); $isolated['APPDATA'] = (Join-Path $store 'roaming') }
    # The folders must exist: .NET answers an empty LocalApplicationData for a missing one, and PSResourceGet
    # would then keep its settings in the current folder.
    foreach ($d in $isolated.Values) { New-Item -ItemType Directory $d -Force | Out-Null }
    try {
        $results['Package install (fresh pwsh, temporary repository store)'] = Invoke-PesterRun -Name package -Path (Join-Path $pester 'Package.Tests.ps1') -Environment $isolated
    } finally { Remove-Item $store -Recurse -Force -ErrorAction SilentlyContinue }
}

function Invoke-Package {
    Invoke-Build
    if (Test-Path $packages) { Remove-Item $packages -Recurse -Force }
    New-Item -ItemType Directory $packages -Force | Out-Null
    # Publish from the manifest, as the ecosystem does: the package's id, version, description, tags and release
    # notes all come from SoraPS.psd1. A temporary file repository, registered in a temporary store.
    $store = Join-Path ([IO.Path]::GetTempPath()) ('soraps-publish-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module Microsoft.PowerShell.PSResourceGet
Register-PSResourceRepository -Name SoraPSBuild -Uri '$packages' -Trusted
try { Publish-PSResource -Path '$moduleDir' -Repository SoraPSBuild -SkipDependenciesCheck }
finally { Unregister-PSResourceRepository -Name SoraPSBuild }
"@
    $saved = $env:XDG_DATA_HOME, $env:LOCALAPPDATA
    New-Item -ItemType Directory $store -Force | Out-Null   # must exist, or .NET answers an empty LocalApplicationData
    $env:XDG_DATA_HOME = $store; if ($IsWindows) { $env:LOCALAPPDATA = $store }
    try { Invoke-Native pwsh @('-NoProfile', '-NonInteractive', '-Command', $script) }
    finally { $env:XDG_DATA_HOME, $env:LOCALAPPDATA = $saved; Remove-Item $store -Recurse -Force -ErrorAction SilentlyContinue }
    $manifest = Import-PowerShellDataFile (Join-Path $moduleDir 'SoraPS.psd1')
    $nupkg = Join-Path $packages "SoraPS.$($manifest.ModuleVersion).nupkg"
    if (-not (Test-Path $nupkg)) { throw "Publish-PSResource did not produce $nupkg" }
    Write-Host "Package ready: $nupkg"
}

function Read-Trx([string] $Folder) {
    foreach ($trx in Get-ChildItem $Folder -Filter *.trx -Recurse) {
        [xml] $x = Get-Content $trx.FullName -Raw
        $c = $x.TestRun.ResultSummary.Counters
        $name = ($x.TestRun.TestDefinitions.UnitTest | Select-Object -First 1).TestMethod.codeBase | Split-Path -LeafBase
        $failedNames = @($x.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' } | ForEach-Object { $_.testName })
        [pscustomobject]@{ Name = $name; Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Total = [int]$c.total; FailedNames = $failedNames }
    }
}

function Write-Coverage([string] $Label, [string] $Folder) {
    $file = Get-ChildItem $Folder -Filter coverage.cobertura.xml -Recurse | Select-Object -First 1
    if (-not $file) { Write-Host "Coverage of SoraPS.Core ($Label): no coverage file"; return }
    [xml] $x = Get-Content $file.FullName -Raw
    $package = $x.coverage.packages.package | Where-Object name -EQ 'SoraPS.Core'
    if (-not $package) { Write-Host "Coverage of SoraPS.Core ($Label): SoraPS.Core not in the coverage file"; return }
    Write-Host ('Coverage of SoraPS.Core ({0}): lines {1:P1}, branches {2:P1}' -f $Label, [double]$package.'line-rate', [double]$package.'branch-rate')
    $byFile = $package.classes.class | Group-Object filename | ForEach-Object {
        $lines = @($_.Group.lines.line)
        $covered = @($lines | Where-Object { [int]$_.hits -gt 0 }).Count
        [pscustomobject]@{ File = $_.Name -replace '^.*?src[\\/]SoraPS\.Core[\\/]', ''; Lines = $lines.Count; Rate = if ($lines.Count) { $covered / $lines.Count } else { 1 } }
    }
    Write-Host ('  least covered: ' + (($byFile | Where-Object Lines -GE 10 | Sort-Object Rate | Select-Object -First 6 | ForEach-Object { '{0} {1:P0} of {2}' -f $_.File, $_.Rate, $_.Lines }) -join '; '))
}

function Invoke-XunitSuite {
    foreach ($project in 'SoraPS.Core.Tests', 'SoraPS.Core.Tests.Desktop', 'SoraPS.Conformance.Tests') {
        $folder = Join-Path $out 'test-results' $project
        if (Test-Path $folder) { Remove-Item $folder -Recurse -Force }
        # Coverage is measured on the Core suites; the conformance suite drives only the requests it checks.
        $measured = $project -like 'SoraPS.Core.Tests*'
        $arguments = @('test', (Join-Path $root 'tests' $project), '-c', $Configuration, '--no-build', '-nologo',
            '--results-directory', $folder, '--logger', 'trx', '--logger', 'console;verbosity=minimal')
        if ($measured) {
            $arguments += @('--collect', 'XPlat Code Coverage', '--',
                'DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Include=[SoraPS.Core]*',
                'DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Format=cobertura')
        }
        & dotnet @arguments
        $exit = $LASTEXITCODE
        $suite = @(Read-Trx $folder)
        if ($suite.Count -eq 0) { $results["xunit $project"] = [pscustomobject]@{ Passed = 0; Failed = 1; Note = "dotnet test exited $exit with no results" }; continue }
        $results["xunit $project"] = $suite[0]
        if ($exit -ne 0 -and $suite[0].Failed -eq 0) { $suite[0].Failed = 1; $suite[0] | Add-Member Note "dotnet test exited $exit" }
        if ($measured) { $coverage[$project] = $folder }
    }
}

function Invoke-Test {
    Invoke-Package
    Invoke-XunitSuite
    Invoke-PesterSuite
    Write-Host ''
    Write-Host '== Coverage (xunit)'
    foreach ($k in $coverage.Keys) { Write-Coverage $k $coverage[$k] }
    Write-Summary
}

# One line per suite, then the one closing line that counts them all; exits 1 when anything failed.
function Write-Summary {
    Write-Host ''
    Write-Host '== Summary'
    $passed = 0; $failed = 0
    foreach ($k in $results.Keys) {
        $r = $results[$k]
        Write-Host ('  {0,-58} {1,5} passed, {2,3} failed {3}' -f $k, $r.Passed, $r.Failed, $r.Note)
        $passed += $r.Passed; $failed += $r.Failed
        # The failing tests by name, here at the end, where a log cut to its last lines still shows them.
        foreach ($n in @($r.PSObject.Properties['FailedNames'] | ForEach-Object { $_.Value } | Where-Object { $_ })) { Write-Host "      failed: $n" }
    }
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
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

Initialize-PwshShim | Out-Null
foreach ($t in $Task) {
    Write-Host "== $t ($Configuration)"
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Pester' { Invoke-PesterSuite; Write-Summary }
        'Package' { Invoke-Package }
        'Demo' { Invoke-Demo }
        'Clean' { Invoke-Clean }
    }
}
