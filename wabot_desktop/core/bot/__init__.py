"""The bot pipeline: per-conversation workers that decide, and the outbox sender."""
