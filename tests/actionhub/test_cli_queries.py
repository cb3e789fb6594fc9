"""`actionhub queries`: parser defaults, output, and errors as exit code 2 with no partial file."""

from __future__ import annotations

import dataclasses

import pytest

from actionhub import cli
from actionhub.queries import QueriesConfig, read_queries


def _parse(*argv: str):
    return cli.build_parser().parse_args(["queries", *argv])


def test_parser_defaults_equal_config_defaults(tmp_path):
    args = _parse("--out", str(tmp_path / "q.parquet"))
    for field in dataclasses.fields(QueriesConfig):
        assert getattr(args, field.name) == field.default, field.name


def test_writes_parquet_and_prints_the_summary(tmp_path, capsys):
    out = tmp_path / "q.parquet"
    assert cli.main(["queries", "--sources", "hmdb51,ucf101", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "152 class names ->" in text and "hmdb51" in text and "ucf101" in text
    table = read_queries(out)
    assert f"wrote {table.num_rows} actions to {out}" in text
    assert {s for row in table.column("sources").to_pylist() for s in row} == {"hmdb51", "ucf101"}


def test_csv_on_request(tmp_path):
    out = tmp_path / "q.out"
    assert cli.main(["queries", "--sources", "ava", "--out", str(out), "--format", "csv"]) == 0
    assert out.read_text().startswith('"action_id"')
    assert read_queries(out, "csv").num_rows > 0


def _bad_utf8(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"moonwalking\n\xc3\x28\n")
    return ["--classes", str(path)], "line 2"


def _empty(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("# nothing\n")
    return ["--classes", str(path)], "no class names"


def _missing(tmp_path):
    return ["--classes", str(tmp_path / "nope.txt")], "cannot read class file"


def _unknown(tmp_path):
    return ["--sources", "kinetics700,moments"], "valid sources: kinetics400"


def _stop_words_only(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("the\n")
    return ["--sources", "", "--classes", str(path)], "'the' normalizes to nothing"


@pytest.mark.parametrize("case", [_bad_utf8, _empty, _missing, _unknown, _stop_words_only])
def test_bad_input_exits_2_with_a_message_and_no_file(tmp_path, capsys, case):
    argv, message = case(tmp_path)
    out = tmp_path / "out" / "q.parquet"
    assert cli.main(["queries", "--sources", "ava", *argv, "--out", str(out)] if "--sources" not in argv
                    else ["queries", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_default_output_goes_under_out_not_the_working_directory(tmp_path, monkeypatch):
    from actionhub import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["queries", "--sources", "hmdb51"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["queries.parquet"]
