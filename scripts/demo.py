"""The `make demo` job: runs the main pipeline end to end on embedded defaults, offline.

Each stage prints what it did; outputs land in ``out/demo/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from actionhub import cli as actionhub_cli

OUT = Path("out/demo")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print("== actionhub doctor")
    code = actionhub_cli.main(["doctor"])
    print("\n== actionhub queries")
    return code or actionhub_cli.main(["queries", "--sources", "kinetics700,mit,ava",
                                       "--out", str(OUT / "queries.parquet")])


if __name__ == "__main__":
    sys.exit(main())
