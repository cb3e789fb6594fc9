"""SYNTHETIC SAMPLE DATA for the footage-site emulator: stock-footage-like descriptions made up from templates.

Nothing here is a real caption. Each description is generated deterministically from the query words, a seed
and fixed word lists, e.g. "Front view of a young woman playing tennis in a park, slow motion." A small
pool of generic clips (crowds, city streets) is returned for many queries, as real sites do, so the same
asset id can come back for several queries with the same description.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

VIEWS = ("Front view of", "Side view of", "Close up of", "Wide shot of", "Low angle view of", "Aerial view of",
         "Medium shot of", "Handheld shot of")
AGES = ("young", "middle aged", "senior", "teenage", "adult")
PEOPLE = ("woman", "man", "girl", "boy", "couple", "group of friends", "family", "athlete")
PLACES = ("in a park", "at home", "on a city street", "in a studio", "on the beach", "in a gym", "outdoors",
          "in an office", "in the countryside", "at night")
STYLES = ("slow motion", "4k footage", "real time", "shallow depth of field", "sunset light", "handheld camera")
FOLLOW_UPS = ("The camera slowly moves around {pronoun}.", "Smiling and looking at the camera.",
              "Bright daylight, natural colors.", "The background is blurred.", "Lifestyle concept.")
PLACE_NOUNS = ("park", "living room", "city street", "studio", "beach", "gym", "office", "field")
EMPTY = ("Empty {place_noun} with nobody around, {style}.", "Abstract blurred background of a {place_noun}, {style}.")
GENERIC = ("Crowd of people walking on a busy city street, {style}.",
           "Group of people talking in a modern office, {style}.",
           "People crossing a road at a pedestrian crossing, {style}.",
           "Tourists walking along the beach at sunset, {style}.")


@dataclass(frozen=True)
class SampleVideo:
    """One synthetic clip: id, description, keywords and how many people it shows."""

    asset_id: str
    description: str
    keywords: tuple[str, ...]
    people: int


def _rng(*parts: object) -> random.Random:
    return random.Random(hashlib.sha256(":".join(map(str, parts)).encode()).digest())


def _asset_id(*parts: object) -> str:
    return str(10**9 + int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:12], 16) % 10**9)


def generic_video(seed: int, index: int) -> SampleVideo:
    """Clip ``index`` of the shared pool of generic clips (people in every one)."""
    rng = _rng(seed, "generic", index)
    text = GENERIC[index % len(GENERIC)].format(style=rng.choice(STYLES))
    return SampleVideo(_asset_id(seed, "generic", index), text, ("people", "crowd", "city"), rng.randint(2, 4))


def query_video(seed: int, query: str, index: int) -> SampleVideo:
    """Clip ``index`` made for ``query``: about one in six shows nobody (people filters must drop it)."""
    rng = _rng(seed, query, index)
    people = 0 if rng.random() < 1 / 6 else rng.choice((1, 1, 1, 2, 3))
    words = query.lower().split()
    if people == 0:
        text = rng.choice(EMPTY).format(place_noun=rng.choice(PLACE_NOUNS), style=rng.choice(STYLES))
        keywords = (*words[:1], "background", "empty")
    else:
        person = rng.choice(PEOPLE) if people == 1 else rng.choice(("couple", "group of friends", "family"))
        sentences = [f"{rng.choice(VIEWS)} a {rng.choice(AGES)} {person} {query} {rng.choice(PLACES)}, "
                     f"{rng.choice(STYLES)}."]
        pronoun = "her" if person in ("woman", "girl") else "him" if person in ("man", "boy", "athlete") else "them"
        for follow in rng.sample(FOLLOW_UPS, rng.randint(0, 2)):
            sentences.append(follow.format(pronoun=pronoun))
        text = " ".join(sentences)
        keywords = (*words, person, "people", "lifestyle")
    return SampleVideo(_asset_id(seed, query, index), text, tuple(dict.fromkeys(keywords)), people)


def search_results(seed: int, query: str, total: int, generic_every: int = 7) -> list[SampleVideo]:
    """The emulator's full ranking for ``query``: ``total`` clips, every ``generic_every``-th from the pool."""
    results = []
    for i in range(total):
        if generic_every and i % generic_every == generic_every - 1:
            results.append(generic_video(seed, (i // generic_every) % 8))
        else:
            results.append(query_video(seed, query, i))
    return results
