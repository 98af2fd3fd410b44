#Requires -Modules Pester
# The package as users install it: out/packages/SoraPS.<version>.nupkg (./build.ps1 -Task Package), installed
# from a local repository into a clean module path. build.ps1 runs this file in a fresh pwsh whose repository
# settings (PSResourceGet, PowerShellGet) live in a temporary folder, so no user setting is touched.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $script:package = Get-ChildItem (Join-Path $root 'out' 'packages') -Filter 'SoraPS.*.nupkg' -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $package) { throw 'No package in out/packages: run ./build.ps1 -Task Package first.' }
    $script:emu = Start-SoraEmulator -TaskSeconds 1
}

AfterAll {
    Stop-SoraEmulator $script:emu
}

Describe 'Installing the package' {
    It 'runs with its repository settings in a temporary store' {
        # Proof that build.ps1 isolated this process: the settings folders are not the user's.
        $data = [Environment]::GetFolderPath('LocalApplicationData')
        $data | Should -BeLike "$([IO.Path]::GetTempPath().TrimEnd([IO.Path]::DirectorySeparatorChar))*"
        Test-Path $data | Should -BeTrue
    }

    It 'installs from a local repository into a clean module path and runs the pipeline from there' {
        $repo = New-Item -ItemType Directory (Join-Path $TestDrive 'repo') -Force
        $modules = New-Item -ItemType Directory (Join-Path $TestDrive 'modules') -Force
        Copy-Item $package.FullName $repo
        $name = 'SoraPSTest' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        Register-PSResourceRepository -Name $name -Uri $repo.FullName -Trusted
        try {
            # Registered in the temporary store, not in the user's settings nor the current folder.
            Get-ChildItem (Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet') -Filter *.xml | Get-Content -Raw | Should -Match $name
            Save-PSResource -Name SoraPS -Repository $name -Path $modules.FullName -TrustRepository
        }
        finally { Unregister-PSResourceRepository -Name $name }
        Test-Path (Join-Path $modules 'SoraPS' '*' 'SoraPS.psd1') | Should -BeTrue
        $out = Join-Path $TestDrive 'installed-videos'
        $script = @"
`$env:PSModulePath = '$($modules.FullName)' + [IO.Path]::PathSeparator + `$env:PSModulePath
`$env:SORAPS_CONFIG_HOME = '$(Join-Path $TestDrive 'installed-config')'
`$env:SORAPS_PESTER_KEY = 'emulator-key'
`$ProgressPreference = 'SilentlyContinue'
Import-Module SoraPS -ErrorAction Stop
(Get-Module SoraPS).ModuleBase
Register-SoraProfile -Name emu -Dialect UnifiedTask -BaseUri '$($emu.BaseUri)/unified' -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
'from the installed copy', 'and another' | New-SoraVideo | Wait-SoraTask -TimeoutSec 60 | Save-SoraVideo -Path '$out' -PassThru | ForEach-Object Name
"@
        $lines = pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $lines[0] | Should -BeLike "$($modules.FullName)*"
        @(Get-ChildItem $out -Filter *.mp4).Count | Should -Be 2
    }

    It 'is accepted by PowerShellGet''s Save-Module / Install-Module too' {
        $repo = New-Item -ItemType Directory (Join-Path $TestDrive 'v2repo') -Force
        $saved = New-Item -ItemType Directory (Join-Path $TestDrive 'v2saved') -Force
        Copy-Item $package.FullName $repo
        $name = 'SoraPSv2' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        Import-Module PowerShellGet -MaximumVersion 2.99 -ErrorAction Stop
        Register-PSRepository -Name $name -SourceLocation $repo.FullName -InstallationPolicy Trusted
        try {
            (Find-Module -Name SoraPS -Repository $name).Version | Should -Be (Test-ModuleManifest (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1')).Version
            Save-Module -Name SoraPS -Repository $name -Path $saved.FullName -WarningAction SilentlyContinue
        }
        finally { Unregister-PSRepository -Name $name }
        $manifest = Get-ChildItem $saved -Recurse -Filter SoraPS.psd1 | Select-Object -First 1
        $manifest | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path $manifest.DirectoryName 'bin' 'SoraPS.dll') | Should -BeTrue
        Test-Path (Join-Path $manifest.DirectoryName 'bin' 'core' 'SoraPS.Core.dll') | Should -BeTrue
        Test-Path (Join-Path $manifest.DirectoryName 'bin' 'desktop' 'System.Text.Json.dll') | Should -BeTrue
    }

    It 'is made from the manifest: id, version, description and release notes come from SoraPS.psd1' {
        $data = Import-PowerShellDataFile (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1')
        $package.Name | Should -Be "SoraPS.$($data.ModuleVersion).nupkg"
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package.FullName)
        try {
            $entry = $zip.Entries | Where-Object FullName -EQ 'SoraPS.nuspec'
            $reader = [IO.StreamReader]::new($entry.Open())
            [xml] $nuspec = $reader.ReadToEnd(); $reader.Dispose()
            $names = $zip.Entries.FullName
        } finally { $zip.Dispose() }
        $nuspec.package.metadata.id | Should -Be 'SoraPS'
        $nuspec.package.metadata.version | Should -Be $data.ModuleVersion
        $nuspec.package.metadata.description | Should -Be $data.Description
        $nuspec.package.metadata.releaseNotes | Should -Be $data.PrivateData.PSData.ReleaseNotes
        $nuspec.package.metadata.tags -split ' ' | Should -Contain 'PSModule'
        $names | Should -Contain 'SoraPS.psd1'
        $names | Should -Contain 'bin/SoraPS.dll'
        $names | Where-Object { $_ -like '*.pdb' } | Should -BeNullOrEmpty
    }
}
