"""The live chat monitor: chat list, conversation, composer and contact panel."""
