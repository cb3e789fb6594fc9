"""issue 14, items 8 and 11: a build whose harvest got nothing stops without publishing and says how to resume;
a dataset built from the emulator or a local corpus says so (``source_kind``)."""

from __future__ import annotations

import json

import pytest
import yaml

from actionhub import cli, pipeline
from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.emulator import Emulator, EmulatorConfig, Faults

NOT_FOUND = Faults(error_every=1, error_burst=1, error_status=404)  # every search fails at once, no retries


def _config(tmp_path, url, site="shutterstock", **changes) -> pipeline.BuildConfig:
    classes = tmp_path / "classes.txt"
    classes.write_text("playing tennis\nsurfing\njuggling balls\n")
    harvest = HarvestConfig.from_options(site=site, base_url=url, max_pages=2, per_page=10, rate=0.0,
                                         concurrency=2, progress=False)
    return pipeline.BuildConfig(**{"out": tmp_path / "out", "sources": (), "classes": classes, "harvest": harvest,
                                   **changes})


def _argv(config: pipeline.BuildConfig) -> list[str]:
    return ["build", "--out", str(config.out), "--sources", "", "--classes", str(config.classes), "--base-url",
            config.harvest.access.base_url, "--max-pages", "2", "--per-page", "10", "--rate", "0", "--no-progress",
            "--no-near-dedup"]


def test_a_build_whose_every_request_failed_publishes_nothing_and_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with Emulator(EmulatorConfig(faults=NOT_FOUND)) as down:
        config = _config(tmp_path, down.url)
        with pytest.raises(pipeline.HarvestShortfall, match="0 descriptions; 0 of 3 tasks"):
            pipeline.build(config)
        assert not (config.out / pipeline.DATASET_NAME).exists()
        assert not (config.out / pipeline.WORK_DIR / "done" / "harvest.json").exists()
        # The same command again, as a person would: still refused, and it names the command that resumes.
        assert cli.main(_argv(config)) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2 and "nothing published" in err[0] and "Traceback" not in "".join(err)
        assert err[1].startswith("resume with: actionhub build ") and err[1].endswith(" --retry-failed")
        port = int(down.url.rsplit(":", 1)[1])
    with Emulator(EmulatorConfig(), port=port) as up:  # the site is back
        resume = err[1].removeprefix("resume with: actionhub ").split(" ")
        assert cli.main([a.strip("'") for a in resume]) == 0
        assert up.requests_to("/v2") > 0
    marker = json.loads((config.out / pipeline.DATASET_NAME / ".actionhub-complete.json").read_text())
    assert marker["rows"]["descriptions"] > 0


def test_min_success_share_is_validated(tmp_path):
    with pytest.raises(ValueError, match="min_success_share"):
        _config(tmp_path, "http://127.0.0.1:1", min_success_share=1.5)


def test_an_emulator_build_is_marked_synthetic_in_its_card_and_metadata(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with Emulator() as emu:
        summary = pipeline.build(_config(tmp_path, emu.url, near_dedup=False))
    card = (summary.dataset / "README.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert front["source_kind"] == "synthetic" and "SYNTHETIC" in card
    assert json.loads((summary.dataset / ".actionhub-complete.json").read_text())["source_kind"] == "synthetic"


@pytest.mark.parametrize(("site", "base_url", "kind"), [
    ("corpus", "CORPUS", "local_corpus"), ("shutterstock", "http://localhost:8765", "synthetic"),
    ("shutterstock", "", "site"), ("shutterstock", "https://api.example.com", "site")])
def test_provenance_follows_the_site(tmp_path, site, base_url, kind):
    corpus = tmp_path / "captions.csv"
    corpus.write_text("id,caption\n1,a man surfing\n")
    config = _config(tmp_path, base_url.replace("CORPUS", str(corpus)), site=site)
    assert pipeline.provenance(config) == kind
