"""Light and dark colours: follow the system, and the palette the painted views use.

Widgets take their colours from the application palette. The chat list and the bubbles are
painted by delegates, so their WhatsApp-like colours live here, in one place per scheme.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from wabot_desktop.core.dto import ConversationMode

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatColors:
    """Colours of the painted chat views for one scheme."""

    dark: bool
    background: QColor  # conversation background
    customer_bubble: QColor
    bot_bubble: QColor
    staff_bubble: QColor
    system_bubble: QColor
    text: QColor
    muted: QColor
    bot_name: QColor
    staff_name: QColor
    quote_bar: QColor
    quote_background: QColor
    card_background: QColor
    link: QColor
    tick: QColor
    tick_read: QColor
    failed: QColor
    accent: QColor  # WhatsApp green: badges, selection stripe
    badge_text: QColor
    needs_human: QColor
    needs_human_background: QColor
    staff_chip: QColor
    bot_chip: QColor
    selection: QColor
    hover: QColor
    separator: QColor


LIGHT = ChatColors(
    dark=False,
    background=QColor("#efeae2"),
    customer_bubble=QColor("#ffffff"),
    bot_bubble=QColor("#d9fdd3"),
    staff_bubble=QColor("#d6ecff"),
    system_bubble=QColor("#fff3c4"),
    text=QColor("#111b21"),
    muted=QColor("#667781"),
    bot_name=QColor("#1a7f4b"),
    staff_name=QColor("#1d5fa8"),
    quote_bar=QColor("#06cf9c"),
    quote_background=QColor(0, 0, 0, 18),
    card_background=QColor(0, 0, 0, 14),
    link=QColor("#027eb5"),
    tick=QColor("#667781"),
    tick_read=QColor("#0b93e8"),
    failed=QColor("#d93025"),
    accent=QColor("#1fa855"),
    badge_text=QColor("#ffffff"),
    needs_human=QColor("#c2410c"),
    needs_human_background=QColor("#fff1e6"),
    staff_chip=QColor("#1d5fa8"),
    bot_chip=QColor("#1a7f4b"),
    selection=QColor("#e3e7ea"),
    hover=QColor("#f2f4f5"),
    separator=QColor("#e9edef"),
)

DARK = ChatColors(
    dark=True,
    background=QColor("#0b141a"),
    customer_bubble=QColor("#202c33"),
    bot_bubble=QColor("#005c4b"),
    staff_bubble=QColor("#1f3f66"),
    system_bubble=QColor("#3b3520"),
    text=QColor("#e9edef"),
    muted=QColor("#8696a0"),
    bot_name=QColor("#6fdfa5"),
    staff_name=QColor("#8cc4ff"),
    quote_bar=QColor("#06cf9c"),
    quote_background=QColor(255, 255, 255, 22),
    card_background=QColor(255, 255, 255, 18),
    link=QColor("#53bdeb"),
    tick=QColor("#8696a0"),
    tick_read=QColor("#53bdeb"),
    failed=QColor("#ff6b5e"),
    accent=QColor("#21c063"),
    badge_text=QColor("#0b141a"),
    needs_human=QColor("#ff9a52"),
    needs_human_background=QColor("#3a2615"),
    staff_chip=QColor("#8cc4ff"),
    bot_chip=QColor("#6fdfa5"),
    selection=QColor("#2a3942"),
    hover=QColor("#202c33"),
    separator=QColor("#222d34"),
)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the (application) palette has a dark window colour."""
    pal = palette if palette is not None else QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def chat_colors(palette: QPalette | None = None) -> ChatColors:
    """The painted views' colours for the current scheme."""
    return DARK if is_dark(palette) else LIGHT


def dark_palette() -> QPalette:
    """A dark Fusion palette for platforms whose theme does not provide one."""
    pal = QPalette()
    window = QColor("#111b21")
    base = QColor("#0b141a")
    text = QColor("#e9edef")
    disabled = QColor("#6b7780")
    pal.setColor(QPalette.ColorRole.Window, window)
    pal.setColor(QPalette.ColorRole.WindowText, text)
    pal.setColor(QPalette.ColorRole.Base, base)
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#1a252c"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#202c33"))
    pal.setColor(QPalette.ColorRole.ToolTipText, text)
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8696a0"))
    pal.setColor(QPalette.ColorRole.Text, text)
    pal.setColor(QPalette.ColorRole.Button, QColor("#202c33"))
    pal.setColor(QPalette.ColorRole.ButtonText, text)
    pal.setColor(QPalette.ColorRole.BrightText, QColor("#ff6b5e"))
    pal.setColor(QPalette.ColorRole.Light, QColor("#2a3942"))
    pal.setColor(QPalette.ColorRole.Midlight, QColor("#23313a"))
    pal.setColor(QPalette.ColorRole.Mid, QColor("#1a252c"))
    pal.setColor(QPalette.ColorRole.Dark, QColor("#0b141a"))
    pal.setColor(QPalette.ColorRole.Shadow, QColor("#000000"))
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#00a884"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.Link, QColor("#53bdeb"))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return pal


def light_palette() -> QPalette:
    """Fusion's standard light palette."""
    return QApplication.style().standardPalette()


def apply_theme(app: QApplication, scheme: str = "system") -> None:
    """Use ``scheme`` ("system", "light" or "dark") for the whole application.

    With "system" the platform decides. When it reports a dark scheme but its palette stays light
    (Fusion on some Linux desktops), our dark palette fills in.
    """
    if scheme == "system":
        system = QGuiApplication.styleHints().colorScheme()
        if system == Qt.ColorScheme.Dark:
            scheme = "dark"
        elif is_dark(app.palette()):
            scheme = "light"  # the system went back to light after we set our dark palette
        else:
            return  # light already: keep the platform's own palette
    app.setPalette(dark_palette() if scheme == "dark" else light_palette())
    logger.debug("theme %s applied", scheme)


def follow_system(app: QApplication) -> None:
    """Re-apply the theme whenever the system switches between light and dark."""
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.connect(lambda _scheme: apply_theme(app, "system"))


def stylesheet(palette: QPalette | None = None) -> str:
    """The few styled widgets: chips, banners, the primary and pause buttons, the mode pill."""
    c = chat_colors(palette)
    warn_bg = "#fff4d6" if not c.dark else "#3b3218"
    warn_fg = "#6b4e00" if not c.dark else "#ffd98a"
    chip_bg = "#eef1f3" if not c.dark else "#202c33"
    chip_fg = "#3b4a54" if not c.dark else "#d1d7db"
    chip_on_bg = "#d9fdd3" if not c.dark else "#005c4b"
    chip_on_fg = "#0b5e33" if not c.dark else "#e9edef"
    header_bg = "#f0f2f5" if not c.dark else "#202c33"
    return f"""
QToolButton[objectName^="filter_"] {{
    background: {chip_bg}; color: {chip_fg}; border: none; border-radius: 12px;
    padding: 4px 10px;
}}
QToolButton[objectName^="filter_"]:checked {{
    background: {chip_on_bg}; color: {chip_on_fg}; font-weight: 600;
}}
QToolButton#filter_needs_human[alert="true"] {{ color: {c.needs_human.name()}; font-weight: 600; }}
QToolButton#filter_needs_human[alert="true"]:checked {{ background: {c.needs_human.name()};
    color: #ffffff; }}
QListView#messageList {{ background: {c.background.name()}; border: none; }}
QFrame#conversationHeader {{ background: {header_bg}; border: none; }}
QPushButton#takeOverButton {{
    background: {c.accent.name()}; color: #ffffff; border: none; border-radius: 6px;
    padding: 6px 14px; font-weight: 600;
}}
QPushButton#takeOverButton:disabled {{ background: {c.muted.name()}; }}
QPushButton#handBackButton {{ border-radius: 6px; padding: 6px 12px; }}
QLabel#modePill {{ border-radius: 10px; padding: 3px 10px; font-weight: 600;
    color: {c.bot_chip.name()}; border: 1px solid {c.bot_chip.name()}; }}
QLabel#modePill[mode="{ConversationMode.HUMAN.value}"] {{ color: {c.staff_chip.name()};
    border: 1px solid {c.staff_chip.name()}; }}
QLabel#modePill[mode="{ConversationMode.NEEDS_HUMAN.value}"] {{ color: #ffffff;
    background: {c.needs_human.name()}; border: 1px solid {c.needs_human.name()}; }}
QFrame#needsHumanBanner {{ background: {c.needs_human_background.name()};
    border-left: 4px solid {c.needs_human.name()}; }}
QLabel#needsHumanLabel {{ color: {c.needs_human.name()}; font-weight: 600; }}
QFrame#windowBanner, QFrame#pauseBanner {{ background: {warn_bg}; border: none;
    border-radius: 6px; }}
QFrame#windowBanner QLabel, QFrame#pauseBanner QLabel {{ color: {warn_fg}; }}
QFrame#shopBanner {{ background: {c.needs_human_background.name()}; border: none;
    border-left: 4px solid {c.needs_human.name()}; border-radius: 4px; }}
QLabel#shopBannerLabel {{ color: {c.needs_human.name()}; font-weight: 600; }}
QLabel#shopTlsWarning {{ color: {warn_fg}; background: {warn_bg}; border-radius: 4px;
    padding: 4px 6px; }}
QLabel#shopResultLabel[level="error"] {{ color: {c.failed.name()}; font-weight: 600; }}
QLabel#shopResultLabel[level="ok"] {{ color: {c.bot_chip.name()}; font-weight: 600; }}
QFrame#replyBanner {{ background: {c.quote_background.name(QColor.NameFormat.HexArgb)};
    border-left: 4px solid {c.quote_bar.name()}; border-radius: 4px; }}
QLabel#composerHint {{ color: {c.muted.name()}; }}
QToolButton#pauseButton {{ border-radius: 14px; padding: 5px 14px; font-weight: 600;
    background: {chip_bg}; color: {chip_fg}; }}
QToolButton#pauseButton:checked {{ background: #f0a500; color: #1f1600; }}
QLabel#helpText {{ color: {c.muted.name()}; }}
QPushButton#deleteCustomerData {{ color: {c.failed.name()}; }}
QToolButton#emojiButton::menu-indicator, QToolButton#quickRepliesButton::menu-indicator {{
    image: none; width: 0px; }}
QToolButton#quickRepliesButton {{ font-weight: 700; font-size: 15px; padding: 2px 8px; }}
QLabel#emptyBody, QLabel#chatCount, QLabel#conversationSubtitle {{ color: {c.muted.name()}; }}
"""
