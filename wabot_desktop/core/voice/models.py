"""Which Whisper model transcribes voice notes, and getting it onto the PC.

The ``voice_model`` setting is a model name (``small`` by default: good Spanish on a normal PC;
``base`` for a weak PC; ``large-v3-turbo`` for a strong one), a folder holding a CTranslate2
Whisper model (``model.bin``, ``config.json``, ``tokenizer.json``, ``vocabulary.*``: the offline
install), or ``off``. Named models are downloaded once through huggingface_hub into the app's
models folder, with progress and cancel (:func:`download_model`); nothing is downloaded at
start-up.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

OFF = "off"
DEFAULT_MODEL = "small"
# Name -> Hugging Face repository of the CTranslate2 conversion (as faster-whisper 1.2 uses).
MODEL_REPOS = {
    "base": "Systran/faster-whisper-base",
    "small": "Systran/faster-whisper-small",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}
MODEL_CHOICES = tuple(MODEL_REPOS)
# Files faster-whisper needs (the same patterns as faster_whisper.utils.download_model).
_ALLOW_PATTERNS = [
    "config.json",
    "preprocessor_config.json",
    "model.bin",
    "tokenizer.json",
    "vocabulary.*",
]
_GIB = 1024**3
_MIB = 1024**2
# About how much each named model downloads and uses while transcribing (faster-whisper int8 on
# CPU; the download sizes are the repositories' model.bin).
MODEL_DOWNLOAD_BYTES = {"base": 145 * _MIB, "small": 484 * _MIB, "large-v3-turbo": 1620 * _MIB}
MODEL_RAM_BYTES = {"base": 300 * _MIB, "small": 600 * _MIB, "large-v3-turbo": 1600 * _MIB}


class ModelUnavailableError(Exception):
    """No usable model: no faster-whisper, a folder that is not a model, or a failed download."""


class ModelDownloadCancelled(ModelUnavailableError):  # noqa: N818 - reads as what happened
    """The owner cancelled the download."""


def total_ram_bytes() -> int | None:
    """Physical memory of this PC, or None if the platform does not say."""
    if sys.platform == "win32":
        import ctypes

        class _MemoryStatus(ctypes.Structure):
            _fields_ = [
                ("dwLength", ctypes.c_ulong),
                ("dwMemoryLoad", ctypes.c_ulong),
                ("ullTotalPhys", ctypes.c_ulonglong),
                ("ullAvailPhys", ctypes.c_ulonglong),
                ("ullTotalPageFile", ctypes.c_ulonglong),
                ("ullAvailPageFile", ctypes.c_ulonglong),
                ("ullTotalVirtual", ctypes.c_ulonglong),
                ("ullAvailVirtual", ctypes.c_ulonglong),
                ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
            ]

        status = _MemoryStatus()
        status.dwLength = ctypes.sizeof(_MemoryStatus)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined,unused-ignore]
            return int(status.ullTotalPhys)
        return None
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def recommend_model(ram_bytes: int | None) -> str:
    """The model for a PC with this much memory (like the LLM's recommendation).

    Under 6 GB: ``base`` (about 0.3 GB while transcribing, leaves room for the LLM); 6 to 16 GB:
    ``small`` (about 0.6 GB, good Spanish); 16 GB or more: ``large-v3-turbo`` (about 1.6 GB).
    Unknown memory: the default, ``small``.
    """
    if ram_bytes is None:
        return DEFAULT_MODEL
    if ram_bytes < 6 * _GIB:
        return "base"
    if ram_bytes < 16 * _GIB:
        return "small"
    return "large-v3-turbo"


def faster_whisper_available() -> bool:
    try:
        import faster_whisper  # noqa: F401
    except Exception:  # not installed, or a broken native library: the feature is off
        return False
    return True


def is_model_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where a model is: a folder on disk, or a name still to download."""

    setting: str
    path: Path | None  # a ready model folder
    name: str | None  # a known name whose folder is not there yet


def resolve_model(setting: str, models_dir: Path) -> ModelSource | None:
    """What the ``voice_model`` setting points at; None when voice notes are off.

    Raises:
        ModelUnavailableError: neither a known name nor a model folder.
    """
    value = setting.strip()
    if not value or value.lower() == OFF:
        return None
    if value in MODEL_REPOS:
        folder = models_dir / value
        return ModelSource(value, folder if is_model_dir(folder) else None, value)
    path = Path(value).expanduser()
    if is_model_dir(path):
        return ModelSource(value, path, None)
    raise ModelUnavailableError(
        f"voice model {value!r} is neither one of {', '.join(MODEL_CHOICES)} nor a model folder"
    )


@dataclass(frozen=True, slots=True)
class VoiceModelInfo:
    """A named model as the settings and the wizard list it."""

    name: str
    download_bytes: int  # about
    ram_bytes: int  # about, while transcribing
    downloaded: bool


def model_infos(models_dir: Path) -> list[VoiceModelInfo]:
    """The named models, smallest first, with whether each is already on this PC."""
    return [
        VoiceModelInfo(
            name=name,
            download_bytes=MODEL_DOWNLOAD_BYTES[name],
            ram_bytes=MODEL_RAM_BYTES[name],
            downloaded=is_model_dir(models_dir / name),
        )
        for name in MODEL_CHOICES
    ]


Progress = Callable[[int, int | None], None]  # bytes done, bytes in total (None: unknown)


_TRANSFER_BAR = "Downloading bytes"


def _progress_class(
    progress: Progress | None,
    cancel: threading.Event | None,
    totals: dict[int, tuple[int, int | None]],
) -> type[Any]:
    """A tqdm class for huggingface_hub that reports bytes and stops on ``cancel``.

    ``totals`` collects (done, total) per progress bar.
    """
    from tqdm.auto import tqdm

    lock = threading.Lock()

    class _Report(tqdm):  # type: ignore[misc,unused-ignore]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True  # no terminal output; we report through ``progress``
            super().__init__(*args, **kwargs)
            # Bytes written to disk only: huggingface_hub 1.x+ also has a network "transfer" bar
            # over the same files (its total is a guess that grows), which would count twice.
            self._bytes = kwargs.get("unit") == "B" and kwargs.get("desc") != _TRANSFER_BAR

        def update(self, n: float | None = 1) -> bool | None:
            if cancel is not None and cancel.is_set():
                raise ModelDownloadCancelled("download cancelled")
            self.n += n or 0
            if self._bytes and progress is not None:
                with lock:
                    totals[id(self)] = (int(self.n), int(self.total) if self.total else None)
                    done = sum(d for d, _ in totals.values())
                    sizes = [t for _, t in totals.values()]
                    total = None if any(t is None for t in sizes) else sum(s or 0 for s in sizes)
                progress(done, total)
            return None

    return _Report


def download_model(
    name: str,
    models_dir: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
) -> Path:
    """Download model ``name`` into ``models_dir/name`` (blocking: run it on a worker thread).

    ``progress`` is called with bytes done/total; setting ``cancel`` stops the download (the
    partial files stay for huggingface_hub to resume). ``endpoint`` replaces huggingface.co.

    Raises:
        ModelDownloadCancelled: ``cancel`` was set.
        ModelUnavailableError: unknown name, no network, or the files are not a model.
    """
    repo = MODEL_REPOS.get(name)
    if repo is None:
        raise ModelUnavailableError(f"unknown voice model {name!r}")
    try:
        import huggingface_hub
    except Exception as exc:
        raise ModelUnavailableError("huggingface_hub is not installed") from exc
    if cancel is not None and cancel.is_set():
        raise ModelDownloadCancelled("download cancelled")
    target = models_dir / name
    target.mkdir(parents=True, exist_ok=True)
    logger.info("downloading voice model %s from %s", name, endpoint or "huggingface.co")
    totals: dict[int, tuple[int, int | None]] = {}
    try:
        huggingface_hub.snapshot_download(
            repo,
            local_dir=target,
            allow_patterns=_ALLOW_PATTERNS,
            tqdm_class=_progress_class(progress, cancel, totals),
            endpoint=endpoint,
            etag_timeout=15,
        )
    except ModelDownloadCancelled:
        logger.info("voice model download cancelled")
        raise
    except Exception as exc:  # network, disk, hub errors: one clean error for the caller
        raise ModelUnavailableError(
            f"could not download voice model {name}: {type(exc).__name__}"
        ) from exc
    if cancel is not None and cancel.is_set():
        raise ModelDownloadCancelled("download cancelled")
    if not is_model_dir(target):
        raise ModelUnavailableError(f"downloaded voice model {name} is incomplete")
    sizes = [t for _, t in totals.values()]
    if progress is not None and sizes and None not in sizes:
        # A resumed download never reports the bytes it already had: end at 100 %.
        total = sum(s or 0 for s in sizes)
        progress(total, total)
    logger.info("voice model %s ready in %s", name, target)
    return target
