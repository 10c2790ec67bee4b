"""Run one benchmark step in a fresh interpreter (its own Twisted reactor and memory) and read back
its JSON result with the child's resource usage (peak RSS, CPU seconds) from ``wait4``."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def run_child(script: str, mode: str, spec: dict[str, Any], *, cwd: Path,
              timeout: float) -> tuple[dict[str, Any], resource.struct_rusage]:
    """Run ``python script --child mode SPEC OUT``; return (the JSON it wrote to OUT, its rusage).

    Raises RuntimeError when the child runs longer than `timeout` seconds (it is killed) or fails.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    out = fh.name + ".out"
    proc = subprocess.Popen([sys.executable, script, "--child", mode, fh.name, out], cwd=cwd)
    deadline = time.monotonic() + timeout
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"{mode} child took longer than {timeout}s")
            time.sleep(0.05)
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code != 0:
            raise RuntimeError(f"{mode} child failed with {code}")
        return json.loads(Path(out).read_text()), usage
    finally:
        for path in (fh.name, out):
            if os.path.exists(path):
                os.unlink(path)
