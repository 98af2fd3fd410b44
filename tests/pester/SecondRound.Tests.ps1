#Requires -Modules Pester
# Money and files against a second round of hostile input: garbage that is not a prompt or a duration, a relative
# config folder, provider text that would drive the terminal. Runs against the BUILT module in a fresh pwsh.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-round2-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:configHome = $env:SORAPS_CONFIG_HOME
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    function script:Get-CreateRequest { @(Get-EmulatorRequest $emu | Where-Object method -EQ 'POST') }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $script:configHome -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Garbage is not a prompt or a duration' {
    It 'refuses a JSONL prompt that is an object, naming the row, and sends the good rows' {
        $lines = '{"prompt": {"text": "a fox"}}', '{"prompt": "a real prompt"}'
        $before = (Get-CreateRequest).Count
        $out = $lines | ConvertFrom-Json | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $out.Prompt | Should -Be 'a real prompt'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PromptNotText,*'
        $err[0].Exception.Message | Should -BeLike 'Input 1*Prompt*not text*'
        (Get-CreateRequest).Count - $before | Should -Be 1
    }

    It 'refuses a duration that is an object' {
        $before = (Get-CreateRequest).Count
        '{"prompt": "odd duration", "duration": {"s": 8}}' | ConvertFrom-Json | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDuration,*'
        (Get-CreateRequest).Count - $before | Should -Be 0
    }

    It 'refuses prompts read from a UTF-16 file without its encoding' {
        $file = Join-Path $TestDrive 'utf16.txt'
        [IO.File]::WriteAllBytes($file, [Text.Encoding]::Unicode.GetBytes("a quiet lake at dawn`na storm over hills`n"))
        $before = (Get-CreateRequest).Count
        Get-Content $file -Encoding utf8 | Where-Object { $_ } | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -BeGreaterThan 0
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'PromptNotText,*' }
        $err[0].Exception.Message | Should -BeLike '*NUL*-Encoding*'
        (Get-CreateRequest).Count - $before | Should -Be 0
    }

    It 'refuses a prompt of control characters only' {
        $before = (Get-CreateRequest).Count
        New-SoraVideo -Prompt "`a`b`e " -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PromptNotText,*'
        (Get-CreateRequest).Count - $before | Should -Be 0
    }
}

Describe 'Unattended runs find their own config folder' {
    It 'refuses a relative SORAPS_CONFIG_HOME with a clear error' {
        $script = @"
`$env:SORAPS_CONFIG_HOME = 'relative/config'
Import-Module '$(Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1')'
try { Get-SoraProfile -ErrorAction Stop; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
"@
        $out = & pwsh -NoProfile -NonInteractive -Command $script
        $out[0] | Should -BeLike 'ConfigHomeNotAbsolute*'
        $out[1] | Should -BeLike '*relative/config*absolute*'
    }
}

Describe 'Provider text cannot drive the terminal' {
    It 'shows task text with its escape sequences made visible, in the table and the list' {
        $t = New-SoraVideo "a lake `e]0;owned`a at dawn `e[2J" -Wait
        $t.Prompt | Should -Match "\x1b"
        $table = Get-SoraTask -First 3 | Out-String -Width 300
        $table | Should -Not -Match "[\x1b\x07]"
        $table | Should -Match ([regex]::Escape([string][char]0x241b))
        $list = Get-SoraTask -First 1 | Format-List | Out-String -Width 300
        $list | Should -Not -Match "[\x1b\x07]"
    }
}
