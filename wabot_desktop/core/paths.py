"""Every directory the app uses, from platformdirs, with a ``--data-dir`` override.

With an override, everything (database, logs, media, cache, config) lives below that one folder, so
a test or a second profile never touches the user's real data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from wabot_desktop import APP_ID

_APP_AUTHOR = "WaBot"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Resolved directories of one profile."""

    data_dir: Path
    config_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "wabot.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "wabot.log"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "wabot.lock"

    @property
    def ngrok_dir(self) -> Path:
        return self.config_dir / "ngrok"

    def ensure(self) -> AppPaths:
        """Create every directory (owner-only where the OS supports it) and return self."""
        for path in (self.data_dir, self.config_dir, self.log_dir, self.cache_dir, self.media_dir):
            path.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                path.chmod(0o700)
        return self

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        """Paths for ``data_dir`` if given, else the platform's standard per-user folders."""
        if data_dir is not None:
            root = Path(data_dir).expanduser().resolve()
            return cls(
                data_dir=root,
                config_dir=root / "config",
                log_dir=root / "logs",
                cache_dir=root / "cache",
            )
        dirs = platformdirs.PlatformDirs(APP_ID, _APP_AUTHOR, ensure_exists=False)
        return cls(
            data_dir=Path(dirs.user_data_dir),
            config_dir=Path(dirs.user_config_dir),
            log_dir=Path(dirs.user_log_dir),
            cache_dir=Path(dirs.user_cache_dir),
        )
