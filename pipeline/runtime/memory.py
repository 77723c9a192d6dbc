"""Give memory that a step freed back to the system.

glibc's malloc raises its mmap threshold each time a large block is freed, so later
arrays of that size come from the heap, and freeing them does not shrink the process:
after the big temporaries of a step, resident memory stays at the step's peak. On
Linux, ``malloc_trim`` returns those free pages; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_freed_memory() -> None:
    """Return freed heap pages to the system (glibc); a no-op where that is not offered."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
