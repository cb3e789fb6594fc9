"""Each CoCo loss against the paper's equation written out independently (loops over small random tensors)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from coco import losses
from coco.config import PRESETS, preset
from coco.model import ClassEmbeddings


def unit(*shape: int, seed: int) -> torch.Tensor:
    return F.normalize(torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64),
                       dim=-1)


def contrastive_by_hand(v, z, y, tau):
    """Eq. 4 / 8 / 14: -1/B sum_i log(exp(v_i.z_{y_i}/tau) / sum_j exp(v_i.z_j/tau))."""
    total = 0.0
    for i in range(v.shape[0]):
        sims = [sum(v[i, a].item() * z[j, a].item() for a in range(v.shape[1])) / tau for j in range(z.shape[0])]
        total += -math.log(math.exp(sims[y[i]]) / sum(math.exp(s) for s in sims))
    return total / v.shape[0]


def attend_by_hand(q, keys, t):
    """sum_k softmax_k(q.key_k / t) key_k for each query row."""
    out = torch.zeros(q.shape[0], keys.shape[1], dtype=q.dtype)
    for i in range(q.shape[0]):
        e = [math.exp(float(q[i] @ keys[k]) / t) for k in range(keys.shape[0])]
        for k in range(keys.shape[0]):
            out[i] += e[k] / sum(e) * keys[k]
    return out


def test_contrastive_equals_eq4():
    v, z = unit(6, 5, seed=1), unit(4, 5, seed=2)
    y = torch.tensor([0, 3, 2, 1, 1, 0])
    assert losses.contrastive(v, z, y, 0.1).item() == pytest.approx(contrastive_by_hand(v, z, y, 0.1), rel=1e-6)


def test_cycle_on_a_hand_worked_example():
    # Two seen classes on the axes, one unseen class on the first axis, temperature 1.
    seen = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    unseen = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    # Eq. 11: one unseen class, so each seen class is reconstructed as (1, 0).
    # Eq. 12: (1, 0) attends to seen with weights softmax(1, 0) = (e, 1) / (e + 1).
    e = math.e
    expected = torch.tensor([[e / (e + 1), 1 / (e + 1)]] * 2, dtype=torch.float64)
    got = losses.cycle_features(seen, unseen, 1.0)
    assert got.shape == (2, 2)  # one row per seen class (allclose alone would broadcast a (1, 2) answer)
    assert torch.allclose(got, expected)


def test_cim_goes_seen_to_unseen_and_back_to_seen():
    # Seen classes e1, e2, e3; the only unseen class is e1. At a low temperature, attention is nearly argmax:
    # Eq. 11 reconstructs every seen class as e1 (the one unseen class), Eq. 12 maps e1 back to the seen class e1.
    # So all cycle features are ~e1: seen classes the unseen ones cannot express are pulled to those they can.
    # Skipping Eq. 11 would leave e2 and e3 in place; going unseen -> seen -> unseen would give one row.
    seen = torch.eye(3, dtype=torch.float64)
    unseen = seen[:1]
    got = losses.cycle_features(seen, unseen, 0.01)
    assert got.shape == (3, 3)
    assert torch.allclose(got, seen[[0, 0, 0]], atol=1e-6)
    # With e1 and e2 unseen, e3 is pulled to one of them, while e1 and e2 come back as themselves.
    got = losses.cycle_features(seen, seen[:2], 0.01)
    assert torch.allclose(got[:2], seen[:2], atol=1e-6)
    assert got[2, 2] < 1e-6 and torch.isclose(got[2].sum(), torch.tensor(1.0, dtype=torch.float64))


def test_cycle_features_equal_eq11_then_eq12():
    seen, unseen = unit(5, 4, seed=3), unit(3, 4, seed=4)
    expected = attend_by_hand(attend_by_hand(seen, unseen, 0.1), seen, 0.1)
    assert torch.allclose(losses.cycle_features(seen, unseen, 0.1), expected, atol=1e-10)


def test_cycle_loss_equals_eq14_on_renormalised_cycle_features():
    v, seen, unseen = unit(6, 4, seed=5), unit(3, 4, seed=6), unit(2, 4, seed=7)
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    cyc = attend_by_hand(attend_by_hand(seen, unseen, 0.2), seen, 0.2)
    cyc = cyc / cyc.norm(dim=1, keepdim=True)
    got = losses.cycle_loss(v, seen, unseen, y, tau=0.1, temperature=0.2).item()
    assert got == pytest.approx(contrastive_by_hand(v, cyc, y, 0.1), rel=1e-6)


def test_full_loss_equals_eq15():
    v = unit(8, 4, seed=8)
    seen = ClassEmbeddings(unit(3, 4, seed=9), unit(3, 4, seed=10))
    unseen = ClassEmbeddings(unit(2, 4, seed=11), unit(2, 4, seed=12))
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    config = preset("coco", alpha=0.3, gamma=0.7, tau=0.1, cim_tau=0.5)
    z_seen = 0.3 * seen.definition + 0.7 * seen.content  # Eq. 10
    z_unseen = 0.3 * unseen.definition + 0.7 * unseen.content
    cyc = attend_by_hand(attend_by_hand(z_seen, z_unseen, 0.5), z_seen, 0.5)
    cyc = cyc / cyc.norm(dim=1, keepdim=True)
    expected = (contrastive_by_hand(v, seen.definition, y, 0.1) + contrastive_by_hand(v, seen.content, y, 0.1)
                + 0.7 * contrastive_by_hand(v, cyc, y, 0.1))
    terms = losses.coco_losses(v, y, seen, unseen, config)
    assert losses.total_loss(terms, config.gamma).item() == pytest.approx(expected, rel=1e-6)


EXPECTED_TERMS = {
    "coco": {"definition", "content", "cycle"}, "ad": {"definition"}, "vc": {"content"},
    "ad+vc": {"definition", "content"}, "ad+cim": {"definition", "cycle"}, "vc+cim": {"content", "cycle"},
}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_ablation_switches_its_losses(name):
    v = unit(4, 3, seed=13)
    seen = ClassEmbeddings(unit(2, 3, seed=14), unit(2, 3, seed=15))
    unseen = ClassEmbeddings(unit(2, 3, seed=16), unit(2, 3, seed=17))
    terms = losses.coco_losses(v, torch.tensor([0, 1, 1, 0]), seen, unseen, preset(name))
    assert set(terms) == EXPECTED_TERMS[name]


def test_cim_with_one_source_uses_that_source_alone():
    # AD+CIM: z = z^l (alpha effectively 1), whatever alpha says.
    v = unit(4, 3, seed=18)
    seen = ClassEmbeddings(unit(2, 3, seed=19), unit(2, 3, seed=20))
    unseen = ClassEmbeddings(unit(2, 3, seed=21), unit(2, 3, seed=22))
    y = torch.tensor([0, 1, 1, 0])
    got = losses.coco_losses(v, y, seen, unseen, preset("ad+cim", alpha=0.5))["cycle"]
    want = losses.cycle_loss(v, seen.definition, unseen.definition, y, 0.1, 0.1)
    assert got.item() == pytest.approx(want.item())
