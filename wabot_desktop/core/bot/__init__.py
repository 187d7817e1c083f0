"""The bot pipeline: what follows a commit, per-conversation workers that decide, the outbox."""
