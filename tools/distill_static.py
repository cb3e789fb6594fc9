"""Distils the bundled MiniLM into a static embedding table (the model2vec method): the base of the shipped one.

The table actionhub ships is this distillation tuned further to MiniLM on a corpus by ``tools/tune_static.py``
(run it next, in the project's venv, with ``--base`` set to this script's ``--out``).

model2vec's ``[distill]`` extra pins transformers/huggingface_hub versions that conflict with the project's
lock, so this tool runs in its own virtual environment, built from the pins beside it::

    python3 -m venv /tmp/distill && /tmp/distill/bin/pip install -r tools/distill_static.requirements.txt
    /tmp/distill/bin/python tools/distill_static.py --model <dir of the bundled MiniLM>

(``python -c "import actionhub.assets as a; print(a.resolve_encoder())"`` in the project's venv prints that
directory.) model2vec passes every vocabulary token through MiniLM alone, reduces the outputs with PCA to
``--dims`` and weights them by SIF (Zipf) frequency; the table is stored float16. Writes into
``packages/actionhub/src/actionhub/data/static/``: ``embeddings.npy`` (V, dims) float16, ``tokenizer.json``
(the tokenizer model2vec saved with the table) and ``meta.json`` (the source model's sha256, the settings and
the package versions used). The output is deterministic given the pins (PCA is fitted with a fixed solver).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "packages" / "actionhub" / "src" / "actionhub" / "data" / "static"
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "sentence_bert_config.json")


def fingerprint(model_dir: Path) -> str:
    """Same digest as ``actionhub.encoder.model_fingerprint`` (kept here: this venv has no actionhub)."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def distil(model_dir: Path, out: Path, dims: int) -> dict:
    """Runs model2vec's distillation and writes the three files; returns the metadata."""
    import numpy as np
    from model2vec.distill import distill

    model = distill(model_name=str(model_dir), pca_dims=dims, device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        tokenizer = Path(tmp, "tokenizer.json").read_text()
    embeddings = np.asarray(model.embedding, dtype=np.float16)  # (V, dims)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "embeddings.npy", embeddings)
    (out / "tokenizer.json").write_text(tokenizer)
    meta = {"source_model_sha256": fingerprint(model_dir), "method": "model2vec.distill", "pca_dims": dims,
            "dtype": "float16", "shape": list(embeddings.shape), "normalize": bool(model.normalize),
            "versions": {p: version(p) for p in ("model2vec", "torch", "transformers", "tokenizers",
                                                  "scikit-learn", "numpy")}}
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="directory of the bundled MiniLM")
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions of the table")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not (args.model / "config.json").is_file():
        print(f"error: {args.model} is not a model directory (no config.json)", file=sys.stderr)
        return 2
    print(json.dumps(distil(args.model, args.out, args.dims), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
