"""ER: the objective of ElaborativeRehearsal as far as our inputs allow (Chen & Huang, "Elaborative Rehearsal
for Zero-shot Action Recognition", ICCV 2021).

ER aligns video features with the features of each class's Elaborative Description (ED: the class name
with its definition) by a softmax contrastive loss over classes, and adds Elaborative *Rehearsal*: the
video's detected objects, described by their own ED texts, rehearsed against the same text space. Here:

- kept: the video-to-class contrastive loss over the seen classes with definition texts only (coco's L^l,
  Eq. 3-4, ``coco.losses.contrastive``), so ``er`` is CoCo's AD alignment on ER's definition texts. The
  definition features come from the task: ER's own ``defn`` texts for the ER datasets (``coco.definitions``);
  a harness may pass ED texts (name + definition) instead.
- left out: object features and the rehearsal loss (we have no object detector outputs), ER's fine-tuning
  of BERT (our text encoder is frozen), ER's elaborative descriptions of objects, and its multi-crop video
  backbone; with these, the published ER numbers are not reproducible here.
"""

from __future__ import annotations

from dataclasses import replace

from coco.config import TrainConfig
from coco.task import Task
from coco.train import TrainResult, train

# The CoCo switches that make its loss ER's: definitions only, no content, no CIM.
ER_SWITCHES = {"use_definitions": True, "use_content": False, "use_cim": False}


def er_config(config: TrainConfig) -> TrainConfig:
    """``config`` with ER's switches (method stays ``er``): what ``coco.train.train`` runs and checkpoints store,
    so ``coco eval`` and ``coco predict`` score an ER run as the AD model it is (alpha = 1)."""
    return replace(config, method="er", **ER_SWITCHES)


def fit(config: TrainConfig, task: Task) -> TrainResult:
    """Trains ER's objective (AD-only contrastive) with ``config``'s optimisation settings on ``task``."""
    return train(er_config(config), task)
