"""The "Connect to the shop" page: make this PC a staff PC of the shop's server (issue 16).

A staff PC shows the chats of the shop's PostgreSQL server and lets staff take them over and
answer; the bot runs on the server (``serve``), never here. The page asks for the server, port,
database, user and password (the password goes to the keyring only), with TLS on by default: it
can be unticked only after a warning. "Test connection" tries it without changing anything and
says in plain words what is wrong; "Connect" switches the running app at once (no restart) and
is remembered across restarts; "Run the bot on this PC" goes back.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wabot_desktop.core.errors import KeyringUnavailableError
from wabot_desktop.core.session import (
    SessionMode,
    ShopConnection,
    ShopConnectionError,
    ShopInfo,
)
from wabot_desktop.gui.actions import confirm
from wabot_desktop.gui.errors import error_message
from wabot_desktop.gui.tasks import TaskOwner

logger = logging.getLogger(__name__)

DEFAULT_PORT = 5432


def shop_error_text(exc: BaseException) -> str:
    """A sentence for the owner; lupdate sees every literal here."""
    if isinstance(exc, KeyringUnavailableError):
        return error_message(exc)
    if not isinstance(exc, ShopConnectionError):
        logger.error("shop connection failed", exc_info=exc)
        return error_message(exc)
    code = exc.code
    if code == "shop_wrong_password":
        return QCoreApplication.translate(
            "ShopPage", "The server refused the user or the password. Check both and try again."
        )
    if code == "shop_unreachable":
        return QCoreApplication.translate(
            "ShopPage",
            "The server does not answer. Check the address and the port, that the server is "
            "on, and that this PC is connected to the shop's network.",
        )
    if code == "shop_database_missing":
        return QCoreApplication.translate(
            "ShopPage",
            "The server has no database with that name. Check the name with whoever set up "
            "the server.",
        )
    if code == "shop_tls_refused":
        return QCoreApplication.translate(
            "ShopPage",
            "The server does not accept encrypted connections (TLS). Turn TLS on in the "
            "server's PostgreSQL, or, only inside a trusted shop network, untick “Encrypt "
            "the connection”.",
        )
    if code == "shop_not_allowed":
        return QCoreApplication.translate(
            "ShopPage",
            "The server does not let this PC in (its pg_hba.conf). Ask whoever set up the "
            "server to allow this PC's address.",
        )
    if code == "shop_not_wabot":
        return QCoreApplication.translate(
            "ShopPage",
            "That database has no WaBot data yet. Start WaBot on the server first "
            "(“wabot-desktop serve --database-url …”).",
        )
    if code == "shop_schema_old":
        return QCoreApplication.translate(
            "ShopPage",
            "The shop's server runs an older version of WaBot. Update WaBot on the server "
            "first, then connect again.",
        )
    if code == "shop_schema_new":
        return QCoreApplication.translate(
            "ShopPage",
            "The shop's server runs a newer version of WaBot. Update WaBot on this PC, then "
            "connect again.",
        )
    if code == "shop_incomplete":
        return QCoreApplication.translate(
            "ShopPage", "Fill in the server, the port, the database and the user."
        )
    if code == "shop_no_password":
        return QCoreApplication.translate("ShopPage", "Enter the database password.")
    return QCoreApplication.translate(
        "ShopPage", "The connection failed ({detail}). The details are in WaBot's log file."
    ).format(detail=exc.detail or code)


class ShopControl(Protocol):
    """What the page asks of the session (``core.session.Session`` satisfies it)."""

    @property
    def shop(self) -> ShopConnection | None: ...

    @property
    def shop_label(self) -> str | None: ...

    async def shop_password_stored(self) -> bool: ...

    async def test_shop_connection(
        self, shop: ShopConnection, password: str | None = ...
    ) -> ShopInfo: ...

    async def connect_to_shop(
        self, shop: ShopConnection, password: str | None = ...
    ) -> ShopInfo: ...

    async def run_bot_here(self) -> SessionMode: ...


class ShopPage(QWidget):
    """Settings page of the staff-PC mode.

    Signals:
        switched(): the app now runs in another mode (connected, or back to its own bot).
    """

    switched = Signal()

    def __init__(self, control: ShopControl, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopPage")
        self._control = control
        self._tasks = TaskOwner("shop-page")
        self._password_stored = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Use this PC as a staff PC: it shows the chats of your shop's server, and you "
                "take them over and answer from here. The bot keeps answering on the server; "
                "this PC runs no bot, no webhook and no tunnel of its own."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("shopStateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.state_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.host_edit = QLineEdit(self)
        self.host_edit.setObjectName("shopHost")
        self.host_edit.setPlaceholderText(self.tr("For example: 192.168.1.20 or server.local"))
        form.addRow(self.tr("Server:"), self.host_edit)
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("shopPort")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        form.addRow(self.tr("Port:"), self.port_spin)
        self.database_edit = QLineEdit(self)
        self.database_edit.setObjectName("shopDatabase")
        self.database_edit.setPlaceholderText("wabot")
        form.addRow(self.tr("Database:"), self.database_edit)
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("shopUser")
        form.addRow(self.tr("User:"), self.user_edit)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("shopPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Password:"), self.password_edit)
        password_help = QLabel(
            self.tr("Kept in this PC's secure password store, never in a file."), self
        )
        password_help.setWordWrap(True)
        form.addRow("", password_help)
        self.tls_check = QCheckBox(self.tr("Encrypt the connection (TLS)"), self)
        self.tls_check.setObjectName("shopTls")
        self.tls_check.setChecked(True)
        form.addRow("", self.tls_check)
        self.tls_warning = QLabel(
            self.tr(
                "Without encryption, the chats and the password travel readable over the "
                "network. Use it only inside your shop's own trusted network."
            ),
            self,
        )
        self.tls_warning.setObjectName("shopTlsWarning")
        self.tls_warning.setWordWrap(True)
        self.tls_warning.setProperty("level", "warn")
        self.tls_warning.hide()
        form.addRow("", self.tls_warning)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setObjectName("shopTestButton")
        self.connect_button = QPushButton(self.tr("Connect to the shop"), self)
        self.connect_button.setObjectName("shopConnectButton")
        self.local_button = QPushButton(self.tr("Run the bot on this PC"), self)
        self.local_button.setObjectName("shopLocalButton")
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.connect_button)
        buttons.addStretch(1)
        buttons.addWidget(self.local_button)
        layout.addLayout(buttons)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("shopResultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

        self.tls_check.toggled.connect(self._on_tls_toggled)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.connect_button.clicked.connect(self._on_connect_clicked)
        self.local_button.clicked.connect(self._on_local_clicked)
        self._controls: list[QWidget] = [
            self.test_button,
            self.connect_button,
            self.local_button,
        ]

    # -- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        """Show the saved connection (never the password) and whether this PC is connected."""
        shop = self._control.shop
        if shop is not None:
            self.host_edit.setText(shop.host)
            self.port_spin.setValue(shop.port)
            self.database_edit.setText(shop.database)
            self.user_edit.setText(shop.user)
            self.tls_check.blockSignals(True)
            self.tls_check.setChecked(shop.tls)
            self.tls_check.blockSignals(False)
            self.tls_warning.setVisible(not shop.tls)
        self._show_state()
        self._tasks.spawn(self._load_password_state(), name="shop-password")

    async def _load_password_state(self) -> None:
        self._password_stored = await self._control.shop_password_stored()
        self.password_edit.setPlaceholderText(
            self.tr("Stored in the password store (type to change it)")
            if self._password_stored
            else ""
        )

    def _show_state(self) -> None:
        label = self._control.shop_label
        if label:
            self.state_label.setText(self.tr("Connected to the shop: {where}").format(where=label))
            self.connect_button.setText(self.tr("Connect again"))
        else:
            self.state_label.setText(
                self.tr("This PC runs the bot itself (it is not connected to a shop's server).")
            )
            self.connect_button.setText(self.tr("Connect to the shop"))
        self.local_button.setVisible(bool(label) or self._control.shop is not None)

    def connection(self) -> ShopConnection:
        return ShopConnection(
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip(),
            tls=self.tls_check.isChecked(),
        )

    def _password(self) -> str | None:
        # Empty: the stored one (the field never shows it).
        return self.password_edit.text() or None

    # -- TLS -----------------------------------------------------------------------------------

    def _on_tls_toggled(self, checked: bool) -> None:
        if checked:
            self.tls_warning.hide()
            return
        self._tasks.spawn(self._confirm_no_tls(), name="shop-no-tls")

    async def _confirm_no_tls(self) -> None:
        accepted = await confirm(
            self,
            title=self.tr("Connect without encryption?"),
            text=self.tr(
                "Without TLS, anyone on the network between this PC and the server can read "
                "the chats and the database password."
            ),
            informative=self.tr(
                "Do it only inside your shop's own network, and only if the server cannot "
                "offer TLS."
            ),
            accept_text=self.tr("Turn encryption off"),
            cancel_text=self.tr("Keep encryption"),
            destructive=True,
        )
        if accepted:
            self.tls_warning.show()
        else:
            self.tls_check.blockSignals(True)
            self.tls_check.setChecked(True)
            self.tls_check.blockSignals(False)

    # -- actions -------------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        for control in self._controls:
            control.setEnabled(not busy)

    def _on_test_clicked(self) -> None:
        self._tasks.spawn(self.test_connection(), name="shop-test")

    def _on_connect_clicked(self) -> None:
        self._tasks.spawn(self.connect_shop(), name="shop-connect")

    def _on_local_clicked(self) -> None:
        self._tasks.spawn(self.run_bot_here(), name="shop-local")

    async def test_connection(self) -> bool:
        """Try the connection as typed; True when the shop server can be used."""
        self._busy(True)
        self.result_label.setText(self.tr("Testing the connection…"))
        try:
            info = await self._control.test_shop_connection(self.connection(), self._password())
        except Exception as exc:
            self._show_error(exc)
            return False
        finally:
            self._busy(False)
        self._show_success(info)
        return True

    async def connect_shop(self) -> bool:
        """Connect ("Connect"): switch this PC to the shop's server now (and at every start)."""
        self._busy(True)
        self.result_label.setText(self.tr("Connecting to the shop's server…"))
        try:
            await self._control.connect_to_shop(self.connection(), self._password())
        except Exception as exc:
            self._show_error(exc)
            return False
        finally:
            self._busy(False)
        self.password_edit.clear()
        self._show_state()
        self.result_label.setText(self.tr("Connected. The chats you see now are the shop's."))
        self.switched.emit()
        return True

    async def run_bot_here(self) -> bool:
        """Back to "this PC runs the bot": forget the shop connection and its password."""
        accepted = await confirm(
            self,
            title=self.tr("Run the bot on this PC?"),
            text=self.tr(
                "This PC stops showing the shop's chats and runs its own bot again (with this "
                "PC's WhatsApp connection, or in practice mode)."
            ),
            informative=self.tr(
                "The shop's server keeps answering its customers. The saved connection and its "
                "password are removed from this PC."
            ),
            accept_text=self.tr("Run the bot here"),
            cancel_text=self.tr("Cancel"),
        )
        if not accepted:
            return False
        self._busy(True)
        try:
            await self._control.run_bot_here()
        except Exception as exc:
            self._show_error(exc)
            return False
        finally:
            self._busy(False)
        self._show_state()
        self.result_label.setText(self.tr("This PC runs the bot again."))
        self.switched.emit()
        return True

    # -- results -------------------------------------------------------------------------------

    def _show_success(self, info: ShopInfo) -> None:
        tls = (
            self.tr("The connection is encrypted (TLS).")
            if info.tls
            else self.tr("The connection is not encrypted.")
        )
        self.result_label.setProperty("level", "ok")
        self.result_label.setText(
            self.tr("The connection works: PostgreSQL {version}, {count} chats. {tls}").format(
                version=info.server_version, count=info.conversations, tls=tls
            )
        )
        self._repolish()

    def _show_error(self, exc: BaseException) -> None:
        self.result_label.setProperty("level", "error")
        self.result_label.setText(self.error_text(exc))
        self._repolish()

    def _repolish(self) -> None:
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)

    def error_text(self, exc: BaseException) -> str:
        """A sentence for the owner (see :func:`shop_error_text`)."""
        return shop_error_text(exc)

    def close_page(self) -> None:
        self._tasks.close()
