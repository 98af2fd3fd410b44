#Requires -Modules Pester
# Hostile input: rows that do not say what they mean, paths that mean what PowerShell means, damaged
# configuration files. Runs against the BUILT module (out/SoraPS) in a fresh pwsh.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-input-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:configHome = $env:SORAPS_CONFIG_HOME
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name unified -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY

    # Requests that would create (pay for) something: every POST that reached a provider route.
    function script:Get-CreateRequest { @(Get-EmulatorRequest $emu | Where-Object method -EQ 'POST') }
    function script:Get-ReadRequest { @(Get-EmulatorRequest $emu | Where-Object method -EQ 'GET') }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $script:configHome -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'New-SoraVideo: no paid call from input that does not say what it means' {
    It 'refuses CSV rows with a misspelled Prompt column, naming the row and its columns' {
        $csv = Join-Path $TestDrive 'misspelled.csv'
        "Promt,Duration`nmisspelled column one,8`nmisspelled column two,4" | Set-Content $csv
        $before = (Get-CreateRequest).Count
        $out = Import-Csv $csv | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 2
        $err[0].FullyQualifiedErrorId | Should -Be 'PromptMissing,SoraPS.Commands.NewSoraVideoCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike '*1*Promt*Duration*'
        $err[1].Exception.Message | Should -BeLike '*2*Promt*'
        $err[0].TargetObject.Promt | Should -Be 'misspelled column one'
        (Get-CreateRequest).Count | Should -Be $before
        (Get-CreateRequest).body -join "`n" | Should -Not -BeLike '*misspelled column*'
    }

    It 'refuses a ;-delimited file read with the default delimiter, and says which delimiter to use' {
        $csv = Join-Path $TestDrive 'semicolon.csv'
        "Prompt;Duration`nsemicolon row one;8`nsemicolon row two;4" | Set-Content $csv
        $before = (Get-CreateRequest).Count
        $out = Import-Csv $csv | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PromptMissing,*'
        $err[0].Exception.Message | Should -BeLike '*Prompt;Duration*-Delimiter*'
        (Get-CreateRequest).Count | Should -Be $before
        (Get-CreateRequest).body -join "`n" | Should -Not -BeLike '*semicolon row*'
        # Read as the file means it, the same rows go through.
        $tasks = Import-Csv $csv -Delimiter ';' | New-SoraVideo
        $tasks | Should -HaveCount 2
        ($tasks | Sort-Object Duration).Duration | Should -Be 4, 8
    }

    It 'refuses an object with no Prompt property, and a hashtable' {
        $before = (Get-CreateRequest).Count
        [pscustomobject]@{ Title = 'not a prompt' } | New-SoraVideo -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'PromptMissing,*'
        $e1[0].Exception.Message | Should -BeLike '*Title*'
        @{ Prompt = 'a hashtable' } | New-SoraVideo -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'PromptMissing,*'
        (Get-CreateRequest).Count | Should -Be $before
    }

    It 'still takes plain strings and the Text alias' {
        ('plain string prompt' | New-SoraVideo).Prompt | Should -Be 'plain string prompt'
        ([pscustomobject]@{ Text = 'text alias prompt' } | New-SoraVideo).Prompt | Should -Be 'text alias prompt'
        (New-SoraVideo 'positional prompt').Prompt | Should -Be 'positional prompt'
    }

    It 'refuses durations that are not whole seconds, naming the value and the allowed values; good rows still go' {
        $csv = Join-Path $TestDrive 'durations.csv'
        @'
Prompt,Duration
good row eight,8
bad row words,12 seconds
bad row spelled,twelve
bad row fraction,7.5
good row empty,
good row four,4
'@ | Set-Content $csv
        $before = (Get-CreateRequest).Count
        $tasks = Import-Csv $csv | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue
        $tasks | Should -HaveCount 3
        ($tasks.Prompt | Sort-Object) | Should -Be 'good row eight', 'good row empty', 'good row four'
        $err | Should -HaveCount 3
        foreach ($e in $err) {
            $e.FullyQualifiedErrorId | Should -Be 'InvalidDuration,SoraPS.Commands.NewSoraVideoCommand'
            $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $e.Exception.Message | Should -BeLike '*4, 8, 12*'
        }
        $err.Exception.Message -join "`n" | Should -BeLike "*'12 seconds'*'twelve'*'7.5'*"
        (Get-CreateRequest).Count | Should -Be ($before + 3)
        (Get-CreateRequest).body -join "`n" | Should -Not -BeLike '*bad row*'
    }

    It 'refuses a fractional -Duration given as a number too' {
        $before = (Get-CreateRequest).Count
        New-SoraVideo 'fraction' -Duration 7.5 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDuration,*'
        $err[0].Exception.Message | Should -BeLike "*'7.5'*"
        (Get-CreateRequest).Count | Should -Be $before
    }

    It 'refuses a callback URL that does not parse with InvalidCallbackUri' {
        $before = (Get-CreateRequest).Count
        [pscustomobject]@{ Prompt = 'callback row'; callback_url = 'http://[not-a-host' } |
            New-SoraVideo -Profile unified -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidCallbackUri,*'
        $err[0].Exception.Message | Should -BeLike '*http://`[not-a-host*'
        (Get-CreateRequest).Count | Should -Be $before
    }

    It 'refuses a prompt given both on the command line and through the pipeline' {
        $before = (Get-CreateRequest).Count
        'piped prompt' | New-SoraVideo 'argument prompt' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PromptConflict,*'
        (Get-CreateRequest).Count | Should -Be $before
    }
}

Describe 'Task cmdlets: rows without an id are refused before any request' {
    It '<Command> refuses a ;-delimited id file and a misspelled Id column' -ForEach @(
        @{ Command = 'Get-SoraTask' }, @{ Command = 'Wait-SoraTask' }, @{ Command = 'Save-SoraVideo' }) {
        $semi = Join-Path $TestDrive 'ids-semicolon.csv'
        "Id;Profile`ntask-one;openai" | Set-Content $semi
        $typo = Join-Path $TestDrive 'ids-typo.csv'
        "Idd,Profile`ntask-two,openai" | Set-Content $typo
        $before = (Get-ReadRequest).Count + (Get-CreateRequest).Count
        Import-Csv $semi | & $Command -ErrorVariable e1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Import-Csv $typo | & $Command -ErrorVariable e2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e1 | Should -HaveCount 1
        $e2 | Should -HaveCount 1
        # PowerShell's own binder refuses the row (Id is mandatory in that parameter set), one error per row.
        $binderIds = 'InputObjectNotBound', 'InputObjectMissingMandatory', 'AmbiguousParameterSet'
        ($e1[0].FullyQualifiedErrorId -split ',')[0] | Should -BeIn $binderIds
        ($e2[0].FullyQualifiedErrorId -split ',')[0] | Should -BeIn $binderIds
        (Get-ReadRequest).Count + (Get-CreateRequest).Count | Should -Be $before
    }
}

Describe 'Paths mean what PowerShell means' {
    BeforeAll {
        $script:done = New-SoraVideo 'a video to save' -Wait
    }

    It 'saves to a PSDrive path' {
        New-PSDrive -Name soravids -PSProvider FileSystem -Root $TestDrive | Out-Null
        try {
            $f = $done | Save-SoraVideo -Path 'soravids:\drive-out' -PassThru
            $f.FullName | Should -Be (Join-Path $TestDrive 'drive-out' "$($done.Id).mp4")
            Test-Path -LiteralPath $f.FullName | Should -BeTrue
        }
        finally { Remove-PSDrive soravids }
    }

    It 'saves under ~ (the FileSystem provider''s home)' {
        $fs = Get-PSProvider FileSystem
        $home0 = $fs.Home
        $fs.Home = "$TestDrive"
        try {
            $f = $done | Save-SoraVideo -Path '~/home-out' -PassThru
            $f.FullName | Should -Be (Join-Path $TestDrive 'home-out' "$($done.Id).mp4")
        }
        finally { $fs.Home = $home0 }
    }

    It 'takes names with wildcard characters through -LiteralPath' {
        $target = Join-Path $TestDrive '[1].mp4'
        $f = $done | Save-SoraVideo -LiteralPath $target -PassThru
        $f.Name | Should -Be '[1].mp4'
        Test-Path -LiteralPath $target | Should -BeTrue
    }

    It 'has -Path and -LiteralPath in parameter sets of their own, so the binder refuses both before anything is saved' {
        $sets = (Get-Command Save-SoraVideo).ParameterSets
        @($sets | Where-Object { $_.Parameters.Name -contains 'LiteralPath' }).Name | Sort-Object | Should -Be 'IdLiteralPath', 'TaskLiteralPath'
        @($sets | Where-Object { $_.Parameters.Name -contains 'Path' }).Name | Sort-Object | Should -Be 'Id', 'Task'
        $target = Join-Path $TestDrive 'both.mp4'
        { $done | Save-SoraVideo -Path $target -LiteralPath $target -ErrorAction Stop } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,SoraPS.Commands.SaveSoraVideoCommand'
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'resolves wildcards in -Path to the one folder they match' {
        New-Item -ItemType Directory (Join-Path $TestDrive 'wild-folder') | Out-Null
        $f = $done | Save-SoraVideo -Path (Join-Path $TestDrive 'wild-fold*') -PassThru
        $f.FullName | Should -Be (Join-Path $TestDrive 'wild-folder' "$($done.Id).mp4")
    }

    It 'refuses a -Path with wildcards that matches nothing, pointing at -LiteralPath' {
        $done | Save-SoraVideo -Path (Join-Path $TestDrive '[2].mp4') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].Exception.Message | Should -BeLike '*-LiteralPath*'
        Test-Path -LiteralPath (Join-Path $TestDrive '[2].mp4') | Should -BeFalse
    }

    It 'refuses a destination on the <Drive> drive (not the file system)' -ForEach @(@{ Drive = 'Env' }, @{ Drive = 'Function' }) {
        $done | Save-SoraVideo -Path "${Drive}:\soraps-out" -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFileSystem,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike "*${Drive}*"
        Test-Path (Join-Path (Get-Location).ProviderPath "${Drive}:") | Should -BeFalse
    }

    It 'reports a read-only destination folder as PermissionDenied naming the folder' {
        $ro = Join-Path $TestDrive 'read-only'
        New-Item -ItemType Directory $ro | Out-Null
        # As root, mode 0500 does not stop writes; the immutable attribute does (ext4 and most Linux file systems).
        $immutable = $false
        if ($IsLinux) {
            & chattr +i $ro 2>$null
            $immutable = $LASTEXITCODE -eq 0
        }
        if (-not $immutable) {
            Set-ItResult -Skipped -Because 'chattr +i is not available here, and as root no other attribute makes a folder read-only'
            return
        }
        try {
            $done | Save-SoraVideo -Path $ro -ErrorVariable err -ErrorAction SilentlyContinue
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DestinationNotWritable,*'
            $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err[0].Exception.Message | Should -BeLike "*$ro*"
            $err[0].Exception.Message | Should -Not -BeLike '*under way*'
        }
        finally { & chattr -i $ro }
        Get-ChildItem -LiteralPath $ro | Should -BeNullOrEmpty
    }

    It 'reports a read-only place under /sys as PermissionDenied' -Skip:(-not $IsLinux) {
        $done | Save-SoraVideo -Path '/sys/soraps-out/' -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DestinationNotWritable,*'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -BeLike '*/sys*'
    }

    It 'New-SoraVideo -Image reads a local image through a PSDrive' {
        New-PSDrive -Name soraimg -PSProvider FileSystem -Root $TestDrive | Out-Null
        try {
            [IO.File]::WriteAllBytes((Join-Path $TestDrive 'frame.png'), [byte[]](137, 80, 78, 71, 13, 10, 26, 10))
            $t = New-SoraVideo 'from a drive image' -Image 'soraimg:\frame.png'
            $t.Id | Should -Not -BeNullOrEmpty
        }
        finally { Remove-PSDrive soraimg }
    }

    It 'New-SoraVideo -Image refuses a path on a non-FileSystem drive before any request' {
        $before = (Get-CreateRequest).Count
        New-SoraVideo 'image from env' -Image 'Env:\PATH' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFileSystem,*'
        (Get-CreateRequest).Count | Should -Be $before
    }
}

Describe 'Bad data never blocks recovery: damaged profiles.json and keys.json' {
    BeforeEach {
        $script:savedHome = $env:SORAPS_CONFIG_HOME
        $env:SORAPS_CONFIG_HOME = Join-Path $TestDrive ('damaged-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
        New-Item -ItemType Directory $env:SORAPS_CONFIG_HOME | Out-Null
        $script:profiles = Join-Path $env:SORAPS_CONFIG_HOME 'profiles.json'
    }
    AfterEach { $env:SORAPS_CONFIG_HOME = $script:savedHome }

    It 'gives ProfileStoreCorrupt naming the file for <Case>, from Get-SoraProfile, New-SoraVideo and Get-SoraTask -Id' -ForEach @(
        @{ Case = 'not JSON'; Text = '{ not json' }
        @{ Case = 'an array'; Text = '[]' }
        @{ Case = 'a null profile'; Text = '{"version":1,"profiles":[null]}' }
        @{ Case = 'a profile without a name'; Text = '{"version":1,"profiles":[{"dialect":"OpenAI","baseUri":"https://a.example.com"}]}' }
        @{ Case = 'profiles of the wrong type'; Text = '{"version":1,"profiles":"openai"}' }
        @{ Case = 'no profiles list'; Text = '{"version":1}' }
    ) {
        Set-Content -LiteralPath $profiles -Value $Text -NoNewline
        $before = (Get-CreateRequest).Count
        Get-SoraProfile -ErrorVariable e1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        New-SoraVideo 'not with a damaged store' -ErrorVariable e2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-SoraTask -Id task-x -Profile openai -ErrorVariable e3 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        foreach ($e in @($e1[0], $e2[0], $e3[0])) {
            $e.FullyQualifiedErrorId | Should -BeLike 'ProfileStoreCorrupt,*'
            $e.Exception.Message | Should -BeLike "*$profiles*"
            $e.Exception.GetType().Name | Should -Not -Be 'NullReferenceException'
        }
        (Get-CreateRequest).Count | Should -Be $before
    }

    It 'keeps a damaged profiles.json untouched: Register-SoraProfile is an error' {
        $text = '{"version":1,"profiles":[null,{"name":"kept","dialect":"OpenAI","baseUri":"https://a.example.com"}]}'
        Set-Content -LiteralPath $profiles -Value $text -NoNewline
        Register-SoraProfile -Name fresh -Dialect OpenAI -BaseUri https://b.example.com -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProfileStoreCorrupt,*'
        Get-Content -LiteralPath $profiles -Raw | Should -BeExactly $text
        Set-SoraProfile -Name kept -Duration 8 -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ProfileStoreCorrupt,*'
        Get-Content -LiteralPath $profiles -Raw | Should -BeExactly $text
    }

    It 'keeps profiles written as "Profiles" (another letter case) instead of overwriting them' {
        $text = '{"Version":1,"Profiles":[{"Name":"kept","Dialect":"OpenAI","BaseUri":"https://a.example.com"}]}'
        Set-Content -LiteralPath $profiles -Value $text -NoNewline
        (Get-SoraProfile).Name | Should -Be 'kept'
    }

    It 'gives KeyStoreCorrupt naming keys.json for <Case>' -ForEach @(
        @{ Case = 'not JSON'; Text = 'garbage' }
        @{ Case = 'a null entry'; Text = '{"kept":null}' }
        @{ Case = 'an entry without data'; Text = '{"kept":{"Protection":"None"}}' }
    ) {
        '{"version":1,"profiles":[{"name":"kept","dialect":"OpenAI","baseUri":"https://a.example.com","apiKeyEnvironmentVariable":"SORAPS_PESTER_KEY"}]}' |
            Set-Content -LiteralPath $profiles -NoNewline
        $keys = Join-Path $env:SORAPS_CONFIG_HOME 'keys.json'
        Set-Content -LiteralPath $keys -Value $Text -NoNewline
        New-SoraVideo 'keys damaged' -Profile kept -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KeyStoreCorrupt,*'
        $err[0].Exception.Message | Should -BeLike "*$keys*"
        Get-Content -LiteralPath $keys -Raw | Should -BeExactly $Text
    }
}
