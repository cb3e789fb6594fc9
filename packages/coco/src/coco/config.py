"""Configuration of one CoCo run: model, losses, optimisation and bookkeeping, plus the paper's ablations.

:class:`TrainConfig` holds every hyperparameter of the paper (section 4) with the paper's defaults;
:data:`PRESETS` names the ablations of the paper so that each is one ``--preset`` away.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from actionhub.assets import DEFAULT_ENCODER
from coco.methods import CHECKPOINTED, METHODS

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16")
PROTOCOLS = ("synthetic", "intra", "cross")


class ConfigError(ValueError):
    """A configuration value is out of range or inconsistent."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of a CoCo run (paper defaults unless noted).

    Attributes:
        embed_dim: d, width of the joint video-text space (Eq. 1, 2).
        tau: Temperature of every video-text contrastive loss (Eq. 4, 8, 14).
        alpha: Weight of definition features against content features (Eq. 10, 17).
        gamma: Weight of the cycle loss (Eq. 15).
        cim_tau: Temperature of the CIM attention (Eq. 11, 12); the paper gives none, we use ``tau``.
        use_definitions: Dual alignment with action definitions, L^l (the "AD" ablation).
        use_content: Dual alignment with ActionHub content features, L^c (the "VC" ablation).
        use_cim: Cross-action invariance mining, L^cycle (the "CIM" ablation).
        epochs: Passes over the training videos (not stated in the paper; our choice).
        batch_size: Videos per step.
        lr: Peak learning rate of Adam.
        weight_decay: Adam weight decay.
        warmup_epochs: Linear warm-up length before the cosine decay, in epochs (may be fractional).
        seed: Seeds initialisation and shuffling.
        device: ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
        precision: Training arithmetic: ``fp32``, ``bf16`` (autocast, on CUDA and on CPU; losses stay float32)
            or ``auto`` (bf16 on CUDA, fp32 on CPU). Evaluation is float32 either way.
        out_dir: Where checkpoints and TensorBoard logs go; None keeps everything in memory.
        resume: Continue from ``out_dir/last.pt`` when it exists.
        overwrite: Let ``coco.experiment.run_training`` replace a run already in ``out_dir`` (without it or
            ``resume``, an ``out_dir`` holding a run is refused).
        tensorboard: Write TensorBoard logs under ``out_dir/tb`` (needs the tensorboard package).
        progress: Show a tqdm progress bar (needs tqdm; silently off without it).
        method: Which method trains (``coco.methods.METHODS``): ``coco`` or a baseline/peer.
    """

    embed_dim: int = 512
    tau: float = 0.1
    alpha: float = 0.5
    gamma: float = 0.1
    cim_tau: float = 0.1
    use_definitions: bool = True
    use_content: bool = True
    use_cim: bool = True
    epochs: int = 20
    batch_size: int = 512
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_epochs: float = 1.0
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    out_dir: str | None = None
    resume: bool = False
    overwrite: bool = False
    tensorboard: bool = False
    progress: bool = False
    method: str = "coco"

    def __post_init__(self) -> None:
        positive = {"embed_dim": self.embed_dim, "tau": self.tau, "cim_tau": self.cim_tau, "epochs": self.epochs,
                    "batch_size": self.batch_size, "lr": self.lr}
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(f"{name} must be positive, got {value}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ConfigError(f"alpha must be in [0, 1], got {self.alpha}")
        if self.gamma < 0 or self.weight_decay < 0 or self.warmup_epochs < 0:
            raise ConfigError("gamma, weight_decay and warmup_epochs must be >= 0")
        if not (self.use_definitions or self.use_content):
            raise ConfigError("at least one of use_definitions and use_content must be on")
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {DEVICES}, got {self.device!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if (self.resume or self.tensorboard or self.overwrite) and self.out_dir is None:
            raise ConfigError("resume, overwrite and tensorboard need out_dir")
        if self.resume and self.overwrite:
            raise ConfigError("resume and overwrite exclude each other: continue the run in out_dir, or replace it")
        if self.method not in METHODS:
            raise ConfigError(f"method must be one of {sorted(METHODS)}, got {self.method!r}")
        if self.tensorboard and self.method not in CHECKPOINTED:
            raise ConfigError(f"method {self.method} writes metrics.json only, no TensorBoard logs: drop --tensorboard")

    @property
    def mix(self) -> float:
        """The alpha actually used: 1 with definitions only (AD), 0 with content only (VC), else ``alpha``."""
        if not self.use_content:
            return 1.0
        if not self.use_definitions:
            return 0.0
        return self.alpha

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields (what checkpoints store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise :class:`ConfigError`."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown config keys {sorted(unknown)}")
        return cls(**values)


# Fields that may differ between a checkpoint and the run resuming from it or evaluating it:
# they change where and how a run is shown, never what it computes.
# Precision is one of them: a run resumed or evaluated in fp32 continues the same model.
BOOKKEEPING_FIELDS = frozenset({"device", "precision", "out_dir", "resume", "overwrite", "tensorboard", "progress"})


def differences(a: TrainConfig, b: TrainConfig, ignore: frozenset[str] = BOOKKEEPING_FIELDS) -> dict[str, tuple]:
    """Fields (outside ``ignore``) whose values differ, as ``{name: (a_value, b_value)}``."""
    da, db = a.to_dict(), b.to_dict()
    return {k: (da[k], db[k]) for k in da if k not in ignore and da[k] != db[k]}


# The paper's ablations (section 5): which alignment targets and whether CIM is on. k and alpha sweeps
# are single flags (--k, --alpha) on top of any preset.
PRESETS: dict[str, dict[str, Any]] = {
    "coco": {"use_definitions": True, "use_content": True, "use_cim": True},
    "ad": {"use_definitions": True, "use_content": False, "use_cim": False},
    "vc": {"use_definitions": False, "use_content": True, "use_cim": False},
    "ad+vc": {"use_definitions": True, "use_content": True, "use_cim": False},
    "ad+cim": {"use_definitions": True, "use_content": False, "use_cim": True},
    "vc+cim": {"use_definitions": False, "use_content": True, "use_cim": True},
}


def preset(name: str, **overrides: Any) -> TrainConfig:
    """A :class:`TrainConfig` from a named preset, with field overrides on top."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; known: {sorted(PRESETS)}")
    return replace(TrainConfig(**PRESETS[name]), **overrides)


@dataclass(frozen=True)
class DataConfig:
    """Where a run's inputs come from.

    Attributes:
        protocol: ``synthetic`` (the SYNTHETIC benchmark of ``coco.synthetic``), ``intra`` or ``cross``.
        dataset: ``kinetics-zsar``, ``ucf101`` or ``hmdb51`` (``coco.protocols``); unused for synthetic.
        features: Directory of video features (``coco.features`` format); unused for synthetic.
        actionhub: ActionHub dataset directory (descriptions for content features); None: content falls back
            to the definition text.
        encoder: Frozen text encoder: the bundled MiniLM, a local directory or a hub name.
        k: Top-k most relevant descriptions per class averaged into the content feature (Eq. 6-7).
        cache_dir: Text-feature cache; None: no cache.
        max_splits: Run only the first this many splits; None: all (synthetic: 3).
    """

    protocol: str = "synthetic"
    dataset: str | None = None
    features: str | None = None
    actionhub: str | None = None
    encoder: str = DEFAULT_ENCODER
    k: int = 100
    cache_dir: str | None = None
    max_splits: int | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ConfigError(f"protocol must be one of {PROTOCOLS}, got {self.protocol!r}")
        if self.protocol != "synthetic" and (self.dataset is None or self.features is None):
            raise ConfigError(f"protocol {self.protocol!r} needs --dataset and --features")
        if self.k <= 0:
            raise ConfigError(f"k must be positive, got {self.k}")
        if self.max_splits is not None and self.max_splits <= 0:
            raise ConfigError(f"max_splits must be positive, got {self.max_splits}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields (what checkpoints and metrics store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DataConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise :class:`ConfigError`."""
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown data config keys {sorted(unknown)}")
        return cls(**values)
