#Requires -Modules Pester
# A hostile network against the BUILT module (out/SoraPS) in a fresh pwsh: time limits that hold,
# redirects that never leak the key, echoed keys, foreign .partial files. Two emulators: the provider,
# and a second one on another port standing for "another origin" (a CDN) that records what reached it.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')

    function Add-Fault($Emulator, [hashtable] $Fault) {
        Invoke-RestMethod -Method Post -Uri "$($Emulator.BaseUri)/_emulator/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json -Compress) | Out-Null
    }

    function Clear-Fault($Emulator) {
        Invoke-RestMethod -Method Delete -Uri "$($Emulator.BaseUri)/_emulator/faults" | Out-Null
    }

    function Wait-Finished([string] $Profile = 'unified', [string] $Prompt = 'network') {
        New-SoraVideo $Prompt -Profile $Profile -Wait -TimeoutSec 60
    }

    # Not under TestDrive: Pester empties that at the end of each Describe, and the journal must live on.
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-net-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $script:key = 'emulator-key'
    $env:SORAPS_PESTER_KEY = $key
    $script:emu = Start-SoraEmulator -TaskSeconds 0.5 -Arguments '--video-size', '1048576', '--distinct-videos'
    $script:cdn = Start-SoraEmulator -TaskSeconds 0.5
    Import-Module (Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name unified -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Stop-SoraEmulator $script:cdn
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'Time limits are hard' {
    AfterEach { Clear-Fault $emu }

    It 'Wait-SoraTask -TimeoutSec 3 ends on time while a poll never answers' {
        $task = New-SoraVideo 'hanging poll' -Profile unified
        Add-Fault $emu @{ method = 'GET'; path = '/unified/v1/tasks/'; kind = 'Delay'; delay = '00:02:00'; times = 1000 }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $task | Wait-SoraTask -TimeoutSec 3 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
    }

    It 'New-SoraVideo -Wait -TimeoutSec 3 ends on time while polls are retried' {
        Add-Fault $emu @{ method = 'GET'; path = '/unified/v1/tasks/'; kind = 'Status'; status = 503; headers = @{ 'retry-after' = '60' }; times = 1000 }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        New-SoraVideo 'retried poll' -Profile unified -Wait -TimeoutSec 3 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
    }

    It 'Save-SoraVideo -TimeoutSec 3 ends on time while the download never answers, leaving nothing behind' {
        $task = Wait-Finished
        Add-Fault $emu @{ method = 'GET'; path = '/unified/files/'; kind = 'Delay'; delay = '00:02:00'; times = 1000 }
        $out = Join-Path $TestDrive 'slow'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $task | Save-SoraVideo -Path $out -TimeoutSec 3 -ErrorVariable err -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DownloadTimeout,*'
        Get-ChildItem $out -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'takes the request timeout and retry count from the profile, and refuses a setting that is not a number' {
        Register-SoraProfile -Name strict -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Setting @{ RequestTimeoutSec = 1; MaxRetries = 0 }
        $task = New-SoraVideo 'strict' -Profile strict
        Add-Fault $emu @{ method = 'GET'; path = '/unified/v1/tasks/'; kind = 'Delay'; delay = '00:00:20'; times = 1000 }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Get-SoraTask -Id $task.Id -Profile strict -ErrorVariable err -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RequestTimeout,*'
        { Register-SoraProfile -Name bad -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -Setting @{ MaxRetries = 'many' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidSetting*'
    }
}

Describe 'Redirects work and never leak' {
    AfterEach { Clear-Fault $emu; Clear-Fault $cdn }

    It 'follows a content endpoint redirected to another origin, without the key' {
        $task = Wait-Finished -Profile openai
        Add-Fault $emu @{ method = 'GET'; path = '/content'; kind = 'Redirect'; status = 302; location = "$($cdn.BaseUri)/cdn/presigned/video.mp4?sig=1" }
        $file = $task | Save-SoraVideo -Path (Join-Path $TestDrive 'redirected') -PassThru
        [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($file.FullName), 4, 4) | Should -Be 'ftyp'
        $there = @(Get-EmulatorRequest $cdn)
        $there | Should -HaveCount 1
        $there[0].carriedKey | Should -BeFalse
    }

    It 'makes a redirect on a status request a clear error naming the Location, never TaskFailed' {
        $task = New-SoraVideo 'moved' -Profile unified
        Add-Fault $emu @{ method = 'GET'; path = '/unified/v1/tasks/'; kind = 'Redirect'; status = 307; location = "$($cdn.BaseUri)/elsewhere" }
        Get-SoraTask -Id $task.Id -Profile unified -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnexpectedRedirect,*'
        $err[0].Exception.Message | Should -Match ([regex]::Escape("$($cdn.BaseUri)/elsewhere"))
        Get-EmulatorRequest $cdn | Where-Object path -EQ '/elsewhere' | Should -BeNullOrEmpty
    }
}

Describe 'Keys stay secret everywhere' {
    AfterEach { Clear-Fault $emu }

    It 'keeps an echoed key out of Raw, -Verbose, -Debug and the journal' {
        $task = Wait-Finished
        Add-Fault $emu @{ method = 'GET'; path = '/unified/v1/tasks/'; kind = 'EchoHeaders'; status = 200; times = 5 }
        $all = Get-SoraTask -Id $task.Id -Profile unified -Verbose -Debug 4>&1 5>&1
        $fresh = $all | Where-Object { $_ -is [SoraPS.Core.Tasks.SoraTask] }
        $fresh.Raw | Should -Match 'echo'
        $fresh.Raw | Should -Not -Match $key
        ($all | ForEach-Object { "$_" }) -join "`n" | Should -Not -Match $key
        Get-ChildItem (Join-Path $env:SORAPS_CONFIG_HOME 'journal') -Filter *.jsonl | Get-Content -Raw | Should -Not -Match $key
    }

    It 'keeps an echoed key out of an error and its raw body' {
        Add-Fault $emu @{ method = 'POST'; path = '/unified/'; kind = 'EchoHeaders'; status = 400 }
        New-SoraVideo 'echo error' -Profile unified -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        ($err[0] | Out-String) | Should -Not -Match $key
        $err[0].Exception.Message | Should -Not -Match $key
        $err[0].Exception.RawBody | Should -Match '\*\*\*'
        $err[0].Exception.RawBody | Should -Not -Match $key
    }

    It 'refuses a key given where the name of an environment variable belongs' {
        foreach ($value in 'a3f9c2e18b7d4f6a9c0e1b2d3f4a5b6c', 'AbCdEfGh1234567890XyZw5678QrStUv', 'sk-proj-abc123') {
            { Register-SoraProfile -Name leaked -Dialect OpenAI -BaseUri https://api.example.com -ApiKeyEnvironmentVariable $value -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidKeyReference*'
        }
        Get-SoraProfile -Name leaked -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'creates keys.json, profiles.json and the journal readable by the owner only' -Skip:$IsWindows {
        Register-SoraProfile -Name stored -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified"
        Set-SoraProfile -Name stored -ApiKey (ConvertTo-SecureString 'stored-key-0000' -AsPlainText -Force) -WarningAction SilentlyContinue
        foreach ($f in 'keys.json', 'profiles.json') {
            [IO.File]::GetUnixFileMode((Join-Path $env:SORAPS_CONFIG_HOME $f)) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }
        foreach ($f in Get-ChildItem (Join-Path $env:SORAPS_CONFIG_HOME 'journal') -Filter *.jsonl) {
            [IO.File]::GetUnixFileMode($f.FullName) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }
        Unregister-SoraProfile -Name stored -Confirm:$false
    }
}

Describe 'A file is written only from its own task''s bytes' {
    AfterEach { Clear-Fault $emu }

    It 'never splices a killed save of one task into the next task saved to the same -Path' {
        $a = Wait-Finished -Prompt 'task a'
        $b = Wait-Finished -Prompt 'task b'
        $file = Join-Path $TestDrive 'same.mp4'
        # The first save stalls halfway; its process is then killed, as a crash or a closed window would.
        Add-Fault $emu @{ method = 'GET'; path = "/unified/files/$($a.Id)"; kind = 'StallMidBody'; fraction = 0.5; delay = '00:02:00' }
        $script = "`$env:SORAPS_CONFIG_HOME = '$($env:SORAPS_CONFIG_HOME)'; `$env:SORAPS_PESTER_KEY = '$key'; `$ProgressPreference = 'SilentlyContinue'; " +
            "Import-Module '$(Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1')'; Get-SoraTask -Id '$($a.Id)' -Profile unified | Save-SoraVideo -Path '$file' -Force"
        # This very pwsh; run as a dotnet tool it is dotnet plus pwsh.dll.
        $pwsh = (Get-Process -Id $PID).Path
        $arguments = @('-NoProfile', '-NonInteractive', '-Command', $script)
        if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $arguments = @(Join-Path $PSHOME 'pwsh.dll') + $arguments }
        $log = Join-Path $TestDrive 'first-save.log'
        $child = Start-Process -FilePath $pwsh -ArgumentList $arguments -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        try {
            $deadline = (Get-Date).AddSeconds(60)
            while (-not ((Test-Path "$file.partial") -and (Get-Item "$file.partial").Length -gt 0) -and (Get-Date) -lt $deadline -and -not $child.HasExited) { Start-Sleep -Milliseconds 100 }
            (Test-Path "$file.partial") | Should -BeTrue -Because "the first save should have started writing within 60 s ($(Get-Content $log, "$log.err" -Raw -ErrorAction SilentlyContinue))"
        }
        finally {
            Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue
            $child.WaitForExit(10000) | Out-Null
        }
        $b | Save-SoraVideo -Path $file -Force
        $expected = Join-Path $TestDrive 'b-direct.mp4'
        Invoke-WebRequest -Uri $b.VideoUri -OutFile $expected
        (Get-FileHash $file).Hash | Should -Be (Get-FileHash $expected).Hash
        Test-Path "$file.partial" | Should -BeFalse
        Test-Path "$file.partial.json" | Should -BeFalse
    }
}
