"""Every method from the command line on the real protocols (intra HMDB51, cross UCF101), on tiny on-disk data.

Real class names, splits and feature/ActionHub formats; SYNTHETIC features and descriptions, and a hash encoder
in place of MiniLM (a fixed random vector per text) so the runs take seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from coco import cli, protocols, textfeats
from coco.config import DataConfig
from coco.features import write_features
from coco.methods import CHECKPOINTED, METHODS
from coco.methods.unitdata import UnitTexts, with_units
from coco.real import real_tasks

pa = pytest.importorskip("pyarrow")


class HashEncoder:
    """A fake frozen encoder: a fixed random vector per distinct text."""

    identity = "test-hash-encoder"

    def encode(self, texts):
        return np.stack([self.vector(t) for t in texts]).astype(np.float32)

    @staticmethod
    def vector(text: str) -> np.ndarray:
        return np.random.default_rng(abs(hash(text)) % 2**32).normal(size=8)


def description(name: str, rank: int) -> str:
    return f"SYNTHETIC video of {name}, take {rank}"


def actionhub_dir(root: Path, names: list[str]) -> Path:
    """A published ActionHub dataset whose actions are ``names``, three SYNTHETIC descriptions each."""
    from actionhub import publish, schema
    from actionhub.queries import build_table
    from actionhub.sources import Alias

    actions, _ = build_table([("test", len(names), [Alias("test", n, n) for n in names])])
    ids, spelled = actions.column("action_id").to_pylist(), actions.column("action").to_pylist()
    desc = [{"description_id": f"synthetic:{a}:{r}", "action_id": a, "action": n, "site": "synthetic",
             "asset_id": f"{a}-{r}", "queries": [n], "description": description(n, r), "keywords": None,
             "n_sentences": 1, "relevance": 1.0, "rank": r}
            for a, n in zip(ids, spelled, strict=True) for r in (1, 2, 3)]
    sentences = [{"description_id": d["description_id"], "action_id": d["action_id"], "action": d["action"],
                  "sentence_index": 0, "sentence": d["description"]} for d in desc]
    publish.publish({"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
                     "sentences": pa.Table.from_pylist(sentences, schema=schema.SENTENCES), "actions": actions}, root)
    return root


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, list[str]]:
    """``--protocol ... --features ... --actionhub ...`` flags of the first split of each real protocol."""
    from actionhub.assets import MissingAssetError, resolve_encoder

    try:
        resolve_encoder()  # the data identity hashes the bundled encoder's files (the runs encode with a hash)
    except MissingAssetError:
        pytest.skip("bundled encoder not installed")
    root = tmp_path_factory.mktemp("real")
    rng = np.random.default_rng(0)
    out = {}
    for protocol, dataset in (("intra", "hmdb51"), ("cross", "ucf101")):
        split = protocols.get(protocol, dataset)[0]
        names = sorted(set(split.seen + split.unseen + split.val))
        labels = [n for n in names for _ in range(2)]
        feats = root / f"{protocol}-features"
        write_features(feats, rng.normal(size=(len(labels), 16)).astype(np.float32),
                       [f"synthetic-{i}" for i in range(len(labels))], labels, names)
        hub = actionhub_dir(root / f"{protocol}-hub", names)
        out[protocol] = ["--protocol", protocol, "--dataset", dataset, "--features", str(feats), "--actionhub",
                         str(hub), "--k", "2", "--max-splits", "1", "--cache-dir", str(root / "cache")]
    return out


@pytest.fixture(autouse=True)
def hash_encoder(monkeypatch):
    monkeypatch.setattr(textfeats, "load_encoder", lambda spec=None: HashEncoder())


TRAIN = ["--epochs", "1", "--batch-size", "64", "--device", "cpu", "--threads", "1"]


@pytest.mark.parametrize("protocol", ["intra", "cross"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_trains_on_the_real_protocols_from_the_cli(data, protocol, method, tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(["train", *data[protocol], *TRAIN, "--method", method, "--out-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    report = json.loads((out / "metrics.json").read_text())
    split = protocols.get(protocol, data[protocol][3])[0]
    assert report["config"]["method"] == method and list(report["splits"]) == [split.name]
    metrics = report["splits"][split.name]
    assert set(metrics["per_class"]) == set(split.unseen) and 0.0 <= metrics["top1"] <= 100.0
    assert (out / split.name.replace("/", "_") / "best.pt").is_file() == (method in CHECKPOINTED)


def test_units_of_a_real_protocol_are_the_classes_top_k_description_features(data):
    flags = dict(zip(data["intra"][::2], data["intra"][1::2], strict=True))
    config = DataConfig(protocol="intra", dataset="hmdb51", features=flags["--features"],
                        actionhub=flags["--actionhub"], k=2, max_splits=1)
    (task,) = list(with_units(real_tasks(config, encoder=HashEncoder()), config, encoder=HashEncoder()))
    assert isinstance(task.texts, UnitTexts) and task.texts.units.shape[1] == 2 and task.texts.mask.all()
    for i in (0, len(task.texts.names) - 1):
        name = task.texts.names[i]
        want = torch.tensor(np.stack([HashEncoder.vector(description(name, r)) for r in (1, 2)]), dtype=torch.float32)
        torch.testing.assert_close(task.texts.units[i], want)


def test_eval_and_predict_use_an_er_run_as_the_ad_model_it_is(data, tmp_path, capsys):
    out = tmp_path / "er"
    assert cli.main(["train", *data["intra"], *TRAIN, "--method", "er", "--out-dir", str(out)]) == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["config"]["method"] == "er" and not report["config"]["use_content"]
    trained = report["splits"]["hmdb51/1"]
    payload = torch.load(out / "hmdb51_1" / "best.pt", weights_only=True)
    assert payload["config"]["method"] == "er" and not payload["config"]["use_content"]
    assert cli.main(["eval", "--out-dir", str(out), "--device", "cpu"]) == 0
    assert json.loads((out / "eval_metrics.json").read_text())["splits"]["hmdb51/1"]["top1"] == pytest.approx(
        trained["top1"])
    capsys.readouterr()
    np.save(tmp_path / "videos.npy", np.zeros((2, 16), np.float32))
    assert cli.main(["predict", "--checkpoint", str(out / "hmdb51_1" / "best.pt"), "--features",
                     str(tmp_path / "videos.npy"), "--actions", "brush hair,climb", "--actionhub",
                     data["intra"][7], "--k", "2", "--top", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


@pytest.mark.parametrize("method", sorted(set(METHODS) - CHECKPOINTED))
def test_eval_and_predict_refuse_a_run_without_checkpoints_naming_its_method(data, method, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", *data["intra"], *TRAIN, "--method", method, "--out-dir", str(out)]) == 0
    capsys.readouterr()
    for argv in (["eval", "--out-dir", str(out)],
                 ["predict", "--checkpoint", str(out / "hmdb51_1" / "best.pt"), "--features", str(out),
                  "--actions", "climb,run"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert f"method {method!r}, which writes no checkpoints" in err
