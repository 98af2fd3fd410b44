#Requires -Modules Pester
# Runs against the BUILT module (out/SoraPS) in a fresh pwsh: ./build.ps1 -Task Build, Pester

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # Every dialect: the rows of the dialect matrix (tools/SoraPS.Emulator/dialects.json).
    $script:matrix = @(Get-DialectMatrix)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    # Not under TestDrive: Pester empties that at the end of each Describe, and the journal must live on.
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name unified -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name v2 -Dialect V2Task -BaseUri "$($emu.BaseUri)/v2task" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name onerouter -Dialect OneRouter -BaseUri "$($emu.BaseUri)/onerouter" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -MaxConcurrency 4
    Register-SoraProfile -Name soraweb -Dialect SoraWeb -BaseUri "$($emu.BaseUri)/soraweb" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name azure -Dialect AzureJobs -BaseUri "$($emu.BaseUri)/azure" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-DialectMatrixProfile $emu SORAPS_PESTER_KEY
    $script:image = 'https://images.example.com/first-frame.png'
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Module' {
    It 'exports exactly the documented cmdlets' {
        $expected = 'Export-SoraGallery', 'Get-SoraCharacter', 'Get-SoraModel', 'Get-SoraProfile', 'Get-SoraSpend', 'Get-SoraTask', 'New-SoraCharacter', 'New-SoraVideo', 'Register-SoraModel', 'Register-SoraProfile',
            'Remove-SoraTask', 'Resolve-SoraTask', 'Save-SoraVideo', 'Set-SoraProfile', 'Stop-SoraTask', 'Unregister-SoraModel', 'Unregister-SoraProfile', 'Update-SoraModel', 'Wait-SoraTask'
        (Get-Command -Module SoraPS).Name | Sort-Object | Should -Be $expected
        (Get-Command -Module SoraPS).CommandType | Select-Object -Unique | Should -Be 'Cmdlet'
    }

    It 'has a manifest that is pure data, as PSResourceGet and build tools read it' {
        $data = Import-PowerShellDataFile (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1')
        $data.RootModule | Should -BeOfType [string]
        $data.RootModule | Should -Be 'bin/SoraPS.dll'
        $data.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        (Test-ModuleManifest (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1')).ExportedCmdlets.Count | Should -Be $data.CmdletsToExport.Count
    }

    It 'loads the PowerShell 7 build of SoraPS.Core in PowerShell 7' {
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'SoraPS.Core' }
        $core | Should -HaveCount 1
        $core.Location | Should -Be (Join-Path $root 'out' 'SoraPS' 'bin' 'core' 'SoraPS.Core.dll')
    }

    It 'declares typed output on the task cmdlets' {
        foreach ($c in 'New-SoraVideo', 'Get-SoraTask', 'Wait-SoraTask') {
            (Get-Command $c).OutputType.Name | Should -Contain 'SoraPS.Core.Tasks.SoraTask'
        }
        (Get-Command Save-SoraVideo).OutputType.Name | Should -Contain 'System.IO.FileInfo'
    }

    It 'offers -WhatIf and -Confirm on the paid and writing cmdlets' {
        foreach ($c in 'New-SoraVideo', 'Save-SoraVideo', 'Register-SoraProfile', 'Set-SoraProfile', 'Unregister-SoraProfile', 'Stop-SoraTask', 'Remove-SoraTask', 'Register-SoraModel', 'Unregister-SoraModel', 'Update-SoraModel') {
            (Get-Command $c).Parameters.Keys | Should -Contain 'WhatIf'
        }
    }
}

Describe 'The pipeline' {
    It 'turns lines of a file into saved MP4s: Get-Content | New | Wait | Save' {
        $prompts = Join-Path $TestDrive 'prompts.txt'
        "a paper boat`na red fox in snow" | Set-Content $prompts
        $out = Join-Path $TestDrive 'videos'
        $files = Get-Content $prompts | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path $out -PassThru
        $files | Should -HaveCount 2
        foreach ($f in $files) {
            $f | Should -BeOfType System.IO.FileInfo
            $bytes = [IO.File]::ReadAllBytes($f.FullName)
            [Text.Encoding]::ASCII.GetString($bytes, 4, 4) | Should -Be 'ftyp'
        }
        Get-ChildItem $out -Filter *.partial | Should -BeNullOrEmpty
    }

    It 'takes per-row settings from CSV rows, including the profile' {
        $csv = Join-Path $TestDrive 'jobs.csv'
        @'
Prompt,Profile,Model,Duration,AspectRatio,Resolution
a lighthouse,unified,sora-2-pro-preview,8,16:9,1080p
a cat on a piano,unified,sora-2,15,9:16,
a hummingbird,openai,sora-2-pro,12,16:9,1024p
'@ | Set-Content $csv
        $tasks = Import-Csv $csv | New-SoraVideo
        $tasks | Should -HaveCount 3
        $byPrompt = @{}; $tasks | ForEach-Object { $byPrompt[$_.Prompt] = $_ }
        $byPrompt['a lighthouse'].Dialect | Should -Be 'UnifiedTask'
        $byPrompt['a lighthouse'].Model | Should -Be 'sora-2-pro-preview'
        $byPrompt['a lighthouse'].Duration | Should -Be 8
        $byPrompt['a lighthouse'].Resolution | Should -Be '1080p'
        $byPrompt['a cat on a piano'].Duration | Should -Be 15
        $byPrompt['a cat on a piano'].AspectRatio | Should -Be '9:16'
        $byPrompt['a hummingbird'].Dialect | Should -Be 'OpenAI'
        $byPrompt['a hummingbird'].Resolution | Should -Be '1024p'
        $done = $tasks | Wait-SoraTask
        $done.Status | Should -Be @('Succeeded', 'Succeeded', 'Succeeded')
    }

    It 'submits and waits with New-SoraVideo -Wait' {
        $t = New-SoraVideo 'waiting inline' -Profile unified -Wait
        $t.Status | Should -Be 'Succeeded'
        $t.Progress | Should -Be 100
        $t.VideoUri | Should -Not -BeNullOrEmpty
    }

    It 'reads tasks by id, by task object and by any object with task_id' {
        $t = New-SoraVideo 'read me back'
        (Get-SoraTask -Id $t.Id).Id | Should -Be $t.Id
        ($t | Get-SoraTask).Id | Should -Be $t.Id
        ([pscustomobject]@{ task_id = $t.Id; Profile = 'openai' } | Get-SoraTask).Id | Should -Be $t.Id
        $u = New-SoraVideo 'unified read' -Profile unified
        ([pscustomobject]@{ TaskId = $u.Id; Profile = 'unified' } | Get-SoraTask).Dialect | Should -Be 'UnifiedTask'
    }

    It 'saves a single task to a file name, refusing to overwrite without -Force' {
        $t = New-SoraVideo 'one file' -Wait
        $file = Join-Path $TestDrive 'one.mp4'
        $t | Save-SoraVideo -Path $file
        (Get-Item $file).Length | Should -BeGreaterThan 1000
        'precious' | Set-Content $file
        $t | Save-SoraVideo -Path $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        Get-Content $file | Should -Be 'precious'
        $t | Save-SoraVideo -Path $file -Force
        (Get-Item $file).Length | Should -BeGreaterThan 1000
    }

    It 'waits first when Save-SoraVideo is given a task still running' {
        $out = Join-Path $TestDrive 'direct'
        $f = New-SoraVideo 'save straight away' -Profile unified | Save-SoraVideo -Path $out -PassThru
        $f.Name | Should -BeLike 'task-unified-*.mp4'
    }
}

Describe 'Every dialect through the same cmdlets' {
    It 'has a matrix row for every dialect the module registers, and a dialect for every row' {
        $registered = @([SoraPS.Core.Dialects.DialectRegistry]::Names)
        $registered.Count | Should -BeGreaterThan 6
        $rows = @(Get-DialectMatrix).Dialect
        $registered | Where-Object { $_ -cnotin $rows } | Should -BeNullOrEmpty -Because 'each dialect needs its row in tools/SoraPS.Emulator/dialects.json (docs/adding-a-dialect.md)'
        $rows | Where-Object { $_ -cnotin $registered } | Should -BeNullOrEmpty
    }

    It 'runs New | Wait | Save on <Dialect>' -ForEach $matrix {
        $out = Join-Path $TestDrive "dialect-$Profile"
        $files = 'one river', 'two rivers' | New-SoraVideo -Profile $Profile -Model $Model -Duration $Seconds -Image $Image | Wait-SoraTask | Save-SoraVideo -Path $out -PassThru
        $files | Should -HaveCount 2
        $files | ForEach-Object { [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($_.FullName), 4, 4) | Should -Be 'ftyp' }
        $posts = @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.path -like "/$Prefix/*" -and $_.body -like '*river*' })
        $posts | Should -HaveCount 2
    }

    It 'lists, removes, remixes and saves every variant on <Dialect> as its matrix row says' -ForEach $matrix {
        # What the row says the dialect cannot do is refused with <Operation>NotSupported, before any request.
        function Assert-Refused([string] $ErrorId, [scriptblock] $Call) {
            $sent = @(Get-EmulatorRequest $emu).Count
            $ErrorActionPreference = 'Stop'
            $Call | Should -Throw -ErrorId "$ErrorId,*"
            @(Get-EmulatorRequest $emu).Count | Should -Be $sent
        }
        $task = New-SoraVideo "matrix $Dialect" -Profile $Profile -Model $Model -Duration $Seconds -Image $Image | Wait-SoraTask
        $task.Status | Should -Be 'Succeeded'
        $out = Join-Path $TestDrive "variants-$Profile"
        foreach ($variant in $Variants) {
            ($task | Save-SoraVideo -Path $out -Variant $variant -PassThru).Length | Should -BeGreaterThan 0
        }
        foreach ($variant in @('thumbnail', 'spritesheet') | Where-Object { $_ -notin $Variants }) {
            Assert-Refused VariantNotSupported { $task | Save-SoraVideo -Path $out -Variant $variant }
        }
        if ('List' -in $Operations) { (Get-SoraTask -List -Profile $Profile).Id | Should -Contain $task.Id }
        else { Assert-Refused ListNotSupported { Get-SoraTask -List -Profile $Profile } }
        if ('Remix' -in $Operations) { (New-SoraVideo "matrix remix $Dialect" -Profile $Profile -RemixOf $task -Wait).Status | Should -Be 'Succeeded' }
        else { Assert-Refused RemixNotSupported { New-SoraVideo "matrix remix $Dialect" -Profile $Profile -Model $Model -Duration $Seconds -Image $Image -RemixOf $task } }
        if ('Delete' -in $Operations) {
            $task | Remove-SoraTask -Confirm:$false
            if ('List' -in $Operations) { (Get-SoraTask -List -Profile $Profile).Id | Should -Not -Contain $task.Id }
        }
        else { Assert-Refused DeleteNotSupported { $task | Remove-SoraTask -Confirm:$false } }
    }

    It 'runs synchronous OneRouter requests concurrently up to the profile limit' {
        $tasks = 1..4 | ForEach-Object { "concurrent frame $_" } | New-SoraVideo -Profile onerouter -Image $script:image
        $tasks | Should -HaveCount 4
        $tasks.Status | Select-Object -Unique | Should -Be 'Succeeded'
        # Each request is answered after a 1-second generation: sent one after another, they would arrive 1 s or more
        # apart. All four arriving within that second means each was sent while the others were in flight (arrival times
        # as the emulator recorded them, not the wall time of a loaded machine).
        $arrivals = @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*concurrent frame*' } | ForEach-Object { [long] $_.at })   # Unix milliseconds
        $arrivals | Should -HaveCount 4
        $span = $arrivals | Measure-Object -Maximum -Minimum
        $span.Maximum - $span.Minimum | Should -BeLessThan 1000
    }

    It 'takes a storyboard from CSV rows on SoraWeb' {
        $beats = @'
Time,Description
0,dawn over the hills
5,noon and grazing sheep
'@ | ConvertFrom-Csv
        $t = New-SoraVideo 'a day in the valley' -Profile soraweb -Duration 10 -Storyboard $beats -Wait
        $t.Status | Should -Be 'Succeeded'
        (Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*a day in the valley*' }).body | Should -BeLike '*"operation":"storyboard"*'
    }

    It 'remixes from a task object (<Profile>)' -ForEach @(@{ Profile = 'openai'; Extra = @{} }, @{ Profile = 'soraweb'; Extra = @{ RemixStrength = 0.25 } }) {
        # OpenAI's remix has no strength field: -RemixStrength is refused there (Catalog.Tests.ps1), not dropped.
        $source = New-SoraVideo 'a quiet lake' -Profile $Profile -Wait
        $remix = New-SoraVideo 'the lake frozen over' -Profile $Profile -RemixOf $source @Extra -Wait
        $remix.Status | Should -Be 'Succeeded'
    }

    It 'lists the provider tasks where the dialect has a list' {
        $t = New-SoraVideo 'to be listed' -Profile openai
        (Get-SoraTask -List -Profile openai).Id | Should -Contain $t.Id
        Get-SoraTask -List -Profile unified -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ListNotSupported,*'
    }

    It 'shows the estimated cost with -WhatIf' {
        # What-if lines go to the host, so a transcript is what sees them.
        $log = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $log | Out-Null
        try { New-SoraVideo 'priced' -Profile openai -Model sora-2-pro -Resolution 1024p -Duration 8 -WhatIf }
        finally { Stop-Transcript | Out-Null }
        Get-Content $log -Raw | Should -BeLike '*cost: about $4.00 at list price (8 s x $0.50/s)*'
    }
}

Describe 'Errors a script can catch and inspect' {
    It 'refuses a bad duration before any request, naming the allowed values' {
        $before = @(Get-EmulatorRequest $emu | Where-Object method -EQ 'POST').Count
        $before | Should -BeGreaterThan 1
        New-SoraVideo 'x' -Duration 15 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidDuration,SoraPS.Commands.NewSoraVideoCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike '*4, 8, 12*'
        $err[0].TargetObject | Should -Be 'x'
        @(Get-EmulatorRequest $emu | Where-Object method -EQ 'POST').Count | Should -Be $before
    }

    It 'refuses 1080p on sora-2 and a local image where only URLs go' {
        New-SoraVideo 'x' -Profile unified -Resolution 1080p -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResolution,*'
        $img = Join-Path $TestDrive 'frame.png'
        [IO.File]::WriteAllBytes($img, [byte[]](1, 2, 3))
        New-SoraVideo 'x' -Profile unified -Image $img -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'ImageUrlRequired,*'
    }

    It 'keeps going after a bad row: one error per bad item' {
        $out = 'ok one', '', 'ok two' | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -HaveCount 2
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EmptyPrompt,*'
    }

    It 'reports moderation failure after 90% as ContentModerationFailed with the task as target' {
        $t = New-SoraVideo 'street scene [fail:moderation]' -Profile unified
        $t | Wait-SoraTask -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ContentModerationFailed,SoraPS.Commands.WaitSoraTaskCommand'
        $err[0].TargetObject.Id | Should -Be $t.Id
        $err[0].TargetObject.Progress | Should -Be 90
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'throws a catchable terminating error with -ErrorAction Stop' {
        { New-SoraVideo 'out of credit [quota]' -Profile unified -ErrorAction Stop } | Should -Throw -ErrorId 'QuotaExceeded,SoraPS.Commands.NewSoraVideoCommand'
    }

    It 'says which profile is missing' {
        New-SoraVideo 'x' -Profile nosuch -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProfileNotFound,*'
        $err[0].Exception.Message | Should -BeLike '*openai*unified*'
    }

    It 'reports a missing key before sending anything' {
        Register-SoraProfile -Name nokey -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_UNSET
        New-SoraVideo 'x' -Profile nokey -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyMissing,*'
        $err[0].Exception.Message | Should -BeLike '*SORAPS_PESTER_UNSET*'
        Unregister-SoraProfile nokey
    }
}

Describe 'WhatIf and secrets' {
    It 'New-SoraVideo -WhatIf sends nothing' {
        $before = @(Get-EmulatorRequest $emu | Where-Object method -EQ 'POST').Count
        'dry run' | New-SoraVideo -WhatIf | Should -BeNullOrEmpty
        @(Get-EmulatorRequest $emu | Where-Object method -EQ 'POST').Count | Should -Be $before
    }

    It 'Save-SoraVideo -WhatIf writes nothing' {
        $t = New-SoraVideo 'not saved' -Wait
        $out = Join-Path $TestDrive 'whatif'
        $t | Save-SoraVideo -Path $out -WhatIf
        Test-Path (Join-Path $out "$($t.Id).mp4") | Should -BeFalse
    }

    It 'never shows the key in verbose output or the profile file' {
        $verbose = New-SoraVideo 'trace me' -Wait -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -BeLike '*HTTP POST*'
        ($verbose.Message -join "`n") | Should -Not -BeLike '*emulator-key*'
        Get-Content (Join-Path $env:SORAPS_CONFIG_HOME 'profiles.json') -Raw | Should -Not -BeLike '*emulator-key*'
    }
}

Describe 'Profiles' {
    It 'registers, lists with wildcards, changes and removes profiles' {
        Register-SoraProfile -Name tmp-a -Dialect UnifiedTask -BaseUri 'https://relay.example.com' -Model sora-2-pro-preview -PassThru |
            Select-Object -ExpandProperty Dialect | Should -Be 'UnifiedTask'
        (Get-SoraProfile -Name 'tmp-*').Name | Should -Be 'tmp-a'
        Set-SoraProfile -Name tmp-a -Duration 8 -PassThru | Select-Object -ExpandProperty Duration | Should -Be 8
        Register-SoraProfile -Name tmp-a -Dialect OpenAI -BaseUri 'https://x.example.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProfileExists,*'
        Unregister-SoraProfile -Name tmp-a
        Get-SoraProfile -Name 'tmp-*' | Should -BeNullOrEmpty
        (Get-SoraProfile -Default).Name | Should -Be 'openai'
    }

    It 'declares the profile settings once for Register-SoraProfile and Set-SoraProfile' {
        $shared = 'ApiKeyEnvironmentVariable', 'ApiKey', 'ApiKeySecret', 'Vault', 'Model', 'Duration', 'AspectRatio', 'Resolution',
            'MaxConcurrency', 'Setting', 'ModelAlias', 'DailyBudget', 'MonthlyBudget', 'AllowUnpricedModels', 'Default', 'PassThru'
        foreach ($name in $shared) {
            $r = (Get-Command Register-SoraProfile).Parameters[$name]
            $s = (Get-Command Set-SoraProfile).Parameters[$name]
            $s.ParameterType | Should -Be $r.ParameterType -Because "-$name"
            $s.Attributes.ValueFromPipelineByPropertyName | Should -Be $r.Attributes.ValueFromPipelineByPropertyName -Because "-$name"
        }
        (Get-Command Register-SoraProfile).Parameters['Dialect'].Attributes.Mandatory | Should -Contain $true
        (Get-Command Set-SoraProfile).Parameters['Dialect'].Attributes.Mandatory | Should -Not -Contain $true
    }

    It 'changes only what each piped row gives with Set-SoraProfile (an empty cell or a missing column changes nothing)' {
        Register-SoraProfile -Name tmp-p1 -Dialect OpenAI -BaseUri 'https://p1.example.com' -Model sora-2 -Duration 4
        Register-SoraProfile -Name tmp-p2 -Dialect OpenAI -BaseUri 'https://p2.example.com' -Model sora-2 -Duration 4
        try {
            [pscustomobject]@{ Name = 'tmp-p1'; Model = 'sora-2-pro'; Duration = 8 }, [pscustomobject]@{ Name = 'tmp-p2'; Model = '' } |
                Set-SoraProfile -AspectRatio 16:9
            $p1 = Get-SoraProfile tmp-p1
            $p2 = Get-SoraProfile tmp-p2
            $p1.Model, $p1.Duration, $p1.AspectRatio | Should -Be 'sora-2-pro', 8, '16:9'
            $p2.Model, $p2.Duration, $p2.AspectRatio | Should -Be 'sora-2', 4, '16:9'
            Get-SoraProfile tmp-p1 | Set-SoraProfile -Resolution 720p
            $again = Get-SoraProfile tmp-p1
            $again.Model, $again.Duration, $again.AspectRatio, $again.Resolution | Should -Be 'sora-2-pro', 8, '16:9', '720p'
        }
        finally { Unregister-SoraProfile -Name tmp-p1, tmp-p2 }
    }

    It 'refuses plain http to a remote host' {
        Register-SoraProfile -Name insecure -Dialect OpenAI -BaseUri 'http://relay.example.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InsecureBaseUri,*'
    }

    It 'follows SORAPS_PROFILE when -Profile is not given' {
        $env:SORAPS_PROFILE = 'unified'
        try { (New-SoraVideo 'env profile').Dialect | Should -Be 'UnifiedTask' }
        finally { $env:SORAPS_PROFILE = $null }
    }
}

Describe 'Nothing lost, nothing leaked' {
    It 'journals every submitted task and lists them with filters' {
        $t = New-SoraVideo 'journaled' -Profile unified
        $entry = Get-SoraTask | Where-Object Id -EQ $t.Id
        $entry.Prompt | Should -Be 'journaled'
        $entry.Profile | Should -Be 'unified'
        (Get-SoraTask -Profile unified -Since (Get-Date).AddMinutes(-5)).Id | Should -Contain $t.Id
        (Get-SoraTask -Profile openai).Id | Should -Not -Contain $t.Id
        Get-SoraTask -Status Failed | ForEach-Object Status | Select-Object -Unique | Should -Be 'Failed'
    }

    It 'resumes what a killed script left behind: Get-SoraTask -Pending | Wait-SoraTask | Save-SoraVideo' {
        $module = Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1'
        $child = @"
Import-Module '$module'
`$ProgressPreference = 'SilentlyContinue'
'crash one', 'crash two', 'crash three' | New-SoraVideo -Profile unified | Out-Null
'submitted' | Set-Content '$TestDrive/submitted.flag'
Start-Sleep -Seconds 60
"@
        @(Get-SoraTask -Pending | Where-Object Prompt -Like 'crash *') | Should -HaveCount 0
        $p = Start-Process pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $child -PassThru
        $deadline = (Get-Date).AddSeconds(30)
        while (-not (Test-Path "$TestDrive/submitted.flag") -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Stop-Process -Id $p.Id -Force
        Test-Path "$TestDrive/submitted.flag" | Should -BeTrue
        $pending = Get-SoraTask -Pending | Where-Object Prompt -Like 'crash *'
        $pending | Should -HaveCount 3
        $out = Join-Path $TestDrive 'resumed'
        $files = Get-SoraTask -Pending | Wait-SoraTask | Save-SoraVideo -Path $out -PassThru
        ($files.Name | Where-Object { $_ -in ($pending | ForEach-Object { "$($_.Id).mp4" }) }) | Should -HaveCount 3
        Get-SoraTask -Pending | Should -BeNullOrEmpty
        (Get-SoraTask | Where-Object Prompt -Like 'crash *').SavedTo | Should -HaveCount 3
    }

    It 'skips videos already saved with -SkipExisting' {
        $t = New-SoraVideo 'saved twice' -Wait
        $out = Join-Path $TestDrive 'skip'
        $t | Save-SoraVideo -Path $out
        $file = Join-Path $out "$($t.Id).mp4"
        $stamp = (Get-Item $file).LastWriteTimeUtc
        $gets = @(Get-EmulatorRequest $emu | Where-Object path -Like "*/content*").Count
        $t | Save-SoraVideo -Path $out -SkipExisting -PassThru | Select-Object -ExpandProperty FullName | Should -Be $file
        (Get-Item $file).LastWriteTimeUtc | Should -Be $stamp
        @(Get-EmulatorRequest $emu | Where-Object path -Like "*/content*").Count | Should -Be $gets
    }

    It 'stops a task on a dialect that can cancel, and says clearly where one cannot' {
        $t = New-SoraVideo 'cancel me [slow]' -Profile unified
        $stopped = $t | Stop-SoraTask -PassThru
        $stopped.Status | Should -Be 'Cancelled'
        $t | Wait-SoraTask -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TaskCancelled,*'
        New-SoraVideo 'cannot cancel' -Profile v2 | Stop-SoraTask -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'CancelNotSupported,*'
    }

    It 'deletes a task and its video where the dialect can' {
        $t = New-SoraVideo 'delete me' -Wait
        $t | Remove-SoraTask -Force
        Get-SoraTask -Id $t.Id -Profile openai -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound,*'
        (Get-SoraTask | Where-Object Id -EQ $t.Id).ProviderStatus | Should -Be 'deleted'
    }

    It 'asks before it deletes a video that was never saved, and deletes nothing where nobody can be asked' {
        $t = New-SoraVideo 'never saved' -Wait
        $t | Remove-SoraTask -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VideoNeverSaved,*'
        $err[0].Exception.Message | Should -BeLike '*never saved*-Force*'
        (Get-SoraTask -Id $t.Id -Profile openai).Status | Should -Be 'Succeeded'
        $saved = New-SoraVideo 'saved first' -Wait
        $saved | Save-SoraVideo -Path (Join-Path $TestDrive 'unsaved-check') | Out-Null
        Get-SoraTask -Id $saved.Id -Profile openai | Remove-SoraTask -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2 | Should -BeNullOrEmpty
        Get-SoraTask -Id $saved.Id -Profile openai -ErrorVariable err3 -ErrorAction SilentlyContinue
        $err3[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound,*'
    }

    It 'stops waiting promptly when the pipeline is stopped (Ctrl+C)' {
        Invoke-RestMethod -Method Delete -Uri "$($emu.BaseUri)/_emulator/faults" | Out-Null
        $job = Start-Job -ScriptBlock {
            param($module, $config, $base)
            $env:SORAPS_CONFIG_HOME = $config; $env:SORAPS_PESTER_KEY = 'emulator-key'
            Import-Module $module
            # A task that never finishes within the test: the wait must be stopped.
            New-SoraVideo 'forever' -Profile unified | ForEach-Object { Start-Sleep 0 ; $_ } | Wait-SoraTask
        } -ArgumentList (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1'), $env:SORAPS_CONFIG_HOME, $emu.BaseUri
        Invoke-RestMethod -Method Post -Uri "$($emu.BaseUri)/_emulator/faults" -ContentType 'application/json' -Body '{"method":"GET","path":"/unified/v1/tasks/","kind":"StatusWord","word":"processing","times":1000}' | Out-Null
        $deadline = (Get-Date).AddSeconds(30)
        while ($job.State -eq 'Running' -and -not (Get-SoraTask | Where-Object Prompt -EQ 'forever') -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Start-Sleep -Seconds 2
        $job.State | Should -Be 'Running'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Stop-Job $job
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $job.State | Should -Be 'Stopped'
        Remove-Job $job -Force
        Invoke-RestMethod -Method Delete -Uri "$($emu.BaseUri)/_emulator/faults" | Out-Null
    }

    It 'traces each HTTP exchange and retry decision in -Verbose, without the key' {
        Invoke-RestMethod -Method Post -Uri "$($emu.BaseUri)/_emulator/faults" -ContentType 'application/json' -Body '{"method":"GET","path":"/openai/v1/videos/","kind":"Status","status":503,"times":1}' | Out-Null
        $verbose = (New-SoraVideo 'retry trace' -Wait -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'HTTP GET http://127\.0\.0\.1:\d+/openai/v1/videos/\S+ -> 503'
        $verbose | Should -Match 'Retrying GET .* \(attempt 2 of 5\)'
        $verbose | Should -Not -Match 'emulator-key'
    }

    It 'stores a key with the profile outside profiles.json, readable only by the user' {
        $key = ConvertTo-SecureString 'emulator-key' -AsPlainText -Force
        Register-SoraProfile -Name stored -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKey $key -WarningVariable warn -WarningAction SilentlyContinue
        if (-not $IsWindows) { $warn[0].Message | Should -BeLike '*NOT encrypted*' }
        Get-Content (Join-Path $env:SORAPS_CONFIG_HOME 'profiles.json') -Raw | Should -Not -BeLike '*emulator-key*'
        if (-not $IsWindows) { ((Get-Item (Join-Path $env:SORAPS_CONFIG_HOME 'keys.json')).UnixMode) | Should -Be '-rw-------' }
        (Get-SoraProfile stored).KeySource | Should -BeLike 'stored*'
        (New-SoraVideo 'stored key' -Profile stored).Status | Should -Be 'Queued'
        Unregister-SoraProfile stored
        Get-Content (Join-Path $env:SORAPS_CONFIG_HOME 'keys.json') -Raw | Should -Not -BeLike '*emulator-key*'
    }

    It 'reads a key from SecretManagement and says clearly when the module is absent' {
        Register-SoraProfile -Name vaulted -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeySecret sora -Vault local
        $saved = $env:PSModulePath
        try {
            New-SoraVideo 'vault first' -Profile vaulted -ErrorVariable err -ErrorAction SilentlyContinue
            if (-not (Get-Module -ListAvailable Microsoft.PowerShell.SecretManagement)) {
                $err[0].FullyQualifiedErrorId | Should -BeLike 'SecretManagementMissing,*'
            }
            # A stand-in SecretManagement module with a vault that knows one secret.
            $mods = Join-Path $TestDrive 'modules'
            $dir = New-Item -ItemType Directory -Force (Join-Path $mods 'Microsoft.PowerShell.SecretManagement')
            'function Get-Secret { param($Name, $Vault, [switch]$AsPlainText) if ($Name -eq "sora" -and $Vault -eq "local") { "emulator-key" } else { throw "secret $Name not found" } }' |
                Set-Content (Join-Path $dir 'Microsoft.PowerShell.SecretManagement.psm1')
            New-ModuleManifest -Path (Join-Path $dir 'Microsoft.PowerShell.SecretManagement.psd1') -RootModule 'Microsoft.PowerShell.SecretManagement.psm1' -FunctionsToExport Get-Secret
            $env:PSModulePath = $mods + [IO.Path]::PathSeparator + $saved
            (New-SoraVideo 'vault key' -Profile vaulted).Status | Should -Be 'Queued'
            Set-SoraProfile -Name vaulted -ApiKeySecret missing
            New-SoraVideo 'vault missing' -Profile vaulted -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -BeLike 'SecretNotFound,*'
        }
        finally {
            $env:PSModulePath = $saved
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            Unregister-SoraProfile vaulted
        }
    }
}

Describe 'A first-class PowerShell citizen' {
    It 'has full help with examples for <Name>' -ForEach @(
        'New-SoraVideo', 'Get-SoraTask', 'Wait-SoraTask', 'Save-SoraVideo', 'Stop-SoraTask', 'Remove-SoraTask',
        'Register-SoraProfile', 'Get-SoraProfile', 'Set-SoraProfile', 'Unregister-SoraProfile',
        'Get-SoraModel', 'Register-SoraModel', 'Unregister-SoraModel', 'Update-SoraModel' | ForEach-Object { @{ Name = $_ } }
    ) {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeLike "*$Name*[[]*"    # not the auto-generated syntax stand-in
        $help.Synopsis.Length | Should -BeGreaterThan 20
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        foreach ($p in $help.Parameters.Parameter) { ($p.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.Name) needs a description" }
        ($help.Syntax | Out-String) | Should -BeLike "*$Name*"
    }

    It 'has an about_SoraPS topic' {
        $about = Get-Help about_SoraPS | Out-String
        $about | Should -BeLike '*JOURNAL*'
        $about | Should -BeLike '*SORAPS_CONFIG_HOME*'
        $about | Should -BeLike '*ContentModerationFailed*'
    }

    It 'completes <Line>' -ForEach @(
        @{ Line = 'New-SoraVideo x -Profile un'; Expected = @('unified') }
        @{ Line = 'New-SoraVideo x -Profile unified -Model '; Expected = @('sora-2', 'sora-2-pro-preview') }
        @{ Line = 'New-SoraVideo x -Profile unified -Model sora-2-pro-preview -Duration '; Expected = @('4', '8', '12') }
        @{ Line = 'New-SoraVideo x -Profile openai -Model sora-2-pro -Resolution '; Expected = @('720p', '1024p') }
        @{ Line = 'New-SoraVideo x -Profile soraweb -AspectRatio '; Expected = @('16:9', '9:16', '1:1') }
        @{ Line = 'Register-SoraProfile -Name x -Dialect Az'; Expected = @('AzureJobs', 'AzureOpenAI') }
        @{ Line = 'Register-SoraProfile -Name x -Dialect V2Task -Model '; Expected = @('sora-2', 'sora-2-pro') }
        @{ Line = 'Register-SoraProfile -Name x -Dialect Ne'; Expected = @('NewApi') }
        @{ Line = 'Set-SoraProfile -Name one'; Expected = @('onerouter') }
    ) {
        $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        $result.CompletionMatches.CompletionText | Should -Be $Expected
    }

    It 'completes task ids from the journal' {
        $t = New-SoraVideo 'complete my id' -Profile v2
        $line = 'Get-SoraTask -Profile v2 -Id ' + $t.Id.Substring(0, 6)
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $t.Id
    }

    It 'has a list view for tasks and profiles' {
        $t = New-SoraVideo 'listed view' -Duration 8
        $text = $t | Format-List | Out-String
        $text | Should -Match 'Settings\s+: 8s, 9:16, 720p'
        $text | Should -Not -Match 'Raw'
        (Get-SoraProfile openai | Format-List | Out-String) | Should -Match 'KeySource\s+: \$env:SORAPS_PESTER_KEY'
        (Get-SoraProfile openai | Format-List | Out-String) | Should -Match 'MaxParallelDownloads\s+: 4'
        $t.ToString() | Should -Be "$($t.Id) (Queued)"
    }

    It 'works the same with progress hidden' {
        $ProgressPreference = 'SilentlyContinue'
        $f = New-SoraVideo 'quiet' -Wait | Save-SoraVideo -Path (Join-Path $TestDrive 'quiet') -PassThru
        $f.Length | Should -BeGreaterThan 1000
    }
}

Describe 'Views' {
    It 'shows tasks as a table with Id, Status, Progress, Model, Duration and Prompt' {
        $t = New-SoraVideo 'a view of the sea from a very long and winding cliff path'
        $text = $t | Format-Table | Out-String -Width 200
        $header = ($text -split "`n" | Where-Object { $_ -match '\S' })[0]
        $header | Should -Match 'Id\s+Status\s+Progress\s+Model\s+Duration\s+Prompt'
        $text | Should -Match '…'
    }
}
