"""Shared settings of coco's tests."""

from __future__ import annotations

import torch

# The tests' tensors are tiny: one thread avoids thread spin-up costs on a shared, busy machine.
torch.set_num_threads(1)
