"""Package-data class names and definitions: every class defined, the known ER defect handled, labels aliased."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coco import definitions

# ../shared/reference beside the checkout (or beside the directory of worktrees); absent on a fresh clone.
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = next((p for p in (ROOT.parent / "shared/reference", ROOT.parent.parent / "shared/reference") if p.is_dir()),
                 ROOT.parent / "shared/reference")
ER_COUNTS = {"kinetics-zsar": 620, "ucf101": 101, "hmdb51": 51, "olympic-sports": 16}


@pytest.mark.parametrize("dataset", sorted(definitions.DATASETS))
def test_every_dataset_has_unique_class_names(dataset):
    names = definitions.class_names(dataset)
    assert len(names) == len(set(names)) > 0
    if dataset in ER_COUNTS:
        assert len(names) == ER_COUNTS[dataset]


@pytest.mark.parametrize("dataset", sorted(ER_COUNTS))
def test_every_er_class_has_a_nonempty_definition(dataset):
    defs = definitions.definitions(dataset)
    assert set(defs) == set(definitions.class_names(dataset))
    assert all(text.strip() for text in defs.values())


def test_natural_defn_field_is_used_not_the_pretokenised_one():
    defs = definitions.definitions("ucf101")
    assert defs["apply eye makeup"].startswith("put or spread (a substance) on a surface.")


def test_table_tennis_shot_no_longer_has_the_definition_of_eat():
    defs = definitions.definitions("ucf101")
    assert defs["table tennis shot"] == "table tennis shot"  # falls back to the class name
    assert "swallow" not in defs["table tennis shot"]
    assert "issue #3" in definitions.overrides("ucf101")["table tennis shot"]
    shipped = json.loads(definitions.read_data("ucf101/classes_label_defn.json"))
    assert next(e["defn"] for e in shipped if e["word"] == "table tennis shot").startswith("put (food)")


def test_kinetics700_definitions_come_from_er_kinetics_by_name():
    defs = definitions.definitions("kinetics700")
    er = {e["word"]: e["defn"] for e in json.loads(definitions.read_data("kinetics_zsar/classes620_label_defn.json"))}
    assert defs["abseiling"] == er["abseiling"]
    assert set(defs) == set(definitions.class_names("kinetics700")) & set(er)


@pytest.mark.parametrize(("dataset", "label", "name"), [("ucf101", "ApplyEyeMakeup", "apply eye makeup"),
                                                       ("ucf101", "HammerThrow", "hammer throw"),
                                                       ("ucf101", "Hammering", "hammering"),
                                                       ("hmdb51", "brush_hair", "brush hair")])
def test_original_labels_map_to_class_names(dataset, label, name):
    aliases = definitions.label_aliases(dataset)
    assert aliases[label] == name
    assert set(aliases.values()) == set(definitions.class_names(dataset))


def test_class_lists_have_one_copy_owned_by_actionhub():
    from actionhub.sources import SOURCES

    coco_files = {p.read_bytes() for p in (Path(definitions.__file__).parent / "data").rglob("*") if p.is_file()}
    assert not [name for name, source in SOURCES.items() if source.text().encode() in coco_files]
    # coco's names come from actionhub's lists: Kinetics labels verbatim, Olympic Sports ER's words.
    assert definitions.class_names("kinetics700") == tuple(SOURCES["kinetics700"].names())
    assert definitions.class_names("olympic-sports") == tuple(SOURCES["olympic"].names())


def test_unknown_dataset_is_named():
    with pytest.raises(KeyError, match="ucf-101"):
        definitions.class_names("ucf-101")


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="needs ../shared/reference beside the repository")
def test_package_data_is_byte_exact_copy_of_the_reference():
    data = Path(definitions.__file__).parent / "data"
    copied = [p for p in data.rglob("*")
              if p.suffix in (".json", ".txt") and (REFERENCE / p.relative_to(data)).is_file()]
    copies_table = (data / "ATTRIBUTION.md").read_text().split("## Ours")[0]  # the table of copied files
    attributed = [line.split("|")[1].strip() for line in copies_table.splitlines()
                  if line.startswith("| ") and "/" in line.split("|")[1]]
    assert sorted(str(p.relative_to(data)) for p in copied) == sorted(attributed)
    for path in copied:
        assert path.read_bytes() == (REFERENCE / path.relative_to(data)).read_bytes(), path
