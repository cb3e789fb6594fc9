"""The source registry and per-source cleaning, table-driven over real class names of every source."""

from __future__ import annotations

from pathlib import Path

import pytest

from actionhub.sources import (
    PAPER_SOURCES,
    SOURCES,
    USER,
    Alias,
    QueriesError,
    clean_any,
    compact,
    read_user_classes,
    split_camel_case,
)

ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the checkout (a worktree under wt/ has it one level further up).
REFERENCE = next((p for p in (ROOT.parent / "shared/reference", ROOT.parent.parent / "shared/reference")
                  if p.is_dir()), ROOT.parent / "shared/reference")

# Names per list, from ../shared/reference/README.md (written there from the source repositories).
EXPECTED_COUNTS = {"kinetics400": 400, "kinetics600": 600, "kinetics700": 700, "mit": 339, "ava": 80,
                   "activitynet": 200, "olympic": 16, "hmdb51": 51, "ucf101": 101}

# (source, real class name, expected search queries), worked by hand from the cleaning rules.
CLEANED = [
    ("ucf101", "ApplyEyeMakeup", ["apply eye makeup"]),
    ("ucf101", "YoYo", ["yo-yo"]),
    ("ucf101", "PlayingDaf", ["playing daf"]),
    ("ucf101", "TaiChi", ["tai chi"]),
    ("ucf101", "HandstandPushups", ["handstand pushups"]),
    ("ucf101", "CuttingInKitchen", ["cutting in kitchen"]),
    ("hmdb51", "brush_hair", ["brush hair"]),
    ("hmdb51", "fall_floor", ["fall floor"]),
    ("hmdb51", "pullup", ["pullup"]),
    ("mit", "playing+fun", ["playing fun"]),
    ("mit", "adult+female+speaking", ["adult female speaking"]),
    ("mit", "laughing", ["laughing"]),
    ("ava", "close (e.g., a door, a box)", ["close"]),
    ("ava", "fight/hit (a person)", ["fight", "hit"]),
    ("ava", "text on/look at a cellphone", ["text on a cellphone", "look at a cellphone"]),
    ("ava", "give/serve (an object) to (a person)", ["give", "serve"]),
    ("ava", "point to (an object)", ["point"]),
    ("ava", "dress/put on clothing", ["dress", "put on clothing"]),
    ("ava", "lift/pick up", ["lift", "pick up"]),
    ("ava", "bend/bow (at the waist)", ["bend", "bow"]),
    ("ava", "play with kids", ["play with kids"]),
    ("kinetics700", "hugging (not baby)", ["hugging"]),
    ("kinetics700", "curling (sport)", ["curling"]),
    ("kinetics700", "massaging person's head", ["massaging person's head"]),
    ("kinetics700", "passing American football (not in game)", ["passing american football"]),
    ("kinetics700", "throwing ball (not baseball or American football)", ["throwing ball"]),
    ("kinetics400", "skiing (not slalom or crosscountry)", ["skiing"]),
    ("kinetics600", "riding or walking with horse", ["riding or walking with horse"]),
    ("activitynet", "Blow-drying hair", ["blow-drying hair"]),
    ("activitynet", "Tug of war", ["tug of war"]),
    ("activitynet", "BMX", ["bmx"]),
    ("olympic", "diving platform 10m", ["diving platform 10m"]),
]


def test_registry_covers_the_papers_seven_and_more():
    assert set(EXPECTED_COUNTS) == set(SOURCES)
    assert len(PAPER_SOURCES) == 7 and set(PAPER_SOURCES) <= set(SOURCES)
    assert {"kinetics400", "kinetics600"} <= set(SOURCES) - set(PAPER_SOURCES)


@pytest.mark.parametrize("name", list(SOURCES))
def test_each_source_loads_its_full_list(name):
    source = SOURCES[name]
    names = source.names()
    assert len(names) == EXPECTED_COUNTS[name] == source.count
    assert len(set(names)) == len(names)
    assert all(n == n.strip() and n for n in names)


@pytest.mark.parametrize("name", list(SOURCES))
def test_each_source_cleans_every_name_into_plain_lower_case_queries(name):
    for alias in SOURCES[name].aliases():
        q = alias.query
        assert q and q == q.lower() and q == " ".join(q.split()), alias
        assert not set(q) & set("()_+/"), alias
        assert alias.source == name


@pytest.mark.parametrize(("source", "name", "expected"), CLEANED, ids=[f"{s}:{n}" for s, n, _ in CLEANED])
def test_real_names_clean_as_worked_by_hand(source, name, expected):
    assert name in SOURCES[source].names()  # a real name of that list, not an invented one
    assert SOURCES[source].clean(name) == expected


def test_slash_alternatives_keep_the_original_name_and_source():
    aliases = [a for a in SOURCES["ava"].aliases() if a.name == "fight/hit (a person)"]
    assert aliases == [Alias("ava", "fight/hit (a person)", "fight"), Alias("ava", "fight/hit (a person)", "hit")]


@pytest.mark.parametrize(("camel", "words"), [("BMXRace", "bmx race"), ("PlayingTV", "playing tv"),
                                               ("Diving10m", "diving 10 m")])
def test_camel_case_acronyms_and_digits_synthetic(camel, words):
    assert split_camel_case(camel) == words


@pytest.mark.parametrize("name", list(SOURCES))
def test_cleaning_a_name_of_unknown_origin_agrees_with_its_own_sources_cleaner(name):
    source = SOURCES[name]
    assert [n for n in source.names() if clean_any(n) != source.clean(n)] == []


@pytest.mark.parametrize(("a", "b"), [("ApplyEyeMakeup", "apply eye-makeup"), ("skate boarding", "Skateboarding"),
                                      ("brush_hair", "Brush Hair")])
def test_compact_is_blind_to_case_spaces_and_punctuation(a, b):
    assert compact(a) == compact(b) and compact(a).isalnum() and compact(a).islower()


def test_user_class_file_skips_comments_blanks_and_repeats(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("\ufeff# my actions\n\nMoonwalking\n  juggling  fire \nMoonwalking\n", encoding="utf-8")
    assert read_user_classes(path) == [Alias(USER, "Moonwalking", "moonwalking"),
                                       Alias(USER, "juggling  fire", "juggling fire")]


def test_user_class_file_bad_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok\n# fine\n\xff\xfe broken\n")
    with pytest.raises(QueriesError, match="line 3"):
        read_user_classes(path)


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n  \n"])
def test_user_class_file_without_names_is_an_error(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_text(content)
    with pytest.raises(QueriesError, match="no class names"):
        read_user_classes(path)


@pytest.mark.parametrize("make", [lambda p: p / "missing.txt", lambda p: p])
def test_unreadable_user_class_file_is_an_error(tmp_path, make):
    with pytest.raises(QueriesError, match="cannot read class file"):
        read_user_classes(make(tmp_path))


_FILES = {"kinetics400": "kinetics/label_map_k400.txt", "kinetics600": "kinetics/label_map_k600.txt",
          "kinetics700": "kinetics/label_map_k700.txt", "mit": "moments_in_time/label_map_mit_v1.txt",
          "ava": "ava/ava_action_list_v2.0.csv", "activitynet": "activitynet/label_map_anet_v1.3.txt",
          "olympic": "olympic_sports/classes_label_defn.json", "hmdb51": "hmdb51/label_map.txt",
          "ucf101": "ucf101/label_map.txt"}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", list(SOURCES))
def test_packaged_list_is_a_byte_exact_copy_of_the_reference(name):
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is not beside this checkout")
    from importlib import resources

    packaged = resources.files("actionhub").joinpath("data", "classes", SOURCES[name].path).read_bytes()
    assert packaged == (REFERENCE / _FILES[name]).read_bytes()
