; Inno Setup 6 script for WaBot Desktop. Built by packaging/windows/build.ps1 (which passes
; /DAppVersion=<version from pyproject> and expects the PyInstaller bundle in dist\wabot-desktop).
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "WaBot Desktop"
#define AppExe "wabot-desktop.exe"

[Setup]
AppId={{6C7B0F0E-3C1B-4B8E-9F57-2E4C8A1D5B21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=WaBot
DefaultDirName={autopf}\WaBot Desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default (no admin prompt); the user may choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=WaBot-Desktop-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\wabot.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; An upgrade closes the running app first, then installs over it (chats are in the user's
; AppData, never in {app}, and the app migrates them after its own backup on the next start).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "es"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
es.AutoStart=Abrir WaBot Desktop al iniciar Windows
en.AutoStart=Start WaBot Desktop when Windows starts
es.DeleteData=¿Borrar también todos los chats, ajustes y copias de seguridad de WaBot Desktop de este usuario? Esto no se puede deshacer.%n%nElige "No" para conservarlos (recomendado).
en.DeleteData=Also delete all WaBot Desktop chats, settings and backups of this user? This cannot be undone.%n%nChoose "No" to keep them (recommended).

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "autostart"; Description: "{cm:AutoStart}"; Flags: unchecked

[Files]
Source: "..\..\dist\wabot-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; \
  ValueName: "WaBot Desktop"; ValueData: """{app}\{#AppExe}"""; Tasks: autostart; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// User data (platformdirs: %LOCALAPPDATA%\WaBot\wabot-desktop and %APPDATA%\WaBot\wabot-desktop)
// is kept unless the user explicitly asks to delete it. Secrets are in Windows Credential
// Manager and are not touched.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent) then
    if MsgBox(CustomMessage('DeleteData'), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    begin
      DelTree(ExpandConstant('{localappdata}\WaBot\wabot-desktop'), True, True, True);
      DelTree(ExpandConstant('{userappdata}\WaBot\wabot-desktop'), True, True, True);
    end;
end;
