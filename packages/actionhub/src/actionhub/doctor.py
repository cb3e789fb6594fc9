"""``actionhub doctor``: reports which assets and optional components are available, and how to fix gaps.

Required: what ``actionhub build``/``queries`` and coco load at run time (WordNet, stop words, word vectors,
the text encoder, ``datasets``). Optional: a GPU for coco (probed through the driver, never by importing
torch) and site credentials.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from actionhub import assets

# Environment variables holding site credentials (names only: values are never printed).
CREDENTIALS = {
    "shutterstock": ("SHUTTERSTOCK_CLIENT_ID", "SHUTTERSTOCK_CLIENT_SECRET"),
}
NVIDIA_PROC = Path("/proc/driver/nvidia/gpus")


@dataclass(frozen=True)
class Check:
    """Outcome of one check.

    Attributes:
        name: What was checked.
        required: Whether ``doctor`` fails when it is missing.
        ok: Whether it is available.
        detail: Where it came from, or what is wrong.
        fix: What to do when it is missing.
    """

    name: str
    required: bool
    ok: bool
    detail: str
    fix: str = ""


def _asset(name: str, probe: Callable[[], object], fix: str) -> Check:
    try:
        return Check(name, True, True, str(probe()))
    except assets.MissingAssetError as exc:
        return Check(name, True, False, str(exc).split(";")[0], fix)


def _vectors_probe() -> str:
    kv = assets.load_vectors()
    return f"{assets.DEFAULT_VECTORS}: {len(kv.index_to_key)} words x {kv.vector_size}-d"


def _module(name: str, module: str, required: bool, fix: str) -> Check:
    spec = importlib.util.find_spec(module)
    where = spec.origin if spec is not None else "not importable"
    return Check(name, required, spec is not None, str(where), fix)


def _gpus() -> list[str]:
    """Names of the NVIDIA GPUs the driver reports, without importing torch (which takes seconds)."""
    names = []
    for info in sorted(NVIDIA_PROC.glob("*/information")) if NVIDIA_PROC.is_dir() else []:
        with contextlib.suppress(OSError):
            model = next((line for line in info.read_text().splitlines() if line.startswith("Model:")), "")
            names.append(model.partition(":")[2].strip() or info.parent.name)
    if names or shutil.which("nvidia-smi") is None:
        return names
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split(":", 1)[1].split("(UUID")[0].strip() for line in out.stdout.splitlines() if ":" in line]


def _gpu() -> Check:
    fix = "optional; torch 2.14.1 (the pinned build) runs CUDA on a GPU machine"
    if importlib.util.find_spec("torch") is None:
        return Check("GPU (coco training)", False, False, "torch not installed", "make setup")
    names = _gpus()
    return Check("GPU (coco training)", False, bool(names), ", ".join(names) or "no NVIDIA GPU: coco trains on CPU",
                 fix)


def _credentials() -> list[Check]:
    checks = []
    for site, names in CREDENTIALS.items():
        present = [n for n in names if os.environ.get(n)]
        ok = len(present) == len(names)
        checks.append(Check(f"credentials: {site}", False, ok,
                            "set" if ok else f"unset: {', '.join(n for n in names if n not in present)}",
                            f"export {' '.join(f'{n}=...' for n in names)} to harvest from {site}"))
    return checks


def run_checks() -> list[Check]:
    """Runs every check; never raises for a missing component."""
    setup = assets.SETUP_HINT
    return [
        _asset("NLTK WordNet", lambda: assets.nltk_resource("wordnet"), setup),
        _asset("NLTK stop words", lambda: assets.nltk_resource("stopwords"), setup),
        _asset("word vectors", _vectors_probe, setup),
        _asset("text encoder", assets.resolve_encoder, setup),
        _module("datasets", "datasets", True, setup),
        _gpu(),
        *_credentials(),
    ]


def report(checks: list[Check]) -> tuple[str, int]:
    """Formats checks as a table; returns the text and the exit code (1 if a required one is missing)."""
    lines = []
    for c in checks:
        mark = "ok" if c.ok else ("MISSING" if c.required else "absent")
        kind = "required" if c.required else "optional"
        lines.append(f"[{mark:>7}] {c.name:<32} ({kind}) {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"{'':>10} fix: {c.fix}")
    failed = any(c.required and not c.ok for c in checks)
    return "\n".join(lines), int(failed)
