"""Numbers in the course's one printed form, which tests/notebooks/sanitize.cfg masks."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """A duration as ``1.234 s``, ``12.3 ms`` or ``45.6 µs``, whichever reads best."""
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"
