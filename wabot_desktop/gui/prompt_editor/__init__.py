"""The prompt editor window (what the bot knows and how it talks)."""

from wabot_desktop.gui.prompt_editor.window import KnowledgeService, PromptEditorWindow

__all__ = ["KnowledgeService", "PromptEditorWindow"]
