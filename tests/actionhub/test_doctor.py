"""`actionhub doctor`: exit codes follow required checks; credentials are never echoed."""

from __future__ import annotations

from actionhub import cli, doctor


def test_report_fails_only_on_missing_required():
    ok = doctor.Check("a", True, True, "here")
    optional_missing = doctor.Check("b", False, False, "absent", "do x")
    required_missing = doctor.Check("c", True, False, "gone", "run y")
    assert doctor.report([ok, optional_missing])[1] == 0
    text, code = doctor.report([ok, required_missing])
    assert code == 1 and "MISSING" in text and "fix: run y" in text


def test_doctor_passes_in_the_set_up_environment(capsys, monkeypatch):
    monkeypatch.setenv("SHUTTERSTOCK_CLIENT_SECRET", "s3cr3t-value")
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    for name in ("NLTK WordNet", "word vectors", "text encoder", "GPU", "credentials: shutterstock"):
        assert name in out
    assert "s3cr3t-value" not in out


def test_doctor_exits_nonzero_when_a_required_asset_is_missing(capsys, monkeypatch):
    import nltk

    monkeypatch.setattr(nltk.data, "path", [])
    assert cli.main(["doctor"]) == 1
    assert "NLTK WordNet" in capsys.readouterr().out
