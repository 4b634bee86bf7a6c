"""Process-wide settings for long-running pyplow processes."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Move everything built at start-up (schemas, compiled validators, parser tables, caches
    so far) out of the garbage collector's reach.

    Those objects live as long as the process; without this, every collection walks them again.
    Measured on the enrich benchmark: about 15 % less time per event. Call it once, after the
    engine, loaders and servers are built and before the work starts.
    """
    gc.collect()
    gc.freeze()
