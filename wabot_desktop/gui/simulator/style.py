"""Colours of the simulator's widgets: the banner, the phone pane and the Ollama notice."""

from __future__ import annotations

from PySide6.QtGui import QPalette

from wabot_desktop.gui.theme import chat_colors


def simulator_stylesheet(palette: QPalette | None = None) -> str:
    """Style sheet rules for the simulator banner and the phone pane (light or dark)."""
    c = chat_colors(palette)
    info_bg = "#e3f1fd" if not c.dark else "#15324a"
    info_fg = "#0b3d66" if not c.dark else "#cfe6ff"
    info_edge = "#1d6fb8" if not c.dark else "#5aa9ff"
    notice_bg = "#fff4d6" if not c.dark else "#3b3218"
    notice_fg = "#5c4300" if not c.dark else "#ffd98a"
    pane_bg = "#f0f2f5" if not c.dark else "#111b21"
    header_bg = "#008069" if not c.dark else "#202c33"
    composer_bg = "#f0f2f5" if not c.dark else "#202c33"
    edit_bg = "#ffffff" if not c.dark else "#2a3942"
    return f"""
QFrame#simulatorBanner {{ background: {info_bg}; border: none;
    border-left: 4px solid {info_edge}; border-radius: 6px; }}
QFrame#simulatorBanner QLabel {{ color: {info_fg}; }}
QLabel#simulatorTitle {{ font-weight: 700; }}
QToolButton#modeButton {{ border-radius: 14px; padding: 5px 24px 5px 12px; font-weight: 600; }}
QToolButton#modeButton::menu-indicator {{ subcontrol-origin: padding;
    subcontrol-position: center right; right: 8px; }}
QToolButton#appMenuButton {{ padding: 5px 22px 5px 8px; }}
QToolButton#appMenuButton::menu-indicator {{ subcontrol-origin: padding;
    subcontrol-position: center right; right: 6px; }}
QToolButton#modeButton[simulator="true"] {{ background: {info_bg}; color: {info_fg};
    border: 1px solid {info_edge}; }}
QFrame#phonePane {{ background: {pane_bg}; border: none;
    border-left: 1px solid {c.separator.name()}; }}
QFrame#phoneFrame {{ border: 1px solid {c.separator.name()}; border-radius: 10px;
    background: {c.background.name()}; }}
QFrame#phoneHeader {{ background: {header_bg}; border: none;
    border-top-left-radius: 10px; border-top-right-radius: 10px; }}
QFrame#phoneHeader QLabel, QFrame#phoneBusinessName {{ color: #ffffff; }}
QLabel#phonePresence {{ color: #d9fdd3; }}
QLabel#phonePresence[typing="true"] {{ color: #ffffff; font-style: italic; font-weight: 600; }}
QListView#phoneMessageList {{ background: {c.background.name()}; border: none; }}
QFrame#phoneComposer {{ background: {composer_bg}; border: none;
    border-bottom-left-radius: 10px; border-bottom-right-radius: 10px; }}
QLineEdit#phoneEdit {{ background: {edit_bg}; color: {c.text.name()}; border: none;
    border-radius: 16px; padding: 6px 12px; }}
QToolButton#attachButton {{ font-size: 18px; font-weight: 700; color: {c.muted.name()};
    padding: 0px 6px; }}
QToolButton#attachButton::menu-indicator {{ image: none; width: 0px; }}
QLabel#phoneError {{ color: {c.failed.name()}; background: {c.background.name()}; }}
QFrame#llmNotice {{ background: {notice_bg}; border: none; border-radius: 6px; }}
QLabel#llmNoticeLabel {{ color: {notice_fg}; }}
"""
