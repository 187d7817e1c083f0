"""Save the wizard's Meta-app page, with its checks, at 200 % scaling (run by the tests).

Usage: ``QT_SCALE_FACTOR=2 python -m tests.gui.wizard_scaled_screenshot OUT.png TMP_DIR``. The
checks are the ones the step reports for a temporary token and a number without registration
(built here, so no server is needed); the page renders them exactly as after a real check.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from wabot_desktop.core.secrets import MemorySecretStore  # noqa: E402
from wabot_desktop.core.setup_flow import (  # noqa: E402
    CheckResult,
    Exchange,
    SetupFlow,
    Status,
    StepId,
    StepResult,
    Text,
)
from wabot_desktop.gui import i18n, theme  # noqa: E402
from wabot_desktop.gui.event_loop import new_event_loop  # noqa: E402
from wabot_desktop.gui.wizard import SetupWizard  # noqa: E402


def sample_meta_result() -> StepResult:
    return StepResult(
        StepId.META_APP,
        (
            CheckResult(
                "token",
                Status.WARNING,
                Text(
                    "Este token es temporal: vence en menos de 24 horas y el bot dejará de "
                    "responder.",
                    "This token is temporary.",
                ),
                Text(
                    "Crea un token permanente: Configuración del negocio > Usuarios del sistema "
                    "> Agregar > Generar token, sin vencimiento. Pégalo aquí.",
                    "Create a permanent token.",
                ),
                (Exchange("GET", "https://graph.facebook.com/v25.0/debug_token?input_token=***"),),
                "https://business.facebook.com/settings/system-users",
            ),
            CheckResult(
                "phone",
                Status.OK,
                Text(
                    "Número +1 555-010-1234 (Ferretería Don Pepe), calidad GREEN, verificación "
                    "VERIFIED.",
                    "Number ok.",
                ),
            ),
            CheckResult(
                "register",
                Status.ERROR,
                Text(
                    "El número no está registrado en la API de Meta y no puede recibir ni enviar "
                    "mensajes.",
                    "Not registered.",
                ),
                Text(
                    "Elige un PIN de 6 dígitos y verifica de nuevo. Meta permite solo 10 "
                    "intentos cada 72 horas.",
                    "Choose a PIN.",
                ),
            ),
        ),
    )


async def shoot(out: Path, tmp: Path) -> None:
    async def save(_values: dict[str, Any]) -> None:
        return None

    flow = SetupFlow(
        secrets=MemorySecretStore(),
        save_settings=save,
        ngrok_path=tmp / "bin" / "ngrok",
        ngrok_config=tmp / "ngrok.yml",
        keyring_usable=lambda: True,
    )
    wizard = SetupWizard(flow, start_at=StepId.META_APP, language="es")
    wizard.resize(1366, 768)
    wizard.show()
    wizard.pages[StepId.META_APP].show_result(sample_meta_result())
    for _ in range(15):
        await asyncio.sleep(0.03)
    if not wizard.grab().save(str(out)):
        raise SystemExit(f"could not save {out}")
    wizard.reject()
    await flow.aclose()


def main() -> int:
    out, tmp = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    theme.apply_theme(app, "light")
    translators = i18n.Translators()
    translators.install(i18n.SPANISH)
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(out, tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
