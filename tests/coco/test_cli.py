"""coco's command line: defaults equal the configs', presets, and a SYNTHETIC train + eval round trip."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import torch

from coco import cli
from coco.config import PRESETS, ConfigError, DataConfig, TrainConfig


@pytest.mark.parametrize("cls", [TrainConfig, DataConfig])
def test_train_parser_defaults_equal_dataclass_defaults(cls):
    args = cli.parse(["train"])
    for f in fields(cls):
        assert getattr(args, f.name) == getattr(cls(), f.name), f.name
    assert cli.config_from(args, cls) == cls()


def test_eval_takes_only_the_data_flags_given():
    args = cli.parse(["eval", "--out-dir", "x", "--k", "7"])
    given = {f.name for f in fields(DataConfig) if hasattr(args, f.name)}
    assert given == {"k"} and args.k == 7


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_sets_the_ablation_flags(name):
    config = cli.config_from(cli.parse(["train", "--preset", name]), TrainConfig)
    for field, value in PRESETS[name].items():
        assert getattr(config, field) == value


def test_explicit_flags_win_over_the_preset():
    config = cli.config_from(cli.parse(["train", "--preset", "ad", "--use-cim", "--alpha", "0.7", "--k", "5"]),
                             TrainConfig)
    assert (config.use_definitions, config.use_content, config.use_cim, config.alpha) == (True, False, True, 0.7)


def test_synthetic_train_then_eval_writes_metrics_json(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "3", "--batch-size", "128", "--max-splits", "2", "--out-dir", str(out),
                     "--device", "cpu"]) == 0
    trained = json.loads((out / "metrics.json").read_text())
    assert trained["synthetic"] is True
    assert set(trained["splits"]) == {"synthetic/1", "synthetic/2"}
    per_split_top1 = [m["top1"] for m in trained["splits"].values()]
    assert trained["summary"]["top1"]["mean"] == pytest.approx(sum(per_split_top1) / 2)
    assert all(len(m["per_class"]) == 20 for m in trained["splits"].values())
    assert trained["data"] == DataConfig(max_splits=2).to_dict()
    assert cli.main(["eval", "--out-dir", str(out), "--device", "cpu"]) == 0  # the data comes from the run
    evaluated = json.loads((out / "eval_metrics.json").read_text())
    assert evaluated["data"] == trained["data"] and set(evaluated["splits"]) == set(trained["splits"])
    for name, metrics in trained["splits"].items():
        assert evaluated["splits"][name]["top1"] == pytest.approx(metrics["top1"])
    assert "SYNTHETIC" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "--alpha", "1.5"], "alpha"),
    (["train", "--protocol", "intra"], "needs --dataset and --features"),
    (["train", "--no-use-definitions", "--no-use-content"], "at least one"),
])
def test_bad_values_fail_before_training_with_a_message(argv, message, tmp_path, capsys):
    assert cli.main([*argv, "--out-dir", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()



@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    assert cli.main(["train", "--epochs", "1", "--batch-size", "256", "--max-splits", "2", "--out-dir", str(out),
                     "--device", "cpu", "--alpha", "0.2"]) == 0
    return out


def test_eval_tests_with_the_runs_alpha(synthetic_run, tmp_path):
    assert cli.main(["eval", "--out-dir", str(synthetic_run), "--device", "cpu", "--metrics",
                     str(tmp_path / "m.json")]) == 0
    trained = json.loads((synthetic_run / "metrics.json").read_text())
    evaluated = json.loads((tmp_path / "m.json").read_text())
    assert evaluated["config"]["alpha"] == 0.2
    for name, metrics in trained["splits"].items():
        assert evaluated["splits"][name]["per_class"] == pytest.approx(metrics["per_class"])


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_eval_on_other_data_than_the_run_is_refused_naming_both(synthetic_run, tmp_path, capsys):
    features = tmp_path / "f"
    features.mkdir()
    assert cli.main(["eval", "--out-dir", str(synthetic_run), "--protocol", "intra", "--dataset", "hmdb51",
                     "--features", str(features), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "protocol: checkpoint 'synthetic' vs now 'intra'" in err
    assert "dataset: checkpoint None vs now 'hmdb51'" in err
    assert len(err.strip().splitlines()) == 1


def test_train_into_a_finished_run_is_refused_and_leaves_it_untouched(synthetic_run, capsys):
    before = _files(synthetic_run)
    assert cli.main(["train", "--epochs", "1", "--max-splits", "2", "--out-dir", str(synthetic_run),
                     "--device", "cpu", "--seed", "3"]) == 2
    err = capsys.readouterr().err
    assert "already holds a finished run" in err and "--overwrite" in err and "--resume" in err
    assert len(err.strip().splitlines()) == 1
    assert _files(synthetic_run) == before
    assert cli.main(["train", "--resume", "--overwrite", "--out-dir", str(synthetic_run)]) == 2
    assert "exclude each other" in capsys.readouterr().err


def test_overwrite_replaces_the_run_and_resume_continues_it(tmp_path):
    out = tmp_path / "run"
    common = ["--batch-size", "256", "--max-splits", "1", "--out-dir", str(out), "--device", "cpu"]
    assert cli.main(["train", "--epochs", "2", *common]) == 0
    (out / "notes.txt").write_text("mine")
    assert cli.main(["train", "--epochs", "1", "--overwrite", "--seed", "5", *common]) == 0
    assert torch.load(out / "synthetic_1" / "last.pt", weights_only=True)["config"]["seed"] == 5
    assert torch.load(out / "synthetic_1" / "last.pt", weights_only=True)["epoch"] == 1
    assert (out / "notes.txt").read_text() == "mine"  # only the run's own files are replaced
    assert cli.main(["train", "--epochs", "1", "--resume", "--seed", "5", *common]) == 0


def test_an_unfinished_run_is_refused_too(tmp_path, capsys):
    from coco.experiment import prepare_out_dir

    (tmp_path / "synthetic_1").mkdir()
    (tmp_path / "synthetic_1" / "last.pt").write_bytes(b"x")
    with pytest.raises(ConfigError, match="an unfinished run"):
        prepare_out_dir(TrainConfig(out_dir=str(tmp_path)))
    prepare_out_dir(TrainConfig(out_dir=str(tmp_path), resume=True))
    assert (tmp_path / "synthetic_1" / "last.pt").is_file()


def test_eval_refuses_splits_trained_with_other_configurations(synthetic_run, tmp_path, capsys):
    mixed = tmp_path / "mixed"
    shutil.copytree(synthetic_run, mixed)
    other = tmp_path / "other"
    assert cli.main(["train", "--epochs", "1", "--batch-size", "256", "--max-splits", "2", "--gamma", "0.3",
                     "--out-dir", str(other), "--device", "cpu"]) == 0
    shutil.copy(other / "synthetic_2" / "best.pt", mixed / "synthetic_2" / "best.pt")
    assert cli.main(["eval", "--out-dir", str(mixed), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "another training configuration" in err and "gamma: 0.1 vs 0.3" in err and "alpha: 0.2 vs 0.5" in err


# What a `pip install torch` machine has: torch, its requirements, and numpy (coco's other dependency).
TORCH_ALONE = ["torch", "torchgen", "functorch", "numpy", "numpy.libs", "sympy", "mpmath", "networkx", "jinja2",
               "markupsafe", "filelock", "fsspec", "typing_extensions.py", "setuptools", "_distutils_hack"]


def test_synthetic_training_runs_with_torch_alone(tmp_path):
    site = Path(torch.__file__).resolve().parents[1]
    env_dir = tmp_path / "site"
    env_dir.mkdir()
    for name in TORCH_ALONE:
        if (site / name).exists():
            (env_dir / name).symlink_to(site / name)
    src = Path(__file__).resolve().parents[2] / "packages/coco/src"
    actionhub_src = src.parents[1] / "actionhub/src"  # coco depends on actionhub; none of actionhub's dependencies
    out_dir = tmp_path / "run"
    # -S -I: no site-packages and no environment, so only the linked packages and the sources are importable.
    code = (f"import sys; sys.path[:0] = [{str(src)!r}, {str(actionhub_src)!r}, {str(env_dir)!r}]; import runpy; "
            f"sys.argv = ['coco', 'train', '--epochs', '1', '--max-splits', '1', '--progress', "
            f"'--out-dir', {str(out_dir)!r}]; runpy.run_module('coco', run_name='__main__')")
    out = subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "SYNTHETIC" in out.stdout and (out_dir / "metrics.json").is_file()


def _actionhub_dir(root: Path, names: list[str]) -> Path:
    """A tiny published ActionHub dataset (SYNTHETIC descriptions) whose actions are ``names``, two per class."""
    pa = pytest.importorskip("pyarrow")
    from actionhub import publish, schema
    from actionhub.queries import build_table
    from actionhub.sources import Alias

    actions, _ = build_table([("test", len(names), [Alias("test", n, n) for n in names])])
    ids, spelled = actions.column("action_id").to_pylist(), actions.column("action").to_pylist()
    desc = [{"description_id": f"synthetic:{a}:{r}", "action_id": a, "action": n, "site": "synthetic",
             "asset_id": f"{a}-{r}", "queries": [n], "description": f"SYNTHETIC video of {n}, take {r}",
             "keywords": None, "n_sentences": 1, "relevance": 1.0, "rank": r}
            for a, n in zip(ids, spelled, strict=True) for r in (1, 2)]
    sentences = [{"description_id": d["description_id"], "action_id": d["action_id"], "action": d["action"],
                  "sentence_index": 0, "sentence": d["description"]} for d in desc]
    publish.publish({"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
                     "sentences": pa.Table.from_pylist(sentences, schema=schema.SENTENCES), "actions": actions}, root)
    return root


@pytest.mark.slow
def test_real_run_eval_and_predict_refuse_changed_data(tmp_path, capsys):
    pytest.importorskip("transformers")
    from actionhub.assets import MissingAssetError, resolve_encoder
    from coco.definitions import class_names
    from coco.features import write_features

    try:
        resolve_encoder()
    except MissingAssetError:
        pytest.skip("bundled encoder not installed")
    names = list(class_names("hmdb51"))
    feats = tmp_path / "f"
    rng = np.random.default_rng(0)
    labels = [n for n in names for _ in range(3)]
    write_features(feats, rng.normal(size=(len(labels), 16)).astype(np.float32),
                   [f"synthetic-{i}" for i in range(len(labels))], labels, names)
    meta = json.loads((feats / "meta.json").read_text())
    def recipe(frames: int) -> dict:  # the parts of a `coco features` recipe that identify it (preset, weights)
        return {"preset": {"name": "synthetic", "sampling": {"frames": frames}}, "weights": {"kind": "random-init"}}

    (feats / "meta.json").write_text(json.dumps(meta | {"recipe": recipe(8)}))
    hub = _actionhub_dir(tmp_path / "hub", names)
    out = tmp_path / "run"
    assert cli.main(["train", "--protocol", "intra", "--dataset", "hmdb51", "--features", str(feats), "--actionhub",
                     str(hub), "--k", "2", "--max-splits", "1", "--cache-dir", str(tmp_path / "cache"),
                     "--epochs", "1", "--device", "cpu", "--out-dir", str(out)]) == 0
    assert cli.main(["eval", "--out-dir", str(out), "--device", "cpu"]) == 0  # the run's data, found alone
    capsys.readouterr()

    def refused(argv: list[str], *parts: str) -> None:
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert all(part in err for part in parts), err

    refused(["eval", "--out-dir", str(out), "--k", "1"], "k (descriptions): checkpoint 2 vs now 1")
    card = (hub / "README.md").read_text()
    (hub / "README.md").write_text(card + "rebuilt\n")
    refused(["eval", "--out-dir", str(out)], "ActionHub dataset: checkpoint '")
    (hub / "README.md").write_text(card)
    (feats / "meta.json").write_text(json.dumps(meta | {"recipe": recipe(16)}))
    refused(["eval", "--out-dir", str(out)], 'video features recipe: checkpoint {"preset":{"name":"synthetic",'
            '"sampling":{"frames":8}}', 'vs now {"preset":{"name":"synthetic","sampling":{"frames":16}}')
    best = str(out / "hmdb51_1" / "best.pt")
    predict = ["predict", "--checkpoint", best, "--actions", "brush hair,climb", "--actionhub", str(hub)]
    refused([*predict, "--features", str(feats), "--k", "2"], "video features recipe")
    (feats / "meta.json").write_text(json.dumps(meta | {"recipe": recipe(8)}))
    refused([*predict, "--features", str(feats), "--k", "5"], "k (descriptions): checkpoint 2 vs now 5")
    refused([*predict, "--features", str(feats), "--k", "2", "--encoder", str(resolve_encoder())], "encoder: ")
    assert cli.main([*predict, "--features", str(feats), "--k", "2", "--top", "1"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == len(labels) and all(r["actions"][0] in ("brush hair", "climb") for r in rows)


@pytest.mark.parametrize(("env", "expected"), [({}, "PASSIVE"), ({"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE")])
def test_passive_waiting_is_set_before_torch_loads_unless_the_user_chose(env, expected):
    import os

    src = Path(__file__).resolve().parents[2] / "packages"
    # An import hook prints the variable at the moment torch is first imported: OpenMP reads it when it loads.
    code = ("import os, sys\n"
            "class Hook:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'torch':\n"
            "            print(os.environ.get('OMP_WAIT_POLICY'))\n"
            "sys.meta_path.insert(0, Hook())\n"
            "from coco import cli\n"
            "cli.set_threads = lambda t: sys.exit(0)\n"
            "cli.main(['train', '--epochs', '1'])\n")
    base = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    path = os.pathsep.join([str(src / "coco/src"), str(src / "actionhub/src")])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env=base | env | {"PYTHONPATH": path})
    assert out.returncode == 0 and out.stdout.split() == [expected], out.stderr


def test_default_threads_follow_the_cores_unless_omp_num_threads_is_set(monkeypatch):
    import os

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert cli.default_threads() == min(len(os.sched_getaffinity(0)), cli.MAX_DEFAULT_THREADS)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert cli.default_threads() is None
