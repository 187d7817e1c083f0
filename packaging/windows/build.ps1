# Build the Windows installer: powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs: Python 3.12+ from python.org (the "py" launcher) and Inno Setup 6 (winget install JRSoftware.InnoSetup).
# Output: dist\wabot-desktop\ (bundle) and dist\WaBot-Desktop-<version>-setup.exe.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv-build\Scripts\python.exe)) { py -3.12 -m venv .venv-build }
.venv-build\Scripts\python.exe -m pip install --disable-pip-version-check -q ".[build]"
$version = .venv-build\Scripts\python.exe -c "from importlib.metadata import version; print(version('wabot-desktop'))"

.venv-build\Scripts\pyinstaller.exe --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller build.spec
# The bundle must pass its own checks before it is packed (run from a console: the exe has no window for them).
& dist\wabot-desktop\wabot-desktop.exe --self-test | Out-Host
if ($LASTEXITCODE -ne 0) { throw "self-test of the bundle failed" }

$iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe", "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") |
  Where-Object { Test-Path $_ } | Select-Object -First 1
if (-not $iscc) { throw "Inno Setup 6 not found (winget install JRSoftware.InnoSetup)" }
& $iscc "/DAppVersion=$version" packaging\windows\wabot-desktop.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
Write-Host "installer: dist\WaBot-Desktop-$version-setup.exe"
