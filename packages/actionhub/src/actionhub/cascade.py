"""A two-stage scorer: a fast scorer ranks every description, a slow one re-ranks each action's top share.

Users read the top of each action's ranking (coco averages the top k = 100), so MiniLM's quality matters most
there. ``fusion-cascade`` (``actionhub.relevance.SCORERS``) ranks every description with the default ``fusion``
(static embedding, ~30,000 descriptions/s on 2 cores) and re-scores the top ``fraction`` of each action's
descriptions (at least ``minimum``) with ``fusion-encoder`` (MiniLM, ~100/s), which then ranks them among
themselves, above the rest. MiniLM encodes ``fraction`` of the texts instead of all of them. The re-scored part
is a complete ``fusion-encoder`` run on the candidates: calibration over all actions, feedback and site ranks
within the candidates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# relevance.Scorer, spelled out here to keep this module free of an import cycle with actionhub.relevance.
Scorer = Callable[[pa.Table, dict[int, str]], np.ndarray]


@dataclass(frozen=True)
class CascadeConfig:
    """How much of each action the second stage re-scores.

    Attributes:
        fraction: share of each action's descriptions re-scored (the first stage's top ones).
        minimum: re-score at least this many per action (all of them when the action has fewer).
    """

    fraction: float = 0.01
    minimum: int = 20

    def __post_init__(self) -> None:
        if not 0.0 < self.fraction <= 1.0:
            raise ValueError(f"fraction must be in (0, 1], got {self.fraction}")
        if self.minimum < 0:
            raise ValueError(f"minimum must be >= 0, got {self.minimum}")

    def candidates(self, n: int) -> int:
        """How many of an action's ``n`` descriptions are re-scored."""
        return min(n, max(self.minimum, math.ceil(self.fraction * n)))


def top_share(action_ids: np.ndarray, first: np.ndarray, config: CascadeConfig) -> np.ndarray:
    """(n,) bool: the rows among the top ``config.candidates(n_a)`` of their action by ``first`` (ties: row order)."""
    action_ids = np.asarray(action_ids)
    order = np.lexsort((np.arange(len(first)), -np.asarray(first, dtype=np.float64), action_ids))
    sorted_ids = action_ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    position = np.arange(len(order)) - np.repeat(starts, sizes)  # 0-based rank within the action
    limit = np.repeat([config.candidates(int(s)) for s in sizes], sizes)
    chosen = np.zeros(len(first), dtype=bool)
    chosen[order[position < limit]] = True
    return chosen


def cascade_scorer(first: Scorer, second: Scorer, config: CascadeConfig | None = None) -> Scorer:
    """``first`` on every row; ``second`` on each action's top share, ranked above the rest of the action.

    Both scorers must return values in [0, 1) where higher is better (rank-fusion scores do); the candidates'
    relevance is ``(1 + second) / 2``, the others' ``first / 2``: still in [0, 1), and ranks within an action
    follow the two stages.
    """
    config = config or CascadeConfig()

    def score(table: pa.Table, actions: dict[int, str]) -> np.ndarray:
        base = np.asarray(first(table, actions), dtype=np.float32)
        chosen = top_share(np.asarray(table["action_id"]), base, config)
        out = base / 2
        if chosen.any():
            rows = np.flatnonzero(chosen)
            out[rows] = (1.0 + np.asarray(second(table.take(pa.array(rows)), actions), dtype=np.float32)) / 2
        return out

    return score
