"""Qt-free core of WaBot Desktop.

Nothing under this package imports PySide6, qasync or ``wabot_desktop.gui``; a test enforces it.
"""
