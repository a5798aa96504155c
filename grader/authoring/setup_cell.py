"""The install lines of every exercise's set-up cell, written from ``_config.yml``.

The first code cell of each exercise installs the course's ``grader`` package when the notebook
runs where the package is missing (Colab, a downloaded notebook, a JupyterHub without it) and does
nothing extra inside the repository or on Binder (postBuild installs the package there). The repository URL is written in one place, ``repository.url`` in
``_config.yml`` (the book's repository button uses it too); ``python -m grader sync`` calls
:func:`sync_source` on every ``solutions/<id>/<id>.ipynb`` before nbgrader generates the student
version, so ``exercises/`` carries the same lines.

The set-up cell starts with :func:`install_block` (the lines from ``# Set-up`` to ``check=True)``);
everything after it (imports, ``binder.bind(globals())``, the chapter's checks) belongs to the chapter.
A block written elsewhere in the cell, or with another URL, is replaced by the canonical one at the
top; a first code cell without the block gets it prepended; one that installs packages some other
way is an error, reported by sync.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_BLOCK = '''\
# Set-up: run this cell first. Outside the course repository (Colab, Binder) it installs the
# course's `grader` package; inside it, the package is already there.
import importlib.util, subprocess, sys
if importlib.util.find_spec("grader") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "{requirement}"], check=True)
'''

# An existing block, whatever URL (or quoting) it was written with: from the optional comment lines
# through the `find_spec("grader")` test and its indented `subprocess.run(...)` install.
_EXISTING = re.compile(
    r"^(?:#[^\n]*\n)*"
    r"import importlib\.util, subprocess, sys\n"
    r"if importlib\.util\.find_spec\([\"']grader[\"']\) is None:\n"
    r"(?:[ \t]+[^\n]*\n)+?"
    r"[ \t]+[^\n]*check=True\)\n", re.M)


class SetupCellError(ValueError):
    """The first code cell installs something in a way this module does not recognise."""


def repository_url(root: Path = ROOT) -> str:
    """``repository.url`` of the book's ``_config.yml``, without a trailing slash or ``.git``."""
    import yaml
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    url = str((config.get("repository") or {}).get("url") or "").strip()
    if not re.match(r"^https://[^\s\"'\\]+$", url):
        raise SetupCellError(f"_config.yml: repository.url must be an https:// URL, got {url!r}")
    return re.sub(r"(\.git)?/*$", "", url)


def requirement(url: str) -> str:
    """What pip installs: the repository itself (pyproject.toml makes ``grader`` installable)."""
    return f"git+{url}"


def install_block(url: str) -> str:
    return _BLOCK.format(requirement=requirement(url))


def setup_source(source: str, url: str) -> str:
    """``source`` (a set-up cell) with its install block replaced by the canonical one for ``url``."""
    block = install_block(url)
    text = source if source.endswith("\n") else source + "\n"
    match = _EXISTING.search(text)   # wherever it is, the block moves to the top of the cell
    if match:
        rest = text[:match.start()] + text[match.end():]
    elif re.search(r"pip\b|find_spec\(", source):
        raise SetupCellError("the set-up cell installs packages in an unrecognised way; start it with "
                             "the block of grader.authoring.setup_cell.install_block() instead")
    else:
        rest = text
    rest = rest.strip("\n")
    if not rest:
        return block
    return block + "\n" + rest + ("\n" if source.endswith("\n") else "")


def first_code_cell(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            return cell
    raise SetupCellError("the notebook has no code cell")


def cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def sync_source(path: Path, url: str | None = None) -> bool:
    """Rewrite the set-up cell of the nbgrader source ``path`` in place; True when it changed.

    Only that cell's ``source`` changes; the file keeps nbformat's layout (indent 1, a final newline),
    so an unchanged notebook stays byte for byte the same.
    """
    url = url or repository_url()
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    cell = first_code_cell(nb)
    old = cell_text(cell)
    new = setup_source(old, url)
    if new == old:
        return False
    cell["source"] = new.splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def check(path: Path, url: str | None = None) -> str | None:
    """None when the notebook's set-up cell starts with the canonical block, else what is wrong."""
    url = url or repository_url()
    try:
        source = cell_text(first_code_cell(json.loads(path.read_text(encoding="utf-8"))))
    except SetupCellError as exc:
        return f"{path}: {exc}"
    if not source.startswith(install_block(url)):
        return f"{path}: the set-up cell does not start with the install block for {url} (run `make sync`)"
    return None


def prepare(chapter: str, root: Path = ROOT) -> bool:
    """The sync hook, run before nbgrader generates ``exercises/<chapter>/``.

    Writes the install block into ``solutions/<chapter>/<chapter>.ipynb`` and the lesson's notebook
    copy ``book/<chapter>.ipynb`` (what the lesson page's launch buttons open, see
    grader/authoring/lesson_notebooks.py). Returns False (after saying why on stderr) when the set-up cell
    cannot be recognised.
    """
    import sys
    from grader.authoring import lesson_notebooks
    path = root / "solutions" / chapter / f"{chapter}.ipynb"
    try:
        if sync_source(path, repository_url(root)):
            print(f"  set-up cell of {path.relative_to(root)}: install line written from _config.yml")
        if lesson_notebooks.write(chapter, root):
            print(f"  book/{chapter}.ipynb: notebook copy of the lesson (for Colab) rewritten")
    except (SetupCellError, OSError, ValueError) as exc:
        print(f"✗ {path.relative_to(root)}: {exc}", file=sys.stderr)
        return False
    return True
