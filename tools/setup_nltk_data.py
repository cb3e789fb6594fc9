"""Install the NLTK data the project uses into a project-local NLTK data directory.

Provides ``corpora/wordnet`` (for lemmatization) and ``corpora/stopwords/english``.
Idempotent: a corpus that is already complete is left alone.

Where each comes from, in order of preference:

* WordNet 3.0: Debian's ``wordnet-base`` + ``wordnet-sense-index`` packages (downloaded with
  ``apt-get download`` and unpacked with ``dpkg -x``, no root install needed), copied file by file
  (NLTK refuses symlinks) and completed with a ``lexnames`` file generated from the package's own
  ``lexnames(5WN)`` manual page; else ``nltk.download('wordnet')`` on machines with internet.
* English stop words: the ``stopwords`` wheel pinned in ``requirements/assets.txt`` (Snowball-derived
  list); else ``nltk.download('stopwords')``.

Usage: ``python tools/setup_nltk_data.py [TARGET_DIR]`` (default: ``<sys.prefix>/nltk_data``, one of
the directories NLTK searches by default, so a virtual environment finds it with no variable set).
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WORDNET_PACKAGES = ("wordnet-base", "wordnet-sense-index")
WORDNET_REQUIRED = ("data.noun", "data.verb", "index.noun", "index.verb", "verb.exc", "lexnames")
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


def lexnames_from_manpage(manpage: str) -> str:
    """Builds the ``lexnames`` file from the table in the ``lexnames(5WN)`` manual page.

    Args:
        manpage: Text of the troff manual page.

    Returns:
        Lines ``NN<TAB>name<TAB>category`` for every lexicographer file listed in the page.
    """
    rows = re.findall(r"^(\d\d)\t(\w+\.\w+)\s*\t", manpage, flags=re.MULTILINE)
    if len(rows) != 45:
        raise RuntimeError(f"expected 45 lexicographer files in lexnames(5WN), found {len(rows)}")
    return "".join(f"{num}\t{name}\t{_CATEGORY[name.split('.')[0]]}\n" for num, name in rows)


def _wordnet_complete(target: Path) -> bool:
    return all((target / name).is_file() for name in WORDNET_REQUIRED)


def _unpack_debian_wordnet(workdir: Path) -> Path:
    """Downloads and unpacks the Debian WordNet packages; returns the unpacked root."""
    root = workdir / "root"
    for attempt in range(2):
        result = subprocess.run(
            ["apt-get", "download", *WORDNET_PACKAGES], cwd=workdir, capture_output=True, text=True
        )
        if result.returncode == 0:
            break
        if attempt == 0:  # stale or missing package lists: refresh once, then retry
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
    else:
        raise RuntimeError(f"apt-get download {' '.join(WORDNET_PACKAGES)} failed: {result.stderr}")
    for deb in sorted(workdir.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return root


def install_wordnet(data_dir: Path) -> str:
    """Installs WordNet into ``data_dir/corpora/wordnet``; returns where it came from."""
    target = data_dir / "corpora" / "wordnet"
    if _wordnet_complete(target):
        return "already present"
    if shutil.which("apt-get") and shutil.which("dpkg"):
        with tempfile.TemporaryDirectory() as tmp:
            root = _unpack_debian_wordnet(Path(tmp))
            source = root / "usr/share/wordnet"
            target.mkdir(parents=True, exist_ok=True)
            for path in source.iterdir():
                if path.is_file():
                    shutil.copyfile(path, target / path.name)  # real files: NLTK refuses symlinks
            manpage = root / "usr/share/man/man5/lexnames.5WN.gz"
            with gzip.open(manpage, "rt") as fh:
                (target / "lexnames").write_text(lexnames_from_manpage(fh.read()))
        return "Debian wordnet-base + wordnet-sense-index"
    import nltk

    if not nltk.download("wordnet", download_dir=str(data_dir), quiet=True):
        raise RuntimeError("WordNet: no apt-get here and nltk.download('wordnet') failed")
    return "nltk.download"


def install_stopwords(data_dir: Path) -> str:
    """Installs the English stop-word list into ``data_dir/corpora/stopwords``."""
    target = data_dir / "corpora" / "stopwords" / "english"
    if target.is_file():
        return "already present"
    try:
        import stopwords as stopwords_pkg
    except ImportError:
        import nltk

        if not nltk.download("stopwords", download_dir=str(data_dir), quiet=True):
            raise RuntimeError("stop words: pip install stopwords==1.0.2, or nltk.download('stopwords')") from None
        return "nltk.download"
    source = Path(stopwords_pkg.__file__).parent / "languages" / "english" / "default.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    words = [w.strip() for w in source.read_text(encoding="utf-8").splitlines() if w.strip()]
    target.write_text("\n".join(words) + "\n", encoding="utf-8")
    return "stopwords==1.0.2 wheel"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else Path(sys.prefix) / "nltk_data"
    print(f"NLTK data in {data_dir}")
    print(f"  wordnet:   {install_wordnet(data_dir)}")
    print(f"  stopwords: {install_stopwords(data_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
