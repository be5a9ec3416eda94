"""`--profile DIR`: run the measured work under cProfile and write its statistics.

Timings of a profiled run are inflated: record figures from a run without --profile.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from pathlib import Path

directory: Path | None = None
_profiles: dict[str, cProfile.Profile] = {}


def enable(path: Path) -> None:
    global directory
    directory = path
    directory.mkdir(parents=True, exist_ok=True)


def wrap(name: str, function: Callable[[], object]) -> Callable[[], object]:
    """`function`, profiled under `name` when profiling is on (every call adds up)."""
    if directory is None:
        return function

    def profiled():
        profile = _profiles.setdefault(name, cProfile.Profile())
        profile.enable()
        try:
            return function()
        finally:
            profile.disable()

    return profiled


def write() -> list[str]:
    """Write `<name>.prof` and `<name>.txt` (top functions by cumulative and own time)."""
    written = []
    for name, profile in _profiles.items():
        profile.dump_stats(directory / f"{name}.prof")
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(30)
        (directory / f"{name}.txt").write_text(text.getvalue())
        written.append(str(directory / f"{name}.txt"))
    return written
