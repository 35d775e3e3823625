"""Waiting for a bot process with a time limit: a process that hangs is killed, and the test
fails saying what it was waiting for, instead of stalling the whole run."""

from __future__ import annotations

import asyncio
import contextlib


async def finish(process: asyncio.subprocess.Process, limit: float, what: str) -> tuple[int, bytes]:
    """Wait for `process` to exit (reading its output, if piped): its exit code and output."""
    try:
        output, _ = await asyncio.wait_for(process.communicate(), limit)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise AssertionError(f"{what}: the process did not exit within {limit:g} s") from None
    assert process.returncode is not None
    return process.returncode, output or b""
