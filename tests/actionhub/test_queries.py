"""The query table: merges, ids, per-source report, user classes, bad input, and file round trips."""

from __future__ import annotations

import pyarrow as pa
import pytest

from actionhub import queries
from actionhub.queries import QueriesConfig, QueriesError, build_queries, build_table, read_queries, write_queries
from actionhub.schema import QUERIES
from actionhub.sources import PAPER_SOURCES, SOURCES, Alias


@pytest.fixture(scope="module")
def all_seven():
    return build_queries(QueriesConfig())


def _actions_by_key(table: pa.Table) -> dict[str, dict]:
    return {row["key"]: row for row in table.to_pylist()}


def test_synthetic_aliases_group_as_worked_by_hand():
    groups = [("a", 2, [Alias("a", "laughing", "laughing"), Alias("a", "swim", "swim")]),
              ("b", 2, [Alias("b", "laugh", "laugh"), Alias("b", "Swimming_x", "swimming")])]
    table, report = build_table(groups)
    assert table.schema.equals(QUERIES)
    assert table.to_pylist() == [
        {"action_id": 0, "action": "laugh", "key": "laugh", "queries": ["laughing", "laugh"],
         "aliases": [{"source": "a", "name": "laughing", "query": "laughing"},
                     {"source": "b", "name": "laugh", "query": "laugh"}], "sources": ["a", "b"]},
        {"action_id": 1, "action": "swim", "key": "swim", "queries": ["swim", "swimming"],
         "aliases": [{"source": "a", "name": "swim", "query": "swim"},
                     {"source": "b", "name": "Swimming_x", "query": "swimming"}], "sources": ["a", "b"]},
    ]
    assert [(c.source, c.names, c.aliases, c.new_actions) for c in report.contributions] == [("a", 2, 2, 2),
                                                                                            ("b", 2, 2, 0)]
    assert report.names == 4 and report.actions == 2
    assert [m.action for m in report.merges] == ["laugh", "swim"]
    # Both merges join different queries, so both were made by normalization, and the report lists them.
    assert report.format().splitlines() == [
        "4 class names -> 2 actions; 2 actions gathered 2+ names (0 by equal queries, 2 by normalization)",
        "  source        names  aliases  new actions",
        "  a                 2        2            2",
        "  b                 2        2            0",
        "merges made by normalization (first 2):",
        "  'laugh': a:laughing | b:laugh",
        "  'swim': a:swim | b:Swimming_x",
    ]


def test_equal_queries_merge_without_counting_as_normalization():
    groups = [("a", 1, [Alias("a", "Juggling", "juggling")]), ("b", 1, [Alias("b", "juggling", "juggling")])]
    table, report = build_table(groups)
    assert table.num_rows == 1 and table.column("queries").to_pylist() == [["juggling"]]
    assert [m.by_normalization for m in report.merges] == [False]
    assert "(1 by equal queries, 0 by normalization)" in report.format()
    assert "merges made by normalization" not in report.format()


def test_all_seven_sources_land_near_the_papers_count(all_seven):
    table, report = all_seven
    assert report.names == 700 + 339 + 80 + 200 + 16 + 51 + 101  # 1487, from the reference README
    # Paper: 1490 names -> 1211 actions. Same procedure on 3 fewer ActivityNet names: within 2%.
    assert abs(report.actions - 1211) <= 0.02 * 1211
    assert sum(c.new_actions for c in report.contributions) == report.actions == table.num_rows
    assert [c.source for c in report.contributions] == list(PAPER_SOURCES)


def test_ids_follow_key_order_and_every_alias_appears_once(all_seven):
    table, _ = all_seven
    keys = table.column("key").to_pylist()
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert table.column("action_id").to_pylist() == list(range(table.num_rows))
    aliases = [(a["source"], a["name"], a["query"]) for row in table.column("aliases").to_pylist() for a in row]
    expected = [tuple(a) for s in PAPER_SOURCES for a in SOURCES[s].aliases()]
    assert sorted(aliases) == sorted(expected)


def test_action_is_the_shortest_query_and_sources_are_sorted(all_seven):
    for row in all_seven[0].to_pylist():
        assert row["action"] in row["queries"]
        assert len(row["action"]) == min(map(len, row["queries"]))
        assert row["sources"] == sorted(set(a["source"] for a in row["aliases"]))
        assert len(row["queries"]) == len(set(row["queries"]))


# (key, (source, real name) pairs that must share that action), worked by hand.
MERGES = [
    ("laugh", [("kinetics700", "laughing"), ("mit", "laughing"), ("hmdb51", "laugh")]),
    ("ride bike", [("kinetics700", "riding a bike"), ("hmdb51", "ride_bike")]),
    ("fence", [("kinetics700", "fencing (sport)"), ("activitynet", "Doing fencing"), ("ucf101", "Fencing")]),
    ("hit", [("ava", "fight/hit (a person)"), ("ava", "hit (an object)"), ("hmdb51", "hit")]),
    ("push up", [("kinetics700", "push up"), ("ucf101", "PushUps")]),
    ("blow dry hair", [("activitynet", "Blow-drying hair"), ("ucf101", "BlowDryHair")]),
]


@pytest.mark.parametrize(("key", "members"), MERGES, ids=[k for k, _ in MERGES])
def test_names_of_one_action_merge(all_seven, key, members):
    row = _actions_by_key(all_seven[0])[key]
    names = {(a["source"], a["name"]) for a in row["aliases"]}
    assert set(members) <= names


# Pairs of real names that are different actions and must stay apart.
DISTINCT = [(("mit", "taping"), ("mit", "tapping")), (("kinetics700", "push up"), ("ava", "push (an object)")),
            (("ava", "get up"), ("kinetics700", "getting a haircut")), (("mit", "riding"), ("ava", "run/jog"))]


@pytest.mark.parametrize(("one", "other"), DISTINCT)
def test_distinct_actions_do_not_merge(all_seven, one, other):
    owner = {(a["source"], a["name"]): row["key"] for row in all_seven[0].to_pylist() for a in row["aliases"]}
    assert owner[one] != owner[other]


def test_report_format_lists_every_source_and_merge_examples(all_seven):
    text = all_seven[1].format()
    assert f"1487 class names -> {all_seven[1].actions} actions" in text
    for name in PAPER_SOURCES:
        assert f"\n  {name} " in text
    assert "merges made by normalization" in text


def test_user_classes_add_actions_alongside_sources(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("# extra\ntightrope walking\nlaughing out loud\nLaughing\n")
    table, report = build_queries(QueriesConfig(sources=("hmdb51",), classes=path))
    rows = _actions_by_key(table)
    assert rows["tightrope walk"]["sources"] == ["user"]
    assert rows["laugh"]["sources"] == ["hmdb51", "user"]  # "Laughing" joins HMDB51's "laugh"
    assert rows["laugh loud"]["queries"] == ["laughing out loud"]
    assert report.contributions[-1].source == "user" and report.contributions[-1].new_actions == 2
    hmdb51_alone = build_queries(QueriesConfig(sources=("hmdb51",)))[1].actions
    assert report.actions == hmdb51_alone + 2  # "Laughing" joins, the two others are new


def test_classes_alone_without_sources(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("moonwalking\n")
    table, _ = build_queries(QueriesConfig(sources=(), classes=str(path)))
    assert table.column("action").to_pylist() == ["moonwalking"]


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(QueriesError) as err:
        QueriesConfig(sources=("kinetics700", "kinetics800"))
    assert "'kinetics800'" in str(err.value)
    assert all(name in str(err.value) for name in SOURCES)


@pytest.mark.parametrize("sources", [("mit", "mit"), ()])
def test_duplicate_or_no_source_is_an_error(sources):
    with pytest.raises(QueriesError):
        QueriesConfig(sources=sources)


def test_name_that_normalizes_to_nothing_is_named(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("moonwalking\nDoing it\n")
    with pytest.raises(QueriesError, match="'Doing it' normalizes to nothing"):
        build_queries(QueriesConfig(sources=(), classes=path))


def test_config_accepts_a_list_or_the_command_line_spelling():
    assert QueriesConfig(sources=["mit", "ava"]).sources == ("mit", "ava")
    assert QueriesConfig(sources="all").sources == PAPER_SOURCES
    assert QueriesConfig(sources="hmdb51, ucf101").sources == ("hmdb51", "ucf101")


def test_parse_sources():
    assert queries.parse_sources("all") == PAPER_SOURCES
    assert queries.parse_sources(" kinetics700, mit,") == ("kinetics700", "mit")
    assert queries.parse_sources("") == ()


@pytest.mark.parametrize(("suffix", "fmt"), [(".parquet", None), (".csv", None), (".tsv", "csv"), (".pq", "parquet")])
def test_round_trip_preserves_the_table(tmp_path, suffix, fmt):
    table, _ = build_queries(QueriesConfig(sources=("ava", "hmdb51")))
    path = write_queries(table, tmp_path / "sub" / f"q{suffix}", fmt)
    back = read_queries(path, fmt)
    assert back.schema.equals(QUERIES)
    assert back.equals(table)


def test_csv_list_columns_are_json(tmp_path):
    table, _ = build_queries(QueriesConfig(sources=("hmdb51",)))
    path = write_queries(table, tmp_path / "q.csv")
    header, first = path.read_text().splitlines()[:2]
    assert header == '"action_id","action","key","queries","aliases","sources"'
    assert '"[""brush hair""]"' in first


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    def half_write(table, where):
        where.write(b"PAR1 partial")  # the open temporary file
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", half_write)
    table, _ = build_queries(QueriesConfig(sources=("hmdb51",)))
    with pytest.raises(OSError, match="disk full"):
        write_queries(table, tmp_path / "q.parquet")
    assert list(tmp_path.iterdir()) == []


def test_write_rejects_a_table_of_another_schema(tmp_path):
    with pytest.raises(QueriesError, match="schema"):
        write_queries(pa.table({"x": [1]}), tmp_path / "q.parquet")
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_an_error(tmp_path):
    with pytest.raises(QueriesError, match="parquet, csv"):
        queries.format_for(tmp_path / "q.json", "json")
