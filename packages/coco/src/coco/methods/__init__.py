"""The registry of zero-shot methods that train in coco's harness (same tasks, texts, metrics and seeds).

``METHODS`` maps a method name (``TrainConfig.method``, ``coco train --method NAME``) to the module whose
``fit(config, task) -> TrainResult`` trains and tests it. ``coco`` is CoCo itself (``coco.train``); the others
are baselines and peers, each with its reference in its module docstring. ``er`` trains CoCo's own model (AD
only), so its runs write coco checkpoints; ``eszsl``, ``devise`` and ``units`` write ``metrics.json`` only.
Modules are imported on use, so this registry stays torch-free and a config can be validated without loading
any model code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coco.config import TrainConfig
    from coco.task import Task
    from coco.train import TrainResult

METHODS: dict[str, str] = {
    "coco": "coco.train",  # CoCo and its ablations (--preset)
    "eszsl": "coco.methods.eszsl",  # Romera-Paredes & Torr 2015, closed form
    "devise": "coco.methods.devise",  # Frome et al. 2013, linear map + hinge rank loss
    "er": "coco.methods.er",  # Chen & Huang 2021, AD-only contrastive objective
    "units": "coco.methods.units",  # a class as the set of its top-k description features
}

# Methods that write coco checkpoints (``coco eval``/``predict`` read them); the others write metrics.json only.
CHECKPOINTED = frozenset({"coco", "er"})


def fit(config: TrainConfig, task: Task) -> TrainResult:
    """Trains ``config.method`` on ``task`` and tests it on ``task.test``."""
    module = importlib.import_module(METHODS[config.method])
    return module.fit(config, task)
