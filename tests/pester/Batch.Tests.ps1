#Requires -Modules Pester
# Batch files run twice pay once (-Once), rows as people write them, sidecars and the gallery (built module, emulator).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $env:SORAPS_CONFIG_HOME = Join-Path ([IO.Path]::GetTempPath()) ('soraps-pester-batch-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SORAPS_PROFILE = $null
    $env:SORAPS_PESTER_KEY = 'emulator-key'
    $script:emu = Start-SoraEmulator -TaskSeconds 1
    $script:module = Join-Path $root 'out' 'SoraPS' 'SoraPS.psd1'
    $script:pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    Import-Module $module -Force
    $ProgressPreference = 'SilentlyContinue'
    Register-SoraProfile -Name openai -Dialect OpenAI -BaseUri "$($emu.BaseUri)/openai" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY -Default
    Register-SoraProfile -Name v2 -Dialect V2Task -BaseUri "$($emu.BaseUri)/v2task" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    Register-SoraProfile -Name unified -Dialect UnifiedTask -BaseUri "$($emu.BaseUri)/unified" -ApiKeyEnvironmentVariable SORAPS_PESTER_KEY
    $script:work = Join-Path $env:SORAPS_CONFIG_HOME 'work'
    New-Item -ItemType Directory $work -Force | Out-Null

    function Add-Fault([hashtable] $Fault) {
        Invoke-RestMethod -Method Post -Uri "$($emu.BaseUri)/_emulator/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json) | Out-Null
    }
    function Get-PostCount([string] $Prompt) {
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like "*$Prompt*" }).Count
    }
    function New-Csv([string] $Name, [object[]] $Rows) {
        $path = Join-Path $work $Name
        $Rows | Export-Csv -Path $path -NoTypeInformation
        $path
    }
}

AfterAll {
    Stop-SoraEmulator $script:emu
    Remove-Item $env:SORAPS_CONFIG_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module SoraPS -ErrorAction SilentlyContinue
}

Describe 'New-SoraVideo -Once' {
    It 'sends each row of a file once: the second run emits the journaled tasks and sends nothing' {
        $csv = New-Csv 'twice.csv' @(
            [pscustomobject]@{ prompt = 'once row one'; seconds = 4 }
            [pscustomobject]@{ prompt = 'once row two'; seconds = 8 }
        )
        $first = @(Import-Csv $csv | New-SoraVideo -Once)
        $first | Should -HaveCount 2
        $second = @(Import-Csv $csv | New-SoraVideo -Once -Verbose 4>&1)
        $tasks = @($second | Where-Object { $_ -is [SoraPS.Core.Tasks.SoraTask] })
        ($tasks.Id | Sort-Object) | Should -Be ($first.Id | Sort-Object)
        @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "*already journaled as task*nothing was sent*" }) | Should -HaveCount 2
        Get-PostCount 'once row one' | Should -Be 1
        Get-PostCount 'once row two' | Should -Be 1
        $first[0].Key | Should -BeLike 'row-*'
        $tasks[0].Key | Should -BeLike 'row-*'
    }

    It 'changes nothing without -Once: the same rows are sent again' {
        'plain twice' | New-SoraVideo | Out-Null
        'plain twice' | New-SoraVideo | Out-Null
        Get-PostCount 'plain twice' | Should -Be 2
    }

    It 'derives a new key when what would be sent changes (duration, the image file''s bytes)' {
        $image = Join-Path $work 'frame.png'
        [IO.File]::WriteAllBytes($image, [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3))
        $a = New-SoraVideo 'derived key' -Duration 4 -Once
        $b = New-SoraVideo 'derived key' -Duration 8 -Once
        $c = New-SoraVideo 'derived key' -Duration 8 -Once
        $a.Key | Should -Not -Be $b.Key
        $c.Id | Should -Be $b.Id
        Get-PostCount 'derived key' | Should -Be 2
        # A local image is uploaded (multipart): count every submission.
        $posts = { @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.path -eq '/openai/v1/videos' }).Count }
        $before = & $posts
        $e = New-SoraVideo 'derived key image' -Image $image -Once
        $e2 = New-SoraVideo 'derived key image' -Image $image -Once
        [IO.File]::WriteAllBytes($image, [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9, 9))
        $f = New-SoraVideo 'derived key image' -Image $image -Once
        $e2.Id | Should -Be $e.Id
        $f.Key | Should -Not -Be $e.Key
        (& $posts) - $before | Should -Be 2
    }

    It 'takes the row''s key when given: the same key is one row whatever else changes' {
        $first = [pscustomobject]@{ prompt = 'keyed row A'; key = 'night-1/row-7' } | New-SoraVideo -Once
        $again = [pscustomobject]@{ prompt = 'keyed row A, reworded'; key = 'night-1/row-7' } | New-SoraVideo -Once
        $other = New-SoraVideo 'keyed row A' -Key 'night-1/row-8' -Once
        $again.Id | Should -Be $first.Id
        $first.Key | Should -Be 'night-1/row-7'
        $other.Id | Should -Not -Be $first.Id
        Get-PostCount 'keyed row A, reworded' | Should -Be 0
        Get-PostCount 'keyed row A' | Should -Be 2
    }

    It 'sends a failed row again and says so' {
        $t = New-SoraVideo 'once fails [fail:moderation]' -Once
        $t | Wait-SoraTask -TimeoutSec 60 -ErrorAction SilentlyContinue | Out-Null
        $again = New-SoraVideo 'once fails [fail:moderation]' -Once -WarningVariable warned 3>$null
        $again.Id | Should -Not -Be $t.Id
        $warned[0].Message | Should -BeLike "*earlier task $($t.Id) failed (moderation_blocked)*submitted again as $($again.Id)*"
        Get-PostCount 'once fails' | Should -Be 2
    }

    It 'sends a refused row again and says so' {
        New-SoraVideo 'once refused [refuse]' -Once -ErrorAction SilentlyContinue | Out-Null
        New-SoraVideo 'once refused [refuse]' -Once -ErrorAction SilentlyContinue -WarningVariable warned 3>$null | Out-Null
        $warned[0].Message | Should -BeLike '*was refused*submitted again*'
        Get-PostCount 'once refused' | Should -Be 2
    }

    It 'counts an unknown outcome as sent: the journaled submission is emitted with a warning naming Resolve-SoraTask' {
        Add-Fault @{ method = 'POST'; path = '/openai/v1/videos'; kind = 'AcceptThenReset' }
        New-SoraVideo 'once unknown' -Once -ErrorAction SilentlyContinue | Out-Null
        $again = New-SoraVideo 'once unknown' -Once -WarningVariable warned 3>$null
        $again.Status | Should -Be 'Unknown'
        $again.Id | Should -BeLike 'sub-*'
        $warned[0].Message | Should -BeLike '*outcome is unknown*Resolve-SoraTask*'
        Get-PostCount 'once unknown' | Should -Be 1
    }

    It 'pays once per row when two processes run the same file at the same time' {
        $rows = 1..12 | ForEach-Object { [pscustomobject]@{ prompt = "race row $_"; seconds = 4 } }
        $csv = New-Csv 'race.csv' $rows
        $script = "Import-Module '$module'; `$ProgressPreference = 'SilentlyContinue'; Import-Csv '$csv' | New-SoraVideo -Once -WarningAction SilentlyContinue | ForEach-Object Id"
        $jobs = 1..2 | ForEach-Object {
            $psi = [Diagnostics.ProcessStartInfo]::new($pwsh)
            foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $script) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.UseShellExecute = $false
            [Diagnostics.Process]::Start($psi)
        }
        $outputs = foreach ($p in $jobs) {
            $text = $p.StandardOutput.ReadToEnd()
            $p.WaitForExit(120000) | Should -BeTrue
            , @($text -split "`n" | Where-Object { $_.Trim() })
        }
        $outputs[0] | Should -HaveCount 12
        $outputs[1] | Should -HaveCount 12
        foreach ($i in 1..12) { Get-PostCount "race row $i`"" | Should -Be 1 -Because "row $i is paid once" }
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*race row*' }).Count | Should -Be 12
    }
}

Describe 'Batch rows as people write them' {
    It 'reads the keys of video batch files: prompt, model, seconds, size, input_reference, out, key (CSV)' {
        $csv = New-Csv 'rows.csv' @(
            [pscustomobject]@{ prompt = 'csv size row'; model = 'sora-2-pro'; seconds = '8'; size = '1792x1024'; input_reference = ''; out = 'night/fox.mp4'; key = 'csv-1' }
        )
        $t = Import-Csv $csv | New-SoraVideo -Once
        $t.AspectRatio | Should -Be '16:9'
        $t.Resolution | Should -Be '1024p'
        $t.Duration | Should -Be 8
        $t.OutFile | Should -Be 'night/fox.mp4'
        $t.Key | Should -Be 'csv-1'
        $body = (Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'POST' -and $_.body -like '*csv size row*' } | Select-Object -First 1).body
        $body | Should -BeLike '*1792x1024*'
    }

    It 'reads JSONL rows through ConvertFrom-Json' {
        $jsonl = Join-Path $work 'rows.jsonl'
        @(
            '{"prompt":"jsonl row one","seconds":4,"size":"720x1280","key":"j1"}'
            '{"prompt":"jsonl row two","seconds":8,"out":"two.mp4"}'
        ) | Set-Content $jsonl
        $tasks = @(Get-Content $jsonl | ConvertFrom-Json | New-SoraVideo -Once)
        $tasks | Should -HaveCount 2
        ($tasks | Where-Object Key -EQ 'j1').AspectRatio | Should -Be '9:16'
        ($tasks | Where-Object OutFile -EQ 'two.mp4').Duration | Should -Be 8
    }

    It 'refuses a size the model does not have, naming the sizes it has, before any request' {
        [pscustomobject]@{ prompt = 'bad size row'; size = '1920x1080' } | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSize*'
        $err[0].Exception.Message | Should -BeLike '*1280x720 (16:9, 720p)*'
        $err[0].Exception.Message | Should -BeLike '*720x1280 (9:16, 720p)*'
        [pscustomobject]@{ prompt = 'bad size row unified'; size = '1280x720' } | New-SoraVideo -Profile unified -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].Exception.Message | Should -BeLike '*does not name its videos by pixel size*'
        Get-PostCount 'bad size row' | Should -Be 0
    }

    It 'refuses an out that leaves the folder before any request' {
        [pscustomobject]@{ prompt = 'escaping out'; out = '../../etc/x.mp4' } | New-SoraVideo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidOutFile*'
        Get-PostCount 'escaping out' | Should -Be 0
    }

    It 'saves a row''s video under its out name, and a later run from the journal to the same name' {
        $folder = Join-Path $work 'outs'
        $t = [pscustomobject]@{ prompt = 'named out row'; out = 'sub/named.mp4' } | New-SoraVideo
        $t | Save-SoraVideo -Path $folder
        Test-Path (Join-Path $folder 'sub' 'named.mp4') | Should -BeTrue
        Test-Path (Join-Path $folder "$($t.Id).mp4") | Should -BeFalse
        # A later run reads the task from the journal (Get-SoraTask, New-SoraVideo -Once): the same name.
        $again = Join-Path $work 'outs-again'
        Get-SoraTask | Where-Object Id -EQ $t.Id | Save-SoraVideo -Path $again
        Test-Path (Join-Path $again 'sub' 'named.mp4') | Should -BeTrue
        $once = [pscustomobject]@{ prompt = 'named out once'; out = 'once.mp4' } | New-SoraVideo -Once
        $rerun = Join-Path $work 'outs-rerun'
        [pscustomobject]@{ prompt = 'named out once'; out = 'once.mp4' } | New-SoraVideo -Once | Save-SoraVideo -Path $rerun
        Test-Path (Join-Path $rerun 'once.mp4') | Should -BeTrue
        Get-PostCount 'named out once' | Should -Be 1
        $once.OutFile | Should -Be 'once.mp4'
    }
}

Describe 'Save-SoraVideo -Sidecar' {
    It 'writes <video>.json with the prompt, settings, times, costs and the file''s SHA-256' {
        $folder = Join-Path $work 'sidecars'
        $t = New-SoraVideo 'sidecar row' -Duration 8 -AspectRatio 16:9 -Once -OutFile 'side.mp4'
        $t | Save-SoraVideo -Path $folder -Sidecar
        $video = Join-Path $folder 'side.mp4'
        $json = Get-Content "$video.json" -Raw
        $s = $json | ConvertFrom-Json
        $s.prompt | Should -Be 'sidecar row'
        $s.profile | Should -Be 'openai'
        $s.dialect | Should -Be 'OpenAI'
        $s.model | Should -Be 'sora-2'
        $s.duration | Should -Be 8
        $s.size | Should -Be '1280x720'
        $s.id | Should -Be $t.Id
        $s.key | Should -Be $t.Key
        $s.submittedAt | Should -Not -BeNullOrEmpty
        $s.completedAt | Should -Not -BeNullOrEmpty
        $s.estimatedCost | Should -Be 0.8
        $s.sha256 | Should -Be (Get-FileHash $video -Algorithm SHA256).Hash.ToLowerInvariant()
        $s.file | Should -Be 'side.mp4'
    }

    It 'keeps the provider options sent, without secret-looking ones' {
        $folder = Join-Path $work 'sidecar-options'
        $t = New-SoraVideo 'sidecar options' -Profile v2 -Duration 4 -ProviderOption @{ watermark = $false; private = $true } -Once
        $t | Save-SoraVideo -Path $folder -Sidecar
        $s = Get-Content (Join-Path $folder "$($t.Id).mp4.json") -Raw | ConvertFrom-Json
        $s.options.watermark | Should -BeFalse
        $s.options.private | Should -BeTrue
        $s.dialect | Should -Be 'V2Task'
    }

    It 'treats the video and its sidecar as one with -SkipExisting and -Force' {
        $folder = Join-Path $work 'pairs'
        $t = New-SoraVideo 'sidecar pair' -Wait
        $t | Save-SoraVideo -Path $folder -Sidecar
        $video = Join-Path $folder "$($t.Id).mp4"
        Remove-Item "$video.json"
        $gets = @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'GET' -and $_.path -like "*$($t.Id)/content*" }).Count
        $t | Save-SoraVideo -Path $folder -Sidecar -SkipExisting
        Test-Path "$video.json" | Should -BeTrue
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'GET' -and $_.path -like "*$($t.Id)/content*" }).Count | Should -Be $gets
        Set-Content "$video.json" '{"id":"stale"}'
        $t | Save-SoraVideo -Path $folder -Sidecar -Force
        (Get-Content "$video.json" -Raw | ConvertFrom-Json).id | Should -Be $t.Id
        @(Get-EmulatorRequest $emu | Where-Object { $_.method -eq 'GET' -and $_.path -like "*$($t.Id)/content*" }).Count | Should -Be ($gets + 1)
    }
}

Describe 'Export-SoraGallery' {
    BeforeAll {
        # A headless Chromium driven over the DevTools protocol (a WebSocket on 127.0.0.1): loads a page, collects
        # console errors and exceptions, evaluates an expression and writes a screenshot.
        function Invoke-BrowserCheck([string] $Page, [string] $Expression, [string] $Screenshot, [int] $Height = 1400) {
            $browser = Get-Command chromium, chromium-browser, google-chrome -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if (-not $browser) { throw 'No Chromium on this machine: build.ps1 -Task Test installs Debian''s chromium when it runs as root.' }
            $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
            $userDir = Join-Path $work ('chromium-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
            $psi = [Diagnostics.ProcessStartInfo]::new($browser.Source)
            foreach ($a in '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
                '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars',
                "--user-data-dir=$userDir", "--remote-debugging-port=$port", "--window-size=1280,$Height", 'about:blank') { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $psi.RedirectStandardError = $true
            $psi.RedirectStandardOutput = $true
            $proc = [Diagnostics.Process]::Start($psi)
            $proc.BeginErrorReadLine(); $proc.BeginOutputReadLine()
            $socket = [Net.WebSockets.ClientWebSocket]::new()
            try {
                $deadline = (Get-Date).AddSeconds(60)
                $target = $null
                while (-not $target) {
                    if ((Get-Date) -gt $deadline) { throw "Chromium did not open its DevTools port $port within 60 s." }
                    try { $target = @(Invoke-RestMethod "http://127.0.0.1:$port/json/list" -TimeoutSec 2) | ForEach-Object { $_ } | Where-Object type -EQ 'page' | Select-Object -First 1 } catch { Start-Sleep -Milliseconds 200 }
                }
                $cts = [Threading.CancellationTokenSource]::new([TimeSpan]::FromSeconds(120))
                $socket.ConnectAsync([Uri] $target.webSocketDebuggerUrl, $cts.Token).GetAwaiter().GetResult()
                $state = @{ Id = 0; Events = [Collections.Generic.List[object]]::new() }
                $receive = {
                    $buffer = [byte[]]::new(1MB); $ms = [IO.MemoryStream]::new()
                    do {
                        $r = $socket.ReceiveAsync([ArraySegment[byte]]::new($buffer), $cts.Token).GetAwaiter().GetResult()
                        $ms.Write($buffer, 0, $r.Count)
                    } while (-not $r.EndOfMessage)
                    [Text.Encoding]::UTF8.GetString($ms.ToArray()) | ConvertFrom-Json -Depth 20
                }
                $send = {
                    param($Method, $Params = @{})
                    $state.Id++
                    $id = $state.Id
                    $json = @{ id = $id; method = $Method; params = $Params } | ConvertTo-Json -Depth 10 -Compress
                    $bytes = [Text.Encoding]::UTF8.GetBytes($json)
                    $socket.SendAsync([ArraySegment[byte]]::new($bytes), [Net.WebSockets.WebSocketMessageType]::Text, $true, $cts.Token).GetAwaiter().GetResult()
                    while ($true) {
                        $m = & $receive
                        if ($m.id -eq $id) { if ($m.error) { throw "$Method failed: $($m.error.message)" }; return $m.result }
                        $state.Events.Add($m)
                    }
                }
                & $send 'Runtime.enable' | Out-Null
                & $send 'Log.enable' | Out-Null
                & $send 'Page.enable' | Out-Null
                & $send 'Page.navigate' @{ url = [UriBuilder]::new('file', '', -1, $Page).Uri.AbsoluteUri } | Out-Null
                while (-not ($state.Events | Where-Object method -EQ 'Page.loadEventFired')) { $state.Events.Add((& $receive)) }
                $value = (& $send 'Runtime.evaluate' @{ expression = $Expression; returnByValue = $true }).result.value
                $shot = & $send 'Page.captureScreenshot' @{ format = 'png' }
                [IO.File]::WriteAllBytes($Screenshot, [Convert]::FromBase64String($shot.data))
                $errors = @($state.Events | Where-Object {
                        $_.method -eq 'Runtime.exceptionThrown' -or
                        ($_.method -eq 'Runtime.consoleAPICalled' -and $_.params.type -in 'error', 'assert') -or
                        ($_.method -eq 'Log.entryAdded' -and $_.params.entry.level -eq 'error') })
                [pscustomobject]@{ Value = $value; Errors = $errors }
            } finally {
                $socket.Dispose()
                if (-not $proc.HasExited) { $proc.Kill($true); $proc.WaitForExit(10000) | Out-Null }
                Remove-Item $userDir -Recurse -Force -ErrorAction SilentlyContinue
            }
        }
        $script:shots = Join-Path $root 'out' 'test-results' 'gallery'
        New-Item -ItemType Directory $shots -Force | Out-Null
        # A 1x1 PNG, saved as a thumbnail beside a video: the card's poster.
        $script:png = [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAFgwJ/lYb9SQAAAABJRU5ErkJggg==')
    }

    It 'writes one self-contained page: a card per task, failures with their error, totals, every text escaped (headless Chromium)' {
        $folder = Join-Path $work 'gallery'
        $ok = 'gallery fox <script>document.title="pwned"</script>', 'gallery heron' | New-SoraVideo -Duration 4 | Wait-SoraTask -TimeoutSec 60
        $ok | Save-SoraVideo -Path $folder -Sidecar
        [IO.File]::WriteAllBytes((Join-Path $folder "$($ok[0].Id).thumbnail.png"), $png)
        $bad = New-SoraVideo 'gallery storm [fail:moderation]' -Duration 4
        $bad | Wait-SoraTask -TimeoutSec 60 -ErrorAction SilentlyContinue | Out-Null
        $failed = Get-SoraTask | Where-Object Id -EQ $bad.Id
        $tasks = @(Get-SoraTask | Where-Object Id -In (@($ok.Id) + $bad.Id))
        $file = $tasks | Export-SoraGallery -OutFile (Join-Path $folder 'night.html') -Title 'Night <1>'
        $file.Name | Should -Be 'night.html'
        $html = Get-Content $file.FullName -Raw
        $html | Should -Not -Match '(?i)(src|href|poster)="(https?:)?//'
        $html | Should -Not -Match '(?i)<script|<link|@import|url\('
        $html | Should -BeLike '*&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;*'
        $check = Invoke-BrowserCheck $file.FullName -Screenshot (Join-Path $shots 'gallery.png') -Expression @'
JSON.stringify({
  cards: document.querySelectorAll('article.card').length,
  videos: document.querySelectorAll('article.card video').length,
  posters: document.querySelectorAll('video[poster]').length,
  scripts: document.scripts.length,
  title: document.title,
  prompts: Array.from(document.querySelectorAll('.prompt')).map(p => p.textContent),
  errorIds: Array.from(document.querySelectorAll('.error-id')).map(p => p.textContent),
  total: document.getElementById('total-count').textContent,
  succeeded: document.getElementById('total-succeeded').textContent,
  failed: document.getElementById('total-failed').textContent,
  seconds: document.getElementById('total-seconds').textContent
})
'@
        $check.Errors | Should -BeNullOrEmpty
        $v = $check.Value | ConvertFrom-Json
        $v.cards | Should -Be 3
        $v.videos | Should -Be 2
        $v.posters | Should -Be 1
        $v.scripts | Should -Be 0
        $v.title | Should -Be 'Night <1>'
        $v.prompts | Should -Contain 'gallery fox <script>document.title="pwned"</script>'
        $v.errorIds | Should -Be @($failed.Error.Code)
        $v.total | Should -Be '3'
        $v.succeeded | Should -Be '2'
        $v.failed | Should -Be '1'
        $v.seconds | Should -Be '8'
        (Get-Item (Join-Path $shots 'gallery.png')).Length | Should -BeGreaterThan 5000
    }

    It 'shows a folder of 1,000 saved videos with their sidecars (time and size measured)' {
        $folder = Join-Path $work 'gallery-1000'
        New-Item -ItemType Directory $folder -Force | Out-Null
        $mp4 = [byte[]](0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x6D, 0x70, 0x34, 0x32, 0, 0, 0, 0, 0x6D, 0x70, 0x34, 0x32, 0x69, 0x73, 0x6F, 0x6D)
        foreach ($i in 1..1000) {
            $name = 'night-{0:d4}.mp4' -f $i
            [IO.File]::WriteAllBytes((Join-Path $folder $name), $mp4)
            $status = if ($i % 50 -eq 0) { 'Failed' } else { 'Succeeded' }
            $sidecar = [ordered]@{ version = 1; id = "video_$i"; prompt = "Prompt $i <b>& friends</b>"; profile = 'openai'; dialect = 'OpenAI'; model = 'sora-2'; duration = 8
                size = '1280x720'; status = $status; estimatedCost = 0.8; currency = 'USD'; file = $name; sha256 = ('0' * 64) }
            if ($status -eq 'Failed') { $sidecar.errorCode = 'moderation_blocked'; $sidecar.errorMessage = 'Blocked <by> policy' }
            [IO.File]::WriteAllText((Join-Path $folder "$name.json"), ($sidecar | ConvertTo-Json))
        }
        $elapsed = Measure-Command { $page = Export-SoraGallery -Path $folder }
        $page.FullName | Should -Be (Join-Path $folder 'index.html')
        $kib = [math]::Round($page.Length / 1KB, 1)
        Write-Host ("Gallery of 1,000 tasks: {0:0.00} s, {1} KiB" -f $elapsed.TotalSeconds, $kib)
        Set-Content (Join-Path $shots 'gallery-1000.txt') ("seconds={0:0.000} bytes={1}" -f $elapsed.TotalSeconds, $page.Length)
        $elapsed.TotalSeconds | Should -BeLessThan 15
        $page.Length | Should -BeLessThan 2MB
        $check = Invoke-BrowserCheck $page.FullName -Screenshot (Join-Path $shots 'gallery-1000.png') -Height 900 -Expression @'
JSON.stringify({ cards: document.querySelectorAll('article.card').length, failed: document.querySelectorAll('article.card.failed').length,
  total: document.getElementById('total-count').textContent, cost: document.getElementById('total-cost').textContent, seconds: document.getElementById('total-seconds').textContent })
'@
        $check.Errors | Should -BeNullOrEmpty
        $v = $check.Value | ConvertFrom-Json
        $v.cards | Should -Be 1000
        $v.failed | Should -Be 20
        $v.total | Should -Be '1000'
        $v.seconds | Should -Be '7840'
        $v.cost | Should -Be '800.00 USD'
    }
}

Describe 'examples/Nightly.ps1' {
    BeforeAll {
        # Its own emulator (2 s tasks; [slow] ones take 20 s) and its own config folder, passed as an argument.
        $script:nightEmu = Start-SoraEmulator -TaskSeconds 2
        $script:nightConfig = Join-Path $work 'night-config'
        $register = "`$env:SORAPS_CONFIG_HOME = '$nightConfig'; Import-Module '$module'; Register-SoraProfile -Name night -Dialect OpenAI -BaseUri '$($nightEmu.BaseUri)/openai' -ApiKeyEnvironmentVariable NIGHT_KEY -Default | Out-Null"
        & $pwsh -NoProfile -NonInteractive -Command $register
        $script:envExe = (Get-Command env -CommandType Application | Select-Object -First 1).Source
        $script:nightly = Join-Path $root 'examples' 'Nightly.ps1'
        # The scheduled job's process: an empty environment (env -i) but for the key the profile names.
        function Start-Night([string] $Prompts, [string] $Out) {
            $psi = [Diagnostics.ProcessStartInfo]::new($envExe)
            foreach ($a in '-i', 'NIGHT_KEY=emulator-key', $pwsh, '-NoProfile', '-NonInteractive', '-File', $nightly,
                '-PromptsPath', $Prompts, '-OutputPath', $Out, '-ConfigHome', $nightConfig, '-ModulePath', $module, '-TimeoutSec', '180') { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $p = [Diagnostics.Process]::Start($psi)
            $p.BeginOutputReadLine(); $p.BeginErrorReadLine()
            $p
        }
        function Get-NightPosts([string] $Prompt) {
            @(Get-EmulatorRequest $nightEmu | Where-Object { $_.method -eq 'POST' -and $_.path -eq '/openai/v1/videos' -and $_.body -like "*$Prompt*" }).Count
        }
    }
    AfterAll { Stop-SoraEmulator $script:nightEmu }

    It 'runs again after SIGKILL mid-batch: every row has exactly one video, one create per row, exit code 0' {
        $out = Join-Path $work 'night-out'
        $rows = @(1..3 | ForEach-Object { [pscustomobject]@{ prompt = "night fast $_"; seconds = 4; out = "fast-$_.mp4" } }) +
                @(1..3 | ForEach-Object { [pscustomobject]@{ prompt = "night slow $_ [slow]"; seconds = 4; out = "slow-$_.mp4" } })
        $csv = New-Csv 'night.csv' $rows
        $first = Start-Night $csv $out
        $deadline = (Get-Date).AddSeconds(120)
        while (-not (Get-ChildItem $out -Filter 'fast-*.mp4' -ErrorAction SilentlyContinue)) {
            if ((Get-Date) -gt $deadline -or $first.HasExited) { throw "The first run saved no video within 120 s (exited: $($first.HasExited))." }
            Start-Sleep -Milliseconds 100
        }
        $first.Kill() # SIGKILL: no clean-up runs
        $first.WaitForExit(10000) | Should -BeTrue
        $first.ExitCode | Should -Be 137
        @(Get-ChildItem $out -Filter 'slow-*.mp4') | Should -HaveCount 0 -Because 'the slow rows were still running when the batch was killed'

        $before = @(Get-EmulatorRequest $nightEmu)
        $second = Start-Night $csv $out
        $second.WaitForExit(240000) | Should -BeTrue
        $second.ExitCode | Should -Be 0
        $during = @(Get-EmulatorRequest $nightEmu | Select-Object -Skip $before.Count)
        @($during | Where-Object method -EQ 'POST') | Should -HaveCount 0 -Because 'every row was submitted by the killed run'
        $figures = Join-Path $root 'out' 'test-results' 'gallery'
        New-Item -ItemType Directory $figures -Force | Out-Null
        Set-Content (Join-Path $figures 'nightly-rerun.txt') ("second run requests: {0} ({1} POST, {2} GET status, {3} GET content)" -f $during.Count,
            @($during | Where-Object method -EQ 'POST').Count, @($during | Where-Object { $_.method -eq 'GET' -and $_.path -notlike '*/content*' }).Count,
            @($during | Where-Object { $_.method -eq 'GET' -and $_.path -like '*/content*' }).Count)
        (@(Get-ChildItem $out -Filter '*.mp4').Name | Sort-Object) | Should -Be @($rows.out | Sort-Object)
        foreach ($r in $rows) {
            Get-NightPosts ($r.prompt -replace '\[slow\]', '') | Should -Be 1 -Because "'$($r.prompt)' is paid once"
            $sidecar = Get-Content (Join-Path $out "$($r.out).json") -Raw | ConvertFrom-Json
            $sidecar.prompt | Should -Be $r.prompt
            $sidecar.sha256 | Should -Be (Get-FileHash (Join-Path $out $r.out) -Algorithm SHA256).Hash.ToLowerInvariant()
        }
        Test-Path (Join-Path $out 'index.html') | Should -BeTrue
        $log = Get-Content (Get-ChildItem $out -Filter 'nightly-*.log').FullName -Raw
        $log | Should -BeLike '*exit 0: all 6 rows saved*'
        @(Get-ChildItem $out -Filter '*.tmp' -Recurse -Force) | Should -HaveCount 0 -Because 'a download cut by the kill leaves no partial file behind after the second run'
    }

    It 'exits 1 when some rows fail and 2 when nothing can run' {
        $out = Join-Path $work 'night-mixed'
        $txt = Join-Path $work 'night-mixed.txt'
        @('# tonight', 'night mixed fine', '', 'night mixed [fail:moderation]') | Set-Content $txt
        $p = Start-Night $txt $out
        $p.WaitForExit(180000) | Should -BeTrue
        $p.ExitCode | Should -Be 1
        @(Get-ChildItem $out -Filter '*.mp4') | Should -HaveCount 1
        (Get-Content (Get-ChildItem $out -Filter 'nightly-*.log').FullName -Raw) | Should -BeLike '*not saved*'

        $missing = Start-Night (Join-Path $work 'no-such-prompts.txt') (Join-Path $work 'night-none')
        $missing.WaitForExit(60000) | Should -BeTrue
        $missing.ExitCode | Should -Be 2
    }
}

Describe 'Rehearsal (SORAPS_REHEARSAL)' {
    BeforeAll {
        $script:rehearsalConfig = Join-Path $work 'rehearsal-config'
        # A profile whose provider does not exist and whose key is not set: a rehearsal needs neither.
        $script:rehearse = {
            param([string] $Script)
            $full = "`$env:SORAPS_CONFIG_HOME = '$rehearsalConfig'; `$env:SORAPS_REHEARSAL = '1'; `$env:SORAPS_REHEARSAL_SECONDS = '1'; `$env:NO_SUCH_KEY = `$null; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$module'; " + $Script
            & $pwsh -NoProfile -NonInteractive -Command $full
        }
        # A live provider (the emulator) behind the profile: a rehearsal must not send it anything.
        $script:rehEmu = Start-SoraEmulator -TaskSeconds 1
        & $pwsh -NoProfile -NonInteractive -Command "`$env:SORAPS_CONFIG_HOME = '$rehearsalConfig'; Import-Module '$module'; Register-SoraProfile -Name real -Dialect OpenAI -BaseUri '$($rehEmu.BaseUri)/openai' -ApiKeyEnvironmentVariable NO_SUCH_KEY -Default -DailyBudget 100 | Out-Null"
    }
    AfterAll { Stop-SoraEmulator $script:rehEmu }

    It 'rehearses 200 prompts in seconds: real validation, simulated tasks and small valid MP4s, nothing sent, no key' {
        $folder = Join-Path $work 'rehearsal-videos'
        $figures = Join-Path $root 'out' 'test-results' 'gallery'
        New-Item -ItemType Directory $figures -Force | Out-Null
        $json = & $rehearse @"
`$prompts = @(1..199 | ForEach-Object { "rehearsed prompt `$_" }) + 'rehearsed prompt [fail]'
`$elapsed = Measure-Command {
    `$tasks = @(`$prompts | New-SoraVideo -Once -WarningAction SilentlyContinue)
    `$files = @(`$tasks | Save-SoraVideo -Path '$folder' -Sidecar -PassThru -ErrorVariable saveErr -ErrorAction SilentlyContinue)
}
New-SoraVideo 'seven seconds' -Duration 7 -ErrorVariable bad -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
`$again = @(`$prompts | New-SoraVideo -Once -WarningAction SilentlyContinue)
[pscustomobject]@{
    Seconds = `$elapsed.TotalSeconds; Tasks = `$tasks.Count; Files = `$files.Count; Failed = @(`$saveErr).Count
    FailedId = @(`$saveErr)[0].FullyQualifiedErrorId; Bad = @(`$bad)[0].FullyQualifiedErrorId
    Ids = @(`$tasks.Id | Select-Object -First 3); Again = `$again.Count; SameIds = @(`$again.Id | Where-Object { `$_ -in `$tasks.Id }).Count
    Spend = (Get-SoraSpend -Profile real | Measure-Object EstimatedCost -Sum).Sum
} | ConvertTo-Json
"@
        $r = $json | ConvertFrom-Json
        Set-Content (Join-Path $figures 'rehearsal-200.txt') ("seconds={0:0.000} tasks={1} files={2}" -f $r.Seconds, $r.Tasks, $r.Files)
        Write-Host ("Rehearsal of 200 prompts to saved files: {0:0.00} s" -f $r.Seconds)
        $r.Tasks | Should -Be 200
        $r.Files | Should -Be 199
        $r.Failed | Should -Be 1
        $r.FailedId | Should -BeLike 'ContentModerationFailed*'
        $r.Bad | Should -BeLike 'InvalidDuration*'
        $r.Ids[0] | Should -BeLike 'rehearsal-*'
        $r.Again | Should -Be 200
        $r.SameIds | Should -Be 199 -Because 'a second run sends only the failed row again'
        $r.Seconds | Should -BeLessThan 20
        $r.Spend | Should -BeGreaterThan 0
        $mp4 = Get-ChildItem $folder -Filter '*.mp4' | Select-Object -First 1
        $bytes = [IO.File]::ReadAllBytes($mp4.FullName)
        [Text.Encoding]::ASCII.GetString($bytes, 4, 4) | Should -Be 'ftyp'
        [Text.Encoding]::ASCII.GetString($bytes, 28, 4) | Should -Be 'moov'
        (Get-Content "$($mp4.FullName).json" -Raw | ConvertFrom-Json).sha256 | Should -Be (Get-FileHash $mp4.FullName).Hash.ToLowerInvariant()
        @(Get-EmulatorRequest $rehEmu) | Should -HaveCount 0
    }

    It 'keeps the rehearsal''s journal and spend apart from the real ones' {
        $real = & $pwsh -NoProfile -NonInteractive -Command "`$env:SORAPS_CONFIG_HOME = '$rehearsalConfig'; `$env:SORAPS_REHEARSAL = `$null; Import-Module '$module'; @(Get-SoraTask).Count; [decimal] (Get-SoraSpend -Profile real | Measure-Object EstimatedCost -Sum).Sum"
        [int] $real[0] | Should -Be 0
        [decimal] $real[1] | Should -Be 0
        Test-Path (Join-Path $rehearsalConfig 'rehearsal' 'journal') | Should -BeTrue
        @(Get-ChildItem (Join-Path $rehearsalConfig 'journal') -Filter 'tasks-*.jsonl' -ErrorAction SilentlyContinue) | Should -HaveCount 0
    }

    It 'refuses what it does not simulate instead of sending it' {
        $id = & $rehearse "Get-SoraTask -List -First 1 -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null; @(`$e)[0].FullyQualifiedErrorId"
        $id | Should -BeLike 'RehearsalNotSupported*'
    }

    It 'runs examples/Nightly.ps1 unchanged: exit 0, videos saved, the emulator receives nothing' {
        $out = Join-Path $work 'night-rehearsal'
        $txt = Join-Path $work 'night-rehearsal.txt'
        1..5 | ForEach-Object { "night rehearsal $_" } | Set-Content $txt
        $psi = [Diagnostics.ProcessStartInfo]::new((Get-Command env -CommandType Application | Select-Object -First 1).Source)
        foreach ($a in '-i', 'SORAPS_REHEARSAL=1', 'SORAPS_REHEARSAL_SECONDS=1', $pwsh, '-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'examples' 'Nightly.ps1'),
            '-PromptsPath', $txt, '-OutputPath', $out, '-ConfigHome', $rehearsalConfig, '-ModulePath', $module, '-TimeoutSec', '120') { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        $p = [Diagnostics.Process]::Start($psi); $p.BeginOutputReadLine(); $p.BeginErrorReadLine()
        $p.WaitForExit(120000) | Should -BeTrue
        $p.ExitCode | Should -Be 0
        @(Get-ChildItem $out -Filter '*.mp4') | Should -HaveCount 5
        Test-Path (Join-Path $out 'index.html') | Should -BeTrue
        @(Get-EmulatorRequest $rehEmu) | Should -HaveCount 0
    }
}
