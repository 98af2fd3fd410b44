@{
    # One build per edition: PowerShell 7.4+ loads bin/core (in-box System.Text.Json), Windows PowerShell
    # 5.1 loads bin/desktop (which carries System.Text.Json and resolves it itself).
    RootModule           = if ($PSEdition -eq 'Core') { 'bin/core/SoraPS.dll' } else { 'bin/desktop/SoraPS.dll' }
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1b7e0c-3c55-4c1e-9a57-0d5b3f2a9e41'
    Author               = 'SoraPS contributors'
    CompanyName          = 'SoraPS'
    Copyright            = '(c) SoraPS contributors. MIT License.'
    Description          = 'Generate, wait for and download Sora 2 videos from any provider dialect (OpenAI-compatible /v1/videos, unified task relays, and more) with typed, pipeline-friendly cmdlets.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('SoraPS.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'New-SoraVideo'
        'Get-SoraTask'
        'Wait-SoraTask'
        'Save-SoraVideo'
        'Register-SoraProfile'
        'Get-SoraProfile'
        'Set-SoraProfile'
        'Unregister-SoraProfile'
        'Stop-SoraTask'
        'Remove-SoraTask'
        'Resolve-SoraTask'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Sora', 'Sora2', 'OpenAI', 'Video', 'AI', 'GenerativeAI', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/SoraPS/SoraPS'
            LicenseUri   = 'https://github.com/SoraPS/SoraPS/blob/main/LICENSE'
            ReleaseNotes = 'First release: OpenAI-compatible and unified task dialects, profiles, waiting and downloads.'
        }
    }
}
