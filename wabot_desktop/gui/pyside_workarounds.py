"""WORKAROUND: PySide6 6.12.0 drops references to ``True``, ``False`` and ``None``.

Measured on this stack (PySide6/shiboken6 6.12.0, CPython 3.11): every ``Signal.emit()`` called
from Python loses one reference to the bool it returns, and every invalid ``QVariant`` converted
to Python (``index.data(role)`` for an unset role, ``QAction.data()`` of an empty action) loses
one reference to ``None``. On CPython < 3.12 these singletons are reference counted, so after
enough signals the count reaches zero and the interpreter aborts with "Fatal Python error:
bool_dealloc" or "none_dealloc" (mid-run, or at exit). CPython 3.12 made them immortal, which
makes the bug harmless there.

The workaround gives the three singletons a huge extra reference count once, at import, which is
what CPython 3.12 does for them anyway. Upstream: report pending at https://bugreports.qt.io
(component PySide); remove this module when the project requires Python >= 3.12 or a fixed
PySide6.
"""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

_PIN = 1 << 40
_pinned = False


def needs_pinning() -> bool:
    """True on reference-counted singletons (CPython < 3.12, release build)."""
    return (
        sys.implementation.name == "cpython"
        and sys.version_info < (3, 12)
        and not hasattr(sys, "gettotalrefcount")  # a debug build has a different object header
    )


def pin_singletons() -> bool:
    """Add a large permanent reference count to True, False and None (once)."""
    global _pinned
    if _pinned or not needs_pinning():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every PyObject in a release build of CPython.
        ctypes.c_ssize_t.from_address(id(obj)).value += _PIN
    _pinned = True
    logger.debug("pinned True/False/None against PySide6's reference leaks")
    return True
