# Loads the build for this edition: bin/core on PowerShell 7.4+ (in-box System.Text.Json),
# bin/desktop on Windows PowerShell 5.1 (which carries System.Text.Json and its dependencies).
$edition = if ($PSVersionTable.PSEdition -eq 'Core') { 'core' } else { 'desktop' }
$assembly = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $edition, 'SoraPS.dll')
$module = Import-Module -Name $assembly -PassThru -ErrorAction Stop
Export-ModuleMember -Cmdlet @($module.ExportedCmdlets.Keys)
