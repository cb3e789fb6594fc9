"""The `make demo` job: runs the main pipeline end to end on embedded defaults, offline.

Each stage prints what it did; outputs land in ``out/demo/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from actionhub import cli as actionhub_cli

OUT = Path("out/demo")


def harvest_from_emulator(n_actions: int = 5) -> int:
    """Harvests a handful of actions from the footage-site emulator (synthetic sample data) into out/demo/build."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from actionhub import schema
    from actionhub.harvest import HarvestConfig, harvest
    from actionhub.harvest.emulator import Emulator

    path = OUT / "queries.parquet"
    if path.exists():
        queries = pq.read_table(path, schema=schema.QUERIES).slice(0, n_actions)
    else:
        names = ["playing tennis", "cooking pasta", "riding a bike", "surfing", "juggling"][:n_actions]
        queries = pa.Table.from_pylist([{"action_id": i, "action": q, "key": q, "queries": [q], "aliases": [],
                                         "sources": ["user"]} for i, q in enumerate(names)], schema=schema.QUERIES)
    print(f"== actionhub harvest: {queries.num_rows} actions from the emulator (SYNTHETIC SAMPLE DATA)")
    with Emulator() as emulator:
        config = HarvestConfig(base_url=emulator.url, rate=50, burst=5, per_page=20, max_pages=3, progress=False)
        summary = harvest(config, queries, OUT / "build")
    print(summary.format())
    return int(summary.failed > 0)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print("== actionhub doctor")
    code = actionhub_cli.main(["doctor"])
    print("\n== actionhub queries")
    code = code or actionhub_cli.main(["queries", "--sources", "kinetics700,mit,ava",
                                       "--out", str(OUT / "queries.parquet")])
    return code or harvest_from_emulator()


if __name__ == "__main__":
    sys.exit(main())
