"""What data a run was trained on: the identity of its protocol, split, class texts and video features.

A checkpoint stores a :class:`DataIdentity` next to its :class:`~coco.config.DataConfig`; evaluation and
prediction recompute the identity of the data they are given and refuse a checkpoint whose identity differs
(:func:`mismatches`). Paths are not part of the identity (a dataset may move); contents are:

- the text encoder: its spec and a hash of the encoder's own identity (``coco.textfeats.encoder_identity``:
  sha256 of the model files, precision, max length, pooling), so other weights never pass for the same encoder;
- the ActionHub dataset: a sha256 over its card (``README.md``) and the names and sizes of its Parquet shards;
- the video features: the ``recipe`` dict of their ``meta.json`` (backbone, weights, sampling), when present.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from coco.config import ConfigError, DataConfig

SHORT = 16  # hex digits kept of a sha256: enough to tell datasets apart, short enough for a one-line message


@dataclass(frozen=True)
class DataIdentity:
    """The identity of a run's data (None: not part of this data, e.g. ActionHub for a run without it).

    Attributes:
        protocol: ``synthetic``, ``intra`` or ``cross``.
        dataset: The protocol's dataset (None for synthetic).
        split: The split's name.
        encoder: ``"<spec>#<hash of the encoder identity>"``.
        k: Descriptions per class (None without ActionHub, where k changes nothing).
        actionhub: Fingerprint of the ActionHub dataset directory.
        features_recipe: The ``recipe`` of the training features' ``meta.json``.
        synthetic: The SYNTHETIC benchmark's generator settings (synthetic protocol only).
    """

    protocol: str
    dataset: str | None = None
    split: str | None = None
    encoder: str | None = None
    k: int | None = None
    actionhub: str | None = None
    features_recipe: dict | None = None
    synthetic: dict | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DataIdentity:
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown data identity keys {sorted(unknown)}")
        return cls(**values)


@dataclass(frozen=True)
class DataRecord:
    """What a checkpoint stores about its data: the configuration to rebuild it and the identity to check it.

    Attributes:
        config: The run's :class:`DataConfig` (``coco eval --out-dir DIR`` rebuilds the data from it).
        identity: The split's :class:`DataIdentity`.
    """

    config: DataConfig
    identity: DataIdentity

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "identity": self.identity.to_dict()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DataRecord:
        return cls(DataConfig.from_dict(values["config"]), DataIdentity.from_dict(values["identity"]))


def actionhub_fingerprint(directory: str | Path) -> str:
    """sha256 (first 16 hex digits) of an ActionHub directory's ``README.md`` and its shards' names and sizes.

    The card names each config's content digest (``actionhub.publish``), so a re-scored build with the same sizes
    has another fingerprint; reading the card is cheaper than hashing gigabytes of shards.
    """
    directory = Path(directory)
    card = directory / "README.md"
    shards = sorted((directory / "data").rglob("*.parquet")) if (directory / "data").is_dir() else []
    if not card.is_file() and not shards:
        raise FileNotFoundError(f"{directory}: not an ActionHub dataset directory (no README.md, no data/*.parquet)")
    digest = hashlib.sha256(card.read_bytes() if card.is_file() else b"")
    for shard in shards:
        digest.update(f"\n{shard.relative_to(directory).as_posix()}\t{shard.stat().st_size}".encode())
    return digest.hexdigest()[:SHORT]


def features_recipe(features: str | Path) -> dict | None:
    """The ``recipe`` of ``meta.json`` in a features directory (or its ``train/``); None when it has none."""
    path = Path(features)
    for meta in (path / "meta.json", path / "train" / "meta.json"):
        if meta.is_file():
            recipe = json.loads(meta.read_text(encoding="utf-8")).get("recipe")
            return recipe if isinstance(recipe, dict) else None
    return None


def encoder_identity(spec: str) -> str:
    """``"<spec>#<sha256 of the encoder's identity>"``; resolves the encoder's files, loads no weights."""
    from coco.textfeats import encoder_identity as identity

    return f"{spec}#{hashlib.sha256(identity(spec).encode()).hexdigest()[:SHORT]}"


def texts_identity(encoder: str, k: int, actionhub: str | None) -> dict[str, Any]:
    """The class texts' part of an identity: encoder, k and ActionHub fingerprint (k only with ActionHub)."""
    return {"encoder": encoder_identity(encoder), "k": k if actionhub else None,
            "actionhub": actionhub_fingerprint(actionhub) if actionhub else None}


def identity_of(data: DataConfig) -> DataIdentity:
    """The identity of ``data`` with no split set (``replace(identity, split=name)`` per split)."""
    if data.protocol == "synthetic":
        from coco.synthetic import SyntheticConfig

        return DataIdentity("synthetic", synthetic=asdict(SyntheticConfig()))
    return DataIdentity(data.protocol, data.dataset, **texts_identity(data.encoder, data.k, data.actionhub),
                        features_recipe=features_recipe(data.features))


def for_split(identity: DataIdentity, split: str) -> DataIdentity:
    """``identity`` of one split."""
    return replace(identity, split=split)


NAMES = {"features_recipe": "video features recipe", "actionhub": "ActionHub dataset", "k": "k (descriptions)"}


def mismatches(stored: DataIdentity, now: DataIdentity | dict[str, Any]) -> str | None:
    """One line naming every field whose value differs, with both values; None when all agree.

    ``now`` may be a dict of some fields only (prediction has no protocol or split): only those are compared.
    """
    a, b = stored.to_dict(), now if isinstance(now, dict) else now.to_dict()
    diff = [f"{NAMES.get(n, n)}: checkpoint {_show(a[n])} vs now {_show(v)}" for n, v in b.items()
            if _comparable(n, a[n]) != _comparable(n, v)]
    return "; ".join(diff) if diff else None


def _comparable(name: str, value: Any) -> Any:
    """What must be equal for two values of field ``name`` to mean the same data.

    A features recipe is compared by preset and weights only (``coco.features.recipe_identity``): where the
    weights file lies and the library versions of the machine that extracted them do not change the features.
    """
    if name == "features_recipe":
        from coco.features import recipe_identity

        return recipe_identity(value)
    return value


def prediction_identity(encoder: str, k: int, actionhub: str | None, features: str | Path) -> dict[str, Any]:
    """The fields of a prediction's data that must match its checkpoint: class texts, and the video features'
    recipe when they have one (a plain ``.npy`` has none, and is not checked)."""
    values = texts_identity(encoder, k, actionhub)
    recipe = features_recipe(features) if Path(features).is_dir() else None
    if recipe is not None:
        values["features_recipe"] = recipe
    return values


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return repr(value)
