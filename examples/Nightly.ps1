#Requires -Version 7.4
<#
.SYNOPSIS
    Tonight's prompts in, videos, sidecars and a gallery out: a batch that can be run again after a crash
    without paying twice.
.DESCRIPTION
    Reads the prompts file (one prompt a line, a CSV file, or JSON lines: the columns prompt, model, seconds,
    size, input_reference or image, out and key are understood), submits every row with New-SoraVideo -Once,
    waits for the videos and saves each one with its sidecar (<video>.json) into -OutputPath, then writes
    -OutputPath/index.html (Export-SoraGallery). Every step is logged to -LogPath.

    Run it again after a crash, a reboot or a kill: rows already submitted are not sent again (their journaled
    tasks are waited for and saved), videos already saved are kept, and submissions whose answer never arrived
    are looked up at the provider (Resolve-SoraTask) instead of being sent again.

    The budget is the profile's: give -DailyBudget to set the profile's daily limit before the run (a row that
    would pass it is refused with BudgetExceeded and nothing is sent for it).

    Exit codes:
      0  every row has its video saved
      1  some rows failed (refused, failed at the provider, not finished in time, not saved); the others are saved
      2  nothing could run (the module, the profile, the key or the prompts file is missing, or no row was accepted)
.PARAMETER PromptsPath
    The prompts file: .txt (one prompt a line; blank lines and lines starting with # are skipped), .csv or .jsonl.
.PARAMETER OutputPath
    The folder for the videos, their sidecars, the gallery and (by default) the log.
.PARAMETER ConfigHome
    The SoraPS config folder (profiles, journal), as SORAPS_CONFIG_HOME; default: SORAPS_CONFIG_HOME, else the user's.
.PARAMETER Profile
    The profile to submit to (default: the profile's default); a row's profile column wins.
.PARAMETER DailyBudget
    Sets the profile's daily budget before the run.
.PARAMETER TimeoutSec
    How long to wait for the videos (default 3 hours).
.PARAMETER LogPath
    The log file (appended to); default: nightly-<yyyy-MM-dd>.log in -OutputPath.
.PARAMETER ModulePath
    Where SoraPS is imported from (default: SoraPS, as installed).
.EXAMPLE
    pwsh -NoProfile -NonInteractive -File ./Nightly.ps1 -PromptsPath ./tonight.csv -OutputPath /srv/videos/2026-12-04 -Profile relay
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PromptsPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $ConfigHome,
    [string] $Profile,
    [Nullable[decimal]] $DailyBudget,
    [double] $TimeoutSec = 10800,
    [string] $LogPath,
    [string] $ModulePath = 'SoraPS'
)

$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
$InformationPreference = 'Continue'

function Write-Log([string] $Message) {
    $line = '{0:yyyy-MM-ddTHH:mm:ssZ} {1}' -f [DateTime]::UtcNow, $Message
    Write-Information $line
    if ($script:log) { Add-Content -LiteralPath $script:log -Value $line -Encoding utf8 }
}

function Stop-Night([int] $Code, [string] $Why) {
    Write-Log "exit $Code`: $Why"
    exit $Code
}

# ---------------------------------------------------------------------------------------------- setup
try {
    New-Item -ItemType Directory -Path $OutputPath -Force -ErrorAction Stop | Out-Null
    $OutputPath = (Resolve-Path -LiteralPath $OutputPath).ProviderPath
} catch {
    Write-Error "Cannot create the output folder '$OutputPath': $($_.Exception.Message)"
    exit 2
}
$script:log = if ($LogPath) { $LogPath } else { Join-Path $OutputPath ('nightly-{0:yyyy-MM-dd}.log' -f [DateTime]::UtcNow) }
Write-Log "start: prompts '$PromptsPath', output '$OutputPath', pid $PID"

if ($ConfigHome) { $env:SORAPS_CONFIG_HOME = $ConfigHome }
if (-not $env:SORAPS_CONFIG_HOME -and -not $env:HOME -and -not $env:APPDATA) {
    Stop-Night 2 'no config folder: give -ConfigHome or set SORAPS_CONFIG_HOME (the environment has no HOME)'
}
try {
    Import-Module $ModulePath -ErrorAction Stop
} catch {
    Stop-Night 2 "SoraPS could not be imported from '$ModulePath': $($_.Exception.Message)"
}
$profileArgs = @{}
if ($Profile) { $profileArgs.Profile = $Profile }
try {
    $p = if ($Profile) { Get-SoraProfile -Name $Profile -ErrorAction Stop } else { Get-SoraProfile -ErrorAction Stop | Where-Object IsDefault | Select-Object -First 1 }
    if (-not $p) { throw 'no profile found (give -Profile, or make one the default with Set-SoraProfile -Default)' }
    Write-Log "profile '$($p.Name)' ($($p.Dialect)), config '$($env:SORAPS_CONFIG_HOME)'"
    if ($null -ne $DailyBudget) {
        Set-SoraProfile -Name $p.Name -DailyBudget $DailyBudget -ErrorAction Stop
        Write-Log "daily budget of profile '$($p.Name)': $DailyBudget"
    }
} catch {
    Stop-Night 2 "no usable profile: $($_.Exception.Message)"
}

# ---------------------------------------------------------------------------------------------- rows
if (-not (Test-Path -LiteralPath $PromptsPath -PathType Leaf)) { Stop-Night 2 "the prompts file '$PromptsPath' does not exist" }
$rows = switch -Regex ([IO.Path]::GetExtension($PromptsPath)) {
    '^\.csv$' { @(Import-Csv -LiteralPath $PromptsPath) }
    '^\.(jsonl|ndjson)$' { @(Get-Content -LiteralPath $PromptsPath | Where-Object { $_.Trim() } | ConvertFrom-Json) }
    default {
        @(Get-Content -LiteralPath $PromptsPath | Where-Object { $_.Trim() -and -not $_.TrimStart().StartsWith('#') } |
                ForEach-Object { [pscustomobject]@{ prompt = $_.Trim() } })
    }
}
if ($rows.Count -eq 0) { Stop-Night 2 "the prompts file '$PromptsPath' has no rows" }
Write-Log "$($rows.Count) rows"

# ---------------------------------------------------------------------------------------------- submit (once)
$submitErrors = @(); $warned = @()
$tasks = @($rows | New-SoraVideo @profileArgs -Once -ErrorVariable +submitErrors -ErrorAction SilentlyContinue -WarningVariable +warned -WarningAction SilentlyContinue)
foreach ($w in $warned) { Write-Log "warning: $w" }
foreach ($e in $submitErrors) { Write-Log "row refused: $($e.FullyQualifiedErrorId): $($e.Exception.Message)" }
Write-Log "$($tasks.Count) tasks ($(@($tasks | Where-Object Status -EQ 'Succeeded').Count) already succeeded), $($submitErrors.Count) rows refused"
if ($tasks.Count -eq 0) { Stop-Night 2 'no row was accepted' }

# Submissions whose answer never arrived (a crash mid-request): found at the provider, never sent again.
$unknown = @($tasks | Where-Object { $_.Status -eq 'Unknown' -and $_.Id -like 'sub-*' })
$resolveErrors = @()
if ($unknown.Count -gt 0) {
    $resolved = @($unknown | Resolve-SoraTask -ErrorVariable +resolveErrors -ErrorAction SilentlyContinue)
    foreach ($e in $resolveErrors) { Write-Log "unresolved: $($e.FullyQualifiedErrorId): $($e.Exception.Message)" }
    Write-Log "$($resolved.Count) of $($unknown.Count) unanswered submissions found at the provider"
    $tasks = @($tasks | Where-Object { $_ -notin $unknown }) + $resolved
}

# ---------------------------------------------------------------------------------------------- wait and save
$saveErrors = @()
$files = @($tasks | Save-SoraVideo -Path $OutputPath -Sidecar -SkipExisting -PassThru -TimeoutSec $TimeoutSec -ErrorVariable +saveErrors -ErrorAction SilentlyContinue)
foreach ($e in $saveErrors) { Write-Log "not saved: $($e.FullyQualifiedErrorId): $($e.Exception.Message)" }
foreach ($f in $files) { Write-Log "saved: $($f.FullName)" }

# ---------------------------------------------------------------------------------------------- gallery
try {
    $page = Export-SoraGallery -Path $OutputPath -Title ('Night of {0:yyyy-MM-dd}' -f [DateTime]::UtcNow) -ErrorAction Stop
    Write-Log "gallery: $($page.FullName)"
} catch {
    Write-Log "gallery not written: $($_.Exception.Message)"
}

$failedRows = $submitErrors.Count + $resolveErrors.Count + ($tasks.Count - $files.Count)
if ($failedRows -le 0 -and $files.Count -ge $rows.Count) { Stop-Night 0 "all $($rows.Count) rows saved" }
Stop-Night 1 "$($files.Count) of $($rows.Count) rows saved; $failedRows failed"
