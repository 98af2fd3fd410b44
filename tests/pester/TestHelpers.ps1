# Shared setup for the Pester suite: the BUILT module, a private config folder and the emulator.

function Start-SoraEmulator {
    # -Arguments: further emulator options (--video-size N, --distinct-videos, ...).
    param([double] $TaskSeconds = 1, [string[]] $Arguments = @())
    $root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $configuration = if ($env:SORAPS_TEST_CONFIGURATION) { $env:SORAPS_TEST_CONFIGURATION } else { 'Release' }
    $dll = Join-Path $root 'tools' 'SoraPS.Emulator' 'bin' $configuration 'net10.0' 'SoraPS.Emulator.dll'
    if (-not (Test-Path $dll)) {
        $dll = Get-ChildItem (Join-Path $root 'tools' 'SoraPS.Emulator' 'bin') -Recurse -Filter SoraPS.Emulator.dll |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1 -ExpandProperty FullName
    }
    if (-not $dll) { throw 'Build the solution first: the emulator (tools/SoraPS.Emulator) was not found.' }
    $psi = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll, '--task-seconds', $TaskSeconds, '--until-stdin-closes') + $Arguments) { $psi.ArgumentList.Add([string]$a) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($psi)
    $uri = $process.StandardOutput.ReadLine()
    if (-not $uri -or -not $uri.StartsWith('http://127.0.0.1')) { throw "The emulator did not start: $uri $($process.StandardError.ReadToEnd())" }
    [pscustomobject]@{ Process = $process; BaseUri = $uri }
}

function Get-DialectMatrix {
    # The dialect matrix (tools/SoraPS.Emulator/dialects.json), one hashtable per dialect for Pester's -ForEach:
    # Dialect, Prefix, Model, Seconds, Image, Operations, Variants, and Profile (the profile name the suites register).
    $file = Join-Path $PSScriptRoot '..' '..' 'tools' 'SoraPS.Emulator' 'dialects.json'
    foreach ($row in (Get-Content -LiteralPath $file -Raw | ConvertFrom-Json).dialects) {
        @{
            Dialect    = [string] $row.dialect
            Prefix     = [string] $row.prefix
            Model      = [string] $row.model
            Seconds    = [int] $row.seconds
            Image      = $row.image
            Operations = @($row.operations)
            Variants   = @($row.variants)
            Profile    = 'matrix-' + ([string] $row.dialect).ToLowerInvariant()
        }
    }
}

function Register-DialectMatrixProfile($Emulator, [string] $KeyVariable) {
    # One profile per matrix row, named as Get-DialectMatrix says, at the row's emulator prefix.
    foreach ($row in Get-DialectMatrix) {
        Register-SoraProfile -Name $row.Profile -Dialect $row.Dialect -BaseUri "$($Emulator.BaseUri)/$($row.Prefix)" -ApiKeyEnvironmentVariable $KeyVariable -MaxConcurrency 4
    }
}

function Stop-SoraEmulator($Emulator) {
    if ($Emulator -and -not $Emulator.Process.HasExited) {
        $Emulator.Process.StandardInput.Close()
        if (-not $Emulator.Process.WaitForExit(5000)) { $Emulator.Process.Kill() }
    }
}

function Get-EmulatorRequest($Emulator) {
    # Invoke-RestMethod emits a JSON array as one object: unroll it before filtering.
    $all = Invoke-RestMethod -Uri "$($Emulator.BaseUri)/_emulator/requests"
    $all | ForEach-Object { $_ } | Where-Object path -NotLike '/_emulator*'
}
