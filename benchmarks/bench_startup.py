"""Start-up time of the command lines: ``actionhub --help``, ``python -m coco --help``, ``coco-train --help``
and ``coco-eval --help``, each in a fresh interpreter, against a bare ``python -c pass``.

Usage: ``python benchmarks/bench_startup.py [RUNS]`` (default 10). Each command runs once to compile its
bytecode (into a temporary ``PYTHONPYCACHEPREFIX``, as an installed package has its ``.pyc`` files; nothing is
written into the repository), then RUNS times; prints the median and the minimum wall-clock seconds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS: dict[str, list[str]] = {
    "python -c pass (interpreter alone)": ["-c", "pass"],
    "actionhub --help": ["-m", "actionhub", "--help"],
    "python -m coco --help": ["-m", "coco", "--help"],
    "coco-train --help": ["-c", "import sys; from coco.cli import train_main; sys.exit(train_main(['--help']))"],
    "coco-eval --help": ["-c", "import sys; from coco.cli import eval_main; sys.exit(eval_main(['--help']))"],
}


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(runs: int = 10) -> None:
    with tempfile.TemporaryDirectory() as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        print(f"{'command':<38} {'first':>7} {'median':>7} {'min':>7}   (seconds; {runs} runs after the first)")
        for label, args in COMMANDS.items():
            first = _run(args, env)  # compiles and caches bytecode
            times = [_run(args, env) for _ in range(runs)]
            print(f"{label:<38} {first:7.2f} {statistics.median(times):7.2f} {min(times):7.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
