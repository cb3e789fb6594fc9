"""The sentence encoder (all-MiniLM-L6-v2) of actionhub and coco: onnxruntime over the project's ONNX export.

One encoder serves relevance scoring, coco's class texts and ``predict``. Its sentence embedding is what
sentence-transformers computes (BERT, mean pooling over real tokens, L2 normalization, truncation at the
model's ``max_seq_length``, 256): ``tools/export_encoder.py`` (run by ``make setup``) exports that whole
function to ONNX once, in fp32 and with int8 dynamic quantization. Why onnxruntime and not transformers:
actionhub never imports torch (a dataset build needs no deep-learning stack), and on CPU onnxruntime is
faster than torch eager, and its int8 graph faster still (numbers in ``docs/actionhub.md``).

Where the export lives: ``<cache>/actionhub/onnx/<sha256 of the model files>[:16]/`` with ``<cache>`` =
``$XDG_CACHE_HOME`` or ``~/.cache``. Keyed by the model's content, a stale export can never be used for other
weights, and one export serves every virtual environment on the machine.

Texts are sorted by length and encoded in batches padded to the batch's longest text (batching by length), so
a batch of short texts does not pay for a long one. The int8 graph encodes one text per pass by default: its
dynamic quantization takes each activation's scale over the whole (B, T, H) tensor, so in a batch a text's
embedding would depend on the other texts (cosine to itself encoded alone down to 0.978 on 48-token texts); alone,
an embedding is a function of its text, as in fp32. The cores then share out the texts, a pass each, which costs
little: on 2 cores, ActivityNet sentences 671-704/s against 750-1,012/s batched (fp32: 381-419/s).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from actionhub.assets import DEFAULT_ENCODER, resolve_encoder

if TYPE_CHECKING:
    from tokenizers import Tokenizer

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
PRECISIONS = {"fp32": FP32_FILE, "int8": INT8_FILE}
# Texts per forward pass by default: int8 one at a time, so that batching cannot change an embedding (module doc).
BATCH_SIZES = {"fp32": 64, "int8": 1}
EXPORT_COMMAND = "python tools/export_encoder.py"  # `make setup` runs it
# The files whose bytes define the encoder's output.
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "sentence_bert_config.json")


class MissingExportError(FileNotFoundError):
    """The ONNX export of the encoder is not there; the message names the command that makes it.

    A ``FileNotFoundError``, so every CLI reports it as one line (``actionhub.clierrors``), not a traceback.
    """


def model_fingerprint(model_dir: str | Path) -> str:
    """sha256 over the names and bytes of the model files that exist in ``model_dir`` (hex)."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        path = Path(model_dir) / name
        if path.is_file():
            digest.update(name.encode() + b"\0")
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def export_dir(model_dir: str | Path) -> Path:
    """The directory the ONNX export of the model in ``model_dir`` is written to and read from."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "actionhub" / "onnx" / model_fingerprint(model_dir)[:16]


def _max_length(model_dir: Path) -> int:
    st_config = model_dir / "sentence_bert_config.json"
    return json.loads(st_config.read_text())["max_seq_length"] if st_config.is_file() else 512


def identity(config: EncoderConfig | None = None) -> str:
    """The identity of the encoder ``config`` loads, from the model files alone (no session is opened)."""
    config = config or EncoderConfig()
    model_dir = resolve_encoder(config.model)
    return _identity(model_fingerprint(model_dir), config.precision, _max_length(model_dir), config.batch)


def _identity(fingerprint: str, precision: str, max_length: int, batch: int) -> str:
    # int8 embeddings depend on the batching (module doc), so its batch size is part of what they are.
    per_pass = f"|batch{batch}" if precision == "int8" else ""
    return f"actionhub.encoder|{fingerprint[:16]}|{precision}{per_pass}|{max_length}|mean|l2"


@dataclass(frozen=True)
class EncoderConfig:
    """How the encoder runs.

    Attributes:
        model: ``actionhub.assets.resolve_encoder`` spec of the model (bundled name, directory, hub name).
        precision: ``fp32`` (matches transformers to cosine >= 0.9999) or ``int8`` (dynamic quantization:
            faster, cosine about 0.96-0.99 to fp32).
        batch_size: texts per forward pass (texts of similar length are batched together); 0: the precision's
            default (:data:`BATCH_SIZES`: 64 for fp32, 1 for int8, whose embeddings a batch would change).
        threads: onnxruntime intra-op threads; 0 lets onnxruntime choose (all cores). With one text per pass,
            the number of passes run at once instead (each single-threaded; 0: the cores this process may use).
        onnx_dir: directory of the export; default :func:`export_dir` of the model.
    """

    model: str = DEFAULT_ENCODER
    precision: str = "fp32"
    batch_size: int = 0
    threads: int = 0
    onnx_dir: str | None = None

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {sorted(PRECISIONS)}, got {self.precision!r}")
        if self.batch_size < 0:
            raise ValueError(f"batch_size must be >= 0 (0: the precision's default), got {self.batch_size}")
        if self.threads < 0:
            raise ValueError(f"threads must be >= 0, got {self.threads}")

    @property
    def batch(self) -> int:
        """Texts per forward pass: ``batch_size``, or the precision's default when it is 0."""
        return self.batch_size or BATCH_SIZES[self.precision]


class Encoder:
    """Unit-length sentence embeddings from an onnxruntime session over the exported graph.

    Args:
        session: an ``onnxruntime.InferenceSession`` of the graph ``(input_ids, attention_mask) -> (B, H)``.
        tokenizer: the model's ``tokenizers.Tokenizer``.
        max_length: tokens kept per text (special tokens included).
        identity: a string that changes whenever the embeddings could (model bytes, precision, length).
        batch_size: texts per forward pass.
        workers: forward passes run at once, in threads (onnxruntime releases the GIL): for one text per pass,
            whose small products gain little from threads inside one pass.
    """

    def __init__(self, session, tokenizer: Tokenizer, max_length: int, identity: str, batch_size: int = 64,
                 workers: int = 1) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        self.identity = identity
        self.batch_size = batch_size
        self.workers = workers
        width = session.get_outputs()[0].shape[-1]  # an int, or a symbolic name in some exports
        self.dim = width if isinstance(width, int) else None

    @classmethod
    def load(cls, config: EncoderConfig | None = None) -> Encoder:
        """Opens the export of ``config.model``; raises :class:`MissingExportError` when it was never made."""
        import onnxruntime
        from tokenizers import Tokenizer

        config = config or EncoderConfig()
        model_dir = resolve_encoder(config.model)
        fingerprint = model_fingerprint(model_dir)
        folder = Path(config.onnx_dir) if config.onnx_dir else export_dir(model_dir)
        graph = folder / PRECISIONS[config.precision]
        if not graph.is_file() or not (folder / "identity.json").is_file():
            raise MissingExportError(f"no ONNX export of the text encoder at {folder}; run `{EXPORT_COMMAND}` "
                                     f"(part of `make setup`)")
        options = onnxruntime.SessionOptions()
        # One text per pass: the cores share out the texts (a pass each), not one pass's products. ActivityNet
        # sentences, int8 alone, 2 cores: 671-704/s this way, 316/s with both threads inside each pass.
        workers = (config.threads or _cores()) if config.batch == 1 else 1
        if config.threads or workers > 1:
            options.intra_op_num_threads = 1 if workers > 1 else config.threads
            options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        max_length = _max_length(model_dir)
        return cls(session, Tokenizer.from_file(str(model_dir / "tokenizer.json")), max_length,
                   _identity(fingerprint, config.precision, max_length, config.batch), config.batch, workers)

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Unit-length sentence embeddings (n, H) float32, in the order of ``texts``."""
        batch_size = batch_size or self.batch_size
        enc = self.tokenizer.encode_batch(list(texts)) if len(texts) else []
        lengths = np.array([len(e.ids) for e in enc], dtype=np.int64)
        order = np.argsort(lengths, kind="stable")  # batching by length: little padding per batch

        def run(start: int) -> np.ndarray:
            chunk = order[start:start + batch_size]
            width = int(lengths[chunk].max())
            ids = np.zeros((len(chunk), width), dtype=np.int64)  # (B, T), 0 = [PAD]
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                ids[row, :lengths[i]] = enc[i].ids
                mask[row, :lengths[i]] = 1
            return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

        starts = range(0, len(enc), batch_size)
        if self.workers > 1 and len(starts) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.workers) as pool:
                parts = list(pool.map(run, starts))
        else:
            parts = [run(start) for start in starts]
        if not parts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        out = np.empty((len(enc), parts[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(parts)
        return out


def _cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
