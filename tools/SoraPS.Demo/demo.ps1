<#
.SYNOPSIS
    The SoraPS demo pipeline, run against the provider emulator at -BaseUri.
#>
param(
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $OutputPath,
    [Parameter(Mandatory)] [string] $ModulePath
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

# A throw-away config folder: the demo never touches your real profiles.
$env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ("soraps-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$env:SORAPS_DEMO_KEY = 'emulator-key'
Register-SoraProfile -Name demo-openai -Dialect OpenAI -BaseUri "$BaseUri/openai" -ApiKeyEnvironmentVariable SORAPS_DEMO_KEY -Default
Register-SoraProfile -Name demo-unified -Dialect UnifiedTask -BaseUri "$BaseUri/unified" -ApiKeyEnvironmentVariable SORAPS_DEMO_KEY
Get-SoraProfile | Format-Table | Out-String | Write-Host

Write-Host "Get-Content prompts.txt | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path $OutputPath"
$files = @(Get-Content (Join-Path $PSScriptRoot 'prompts.txt') | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path $OutputPath -Force -PassThru)

Write-Host "Import-Csv jobs.csv | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path $OutputPath"
$files += @(Import-Csv (Join-Path $PSScriptRoot 'jobs.csv') | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path $OutputPath -Force -PassThru)

$files | Select-Object Name, Length, @{ n = 'Signature'; e = { [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($_.FullName), 4, 4) } } |
    Format-Table -AutoSize | Out-String | Write-Host
Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force
"Saved $($files.Count) videos to $OutputPath"
if ($files.Count -ne 6) { exit 1 }
