"""The class-name lists queries are built from: a registry of packaged sources, and users' own class files.

Each :class:`Source` reads its packaged file (``actionhub/data/classes/``, see ``ATTRIBUTION.md`` there)
and cleans each class name into the search queries it stands for. Cleaning is per source because each
list has its own spelling:

* UCF101 is CamelCase: ``ApplyEyeMakeup`` -> ``apply eye makeup``; a doubled word is rejoined with a
  hyphen (``YoYo`` -> ``yo-yo``); a run of capitals is one word (``BMXRace`` -> ``bmx race``).
* HMDB51 uses underscores (``brush_hair``), Moments in Time ``+`` (``playing+fun``).
* A parenthetical is an annotator's hint, never part of what one searches for, and is dropped in every
  source: ``hugging (not baby)`` -> ``hugging``, ``curling (sport)`` -> ``curling``, ``close (e.g., a
  door, a box)`` -> ``close``; a preposition left dangling before it goes too (``point to (an object)`` ->
  ``point``).
* An AVA slash separates alternatives, and each becomes its own alias and its own query:
  ``fight/hit (a person)`` -> ``fight`` and ``hit``; a first alternative that ends in a preposition
  shares the last one's object (``text on/look at a cellphone`` -> ``text on a cellphone``, ``look at a
  cellphone``). Both aliases keep the original name and source.

Every query is lower case with single spaces. A user's class file gives names that are their own queries.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from actionhub.names import clean_name, name_problem
from actionhub.normalize import stop_words

USER = "user"  # the source name of names read from a user's class file


class QueriesError(ValueError):
    """Bad input to the query stage; the message says what and where (source, file, line)."""


class Alias(NamedTuple):
    """One search query taken from one class name of one source."""

    source: str  # registry name, or "user"
    name: str  # the class name exactly as the source spells it
    query: str  # the name cleaned for searching


# Readers: file text -> class names in file order.
def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _ava_csv(text: str) -> list[str]:
    return [row["label_name"] for row in csv.DictReader(io.StringIO(text))]


def _json_words(text: str) -> list[str]:
    return [item["word"] for item in json.loads(text)]


# Cleaners: class name -> queries.
def squash(text: str) -> str:
    """Lower case, runs of white space as one space, no leading or trailing space (after Unicode cleaning)."""
    return " ".join(clean_name(text).lower().split())


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def compact(text: str) -> str:
    """Lower case, letters a-z and digits only: ``ApplyEyeMakeup`` and ``apply eye-makeup`` -> ``applyeyemakeup``.

    The spelling-blind identity of a class name across lists (CamelCase, underscores, spaces, hyphens).
    """
    return _NOT_ALNUM.sub("", text.lower())


_PARENTHETICAL = re.compile(r"(?:\s+(\w+))?\s*\([^)]*\)")


def drop_parentheticals(name: str) -> str:
    """Removes ``(...)`` hints, and a stop word (a dangling preposition) right before one."""
    stop = stop_words()

    def repl(match: re.Match[str]) -> str:
        word = match.group(1)
        return "" if word is None or word.lower() in stop else f" {word}"

    return _PARENTHETICAL.sub(repl, name)


def split_alternatives(text: str) -> list[str]:
    """Splits ``a/b`` alternatives; a first one ending in a stop word shares the last one's object."""
    parts = [p.split() for p in text.split("/")]
    stop = stop_words()
    last = parts[-1]
    # The object of the last alternative: what follows its first stop word ("look at a cellphone" -> "a cellphone").
    cut = next((i for i, w in enumerate(last) if w.lower() in stop), None)
    shared = last[cut + 1:] if cut is not None else []
    out = []
    for words in parts[:-1]:
        if words and words[-1].lower() in stop and shared:
            words = words + shared
        out.append(" ".join(words))
    out.append(" ".join(last))
    return [squash(p) for p in out if p.strip()]


_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def split_camel_case(name: str) -> str:
    """``ApplyEyeMakeup`` -> ``apply eye makeup``; ``YoYo`` -> ``yo-yo``; ``BMXRace`` -> ``bmx race``."""
    words: list[str] = []
    for word in (w.lower() for w in _CAMEL.findall(name)):
        if words and words[-1] == word:  # reduplication: one hyphenated word
            words[-1] = f"{word}-{word}"
        else:
            words.append(word)
    return " ".join(words)


def _plain(name: str) -> list[str]:
    return [squash(drop_parentheticals(name))]


def _ava(name: str) -> list[str]:
    return split_alternatives(drop_parentheticals(name))


def _mit(name: str) -> list[str]:
    return [squash(name.replace("+", " "))]


def _hmdb(name: str) -> list[str]:
    return [squash(name.replace("_", " "))]


def _ucf(name: str) -> list[str]:
    return [split_camel_case(name)]


def clean_any(name: str) -> list[str]:
    """Search queries of a class name from an unknown list, by its spelling: the union of the cleaners above.

    ``BenchPress`` -> ``bench press`` (CamelCase, when the name has no separator), ``brush_hair`` and
    ``playing+fun`` -> spaced, ``(...)`` hints dropped, ``a/b`` alternatives split. Used to match a training
    dataset's class names to the actions of a built dataset (:mod:`actionhub.reader`).
    """
    if not re.search(r"[\s_+/]", name.strip()) and re.search(r"[a-z][A-Z]", name):
        return [split_camel_case(name.strip())]
    return split_alternatives(drop_parentheticals(name.replace("_", " ").replace("+", " ")))


@dataclass(frozen=True)
class Source:
    """A packaged class list and how to read and clean it."""

    name: str  # registry name
    dataset: str  # the dataset's usual name
    path: str  # under actionhub/data/classes/
    count: int  # number of class names the file holds
    read: Callable[[str], list[str]]  # file text -> class names
    clean: Callable[[str], list[str]]  # class name -> search queries (several for AVA's "a/b")

    def text(self) -> str:
        """The packaged file's text (package data, read with ``importlib.resources``); coco reads lists here."""
        return resources.files("actionhub").joinpath("data", "classes", self.path).read_text(encoding="utf-8")

    def names(self) -> list[str]:
        """The class names, exactly as the file spells them, in file order."""
        return self.read(self.text())

    def aliases(self) -> list[Alias]:
        """One alias per (class name, query), in file order."""
        return [Alias(self.name, name, query) for name in self.names() for query in self.clean(name)]


SOURCES: dict[str, Source] = {
    "kinetics400": Source("kinetics400", "Kinetics-400", "kinetics/label_map_k400.txt", 400, _lines, _plain),
    "kinetics600": Source("kinetics600", "Kinetics-600", "kinetics/label_map_k600.txt", 600, _lines, _plain),
    "kinetics700": Source("kinetics700", "Kinetics-700", "kinetics/label_map_k700.txt", 700, _lines, _plain),
    "mit": Source("mit", "Moments in Time v1", "moments_in_time/label_map_mit_v1.txt", 339, _lines, _mit),
    "ava": Source("ava", "AVA v2.0", "ava/ava_action_list_v2.0.csv", 80, _ava_csv, _ava),
    "activitynet": Source("activitynet", "ActivityNet v1.3", "activitynet/label_map_anet_v1.3.txt", 200, _lines,
                          _plain),
    "olympic": Source("olympic", "Olympic Sports", "olympic_sports/classes_label_defn.json", 16, _json_words,
                      _plain),
    "hmdb51": Source("hmdb51", "HMDB51", "hmdb51/label_map.txt", 51, _lines, _hmdb),
    "ucf101": Source("ucf101", "UCF101", "ucf101/label_map.txt", 101, _lines, _ucf),
}

# The seven lists of the paper, in its order; `--sources all` means these.
PAPER_SOURCES: tuple[str, ...] = ("kinetics700", "mit", "ava", "activitynet", "olympic", "hmdb51", "ucf101")


def read_user_classes(path: Path) -> list[Alias]:
    """Reads a user's class file: one name per line; blank lines and ``#`` comments are skipped.

    Raises:
        QueriesError: the file cannot be read, a line is not UTF-8 (the message names the line), or the
            file holds no name.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise QueriesError(f"cannot read class file {path}: {exc.strerror or exc}") from exc
    aliases: list[Alias] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QueriesError(f"class file {path}, line {number}: not valid UTF-8 ({exc.reason})") from exc
        name = line.lstrip("\ufeff").strip()  # a byte-order mark may open the file
        if clean_name(name) and not name.startswith("#"):
            if name_problem(name):
                raise QueriesError(f"class file {path}, line {number}: {name_problem(name)}")
            aliases.append(Alias(USER, name, squash(name)))
    if not aliases:
        raise QueriesError(f"class file {path} holds no class names (only blank or # comment lines)")
    return list(dict.fromkeys(aliases))  # a repeated line counts once
