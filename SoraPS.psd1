@{
    # One cmdlet assembly for both editions; at import it loads SoraPS.Core from bin/core (PowerShell 7.4+,
    # in-box System.Text.Json) or bin/desktop (Windows PowerShell 5.1, with System.Text.Json beside it).
    RootModule           = 'bin/SoraPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1b7e0c-3c55-4c1e-9a57-0d5b3f2a9e41'
    Author               = 'SoraPS contributors'
    CompanyName          = 'SoraPS'
    Copyright            = '(c) SoraPS contributors. MIT License.'
    Description          = 'Generate, wait for and download Sora 2 videos from PowerShell, whichever provider sells the access: OpenAI-compatible /v1/videos relays, unified and v2 task relays, OneRouter, the Sora web shape, Azure OpenAI video jobs and Sora 2 on the Azure OpenAI v1 API, through typed, pipeline-friendly cmdlets with profiles, a task journal and resumable downloads.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('SoraPS.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'New-SoraVideo'
        'Get-SoraTask'
        'Get-SoraSpend'
        'New-SoraCharacter'
        'Get-SoraCharacter'
        'Wait-SoraTask'
        'Save-SoraVideo'
        'Register-SoraProfile'
        'Get-SoraProfile'
        'Set-SoraProfile'
        'Unregister-SoraProfile'
        'Stop-SoraTask'
        'Remove-SoraTask'
        'Resolve-SoraTask'
        'Get-SoraModel'
        'Register-SoraModel'
        'Unregister-SoraModel'
        'Update-SoraModel'
        'Export-SoraGallery'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Sora', 'Sora2', 'OpenAI', 'Video', 'AI', 'GenerativeAI', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/SoraPS/SoraPS'
            LicenseUri   = 'https://github.com/SoraPS/SoraPS/blob/main/LICENSE'
            ReleaseNotes = 'Seven provider dialects (OpenAI, UnifiedTask, V2Task, OneRouter, SoraWeb, AzureJobs, AzureOpenAI); profiles with keys kept out of files, settings each dialect declares (checked, case-insensitive) and model aliases for renamed models and Azure deployments; a task journal for resuming after a crash; concurrent submission, waiting and resumable, verified downloads.'
        }
    }
}
