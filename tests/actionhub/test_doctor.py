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


def test_gpu_probe_reads_the_driver(tmp_path, monkeypatch):
    gpu = tmp_path / "0000:3b:00.0"
    gpu.mkdir()
    (gpu / "information").write_text("Model: \t\t NVIDIA H200\nIRQ:   42\n")
    monkeypatch.setattr(doctor, "NVIDIA_PROC", tmp_path)
    check = doctor._gpu()
    assert check.ok and check.detail == "NVIDIA H200" and not check.required


def test_gpu_probe_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys; from actionhub import doctor; doctor._gpu(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_gpu_probe_answers_no_gpu_when_the_driver_reports_none(tmp_path, monkeypatch):
    monkeypatch.setattr(doctor, "NVIDIA_PROC", tmp_path / "absent")
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    assert not doctor._gpu().ok


def test_only_sites_with_an_adapter_have_credential_checks():
    from actionhub.harvest.sites import SITES

    assert set(doctor.CREDENTIALS) <= set(SITES)
