"""``book/<id>.ipynb``: notebook copies of the MyST lessons, for the book's launch buttons.

Colab opens only ``.ipynb`` files. sphinx-book-theme points every launch button of a page (Binder,
JupyterHub, Colab) at ``<page>.ipynb`` instead of ``<page>.md`` when a notebook of that name sits
next to the Markdown source (``sphinx_book_theme/header_buttons/launch.py``), so each lesson
``book/<id>.md`` gets a committed copy ``book/<id>.ipynb``: written by jupytext from the Markdown,
without outputs, with stable cell ids, and excluded from the book (``_config.yml``).

The copy is not paired with the Markdown (no jupytext ``formats``): the ``.md`` is the one page to
edit, and ``python -m grader sync`` (``make sync``) rewrites the copy; a test fails when it is stale.

When a lesson imports the course's ``grader`` package or myst-nb's ``glue`` (both missing on Colab),
the copy starts its code with a set-up cell: the exercises' install block (the repository URL from
``_config.yml``) and, for ``glue``, a stand-in that shows the value. Inside the repository, where both
packages are installed, the cell does nothing.

``python -m grader.authoring.lesson_notebooks [--check] [id ...]`` writes (or checks) the copies.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from grader.authoring import setup_cell

ROOT = setup_cell.ROOT
CELL_TAG = "colab-setup"

_GLUE_SHIM = '''\
if importlib.util.find_spec("myst_nb") is None:   # the book's glue(): here it just shows the value
    import types
    from IPython.display import display as _show
    sys.modules["myst_nb"] = types.ModuleType("myst_nb")
    sys.modules["myst_nb"].glue = lambda name, variable, display=True: _show(variable) if display else None
'''


def lessons(root: Path = ROOT) -> list[str]:
    """Chapter ids whose lesson ``book/<id>.md`` is a page of the book (listed in ``_toc.yml``).

    A lesson still being written (not in the table of contents yet) has no page and no launch
    buttons; ``sync`` writes its copy all the same.
    """
    import yaml
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if isinstance(entry, dict):
                files.append(str(entry.get("file", "")))
                walk(entry.get("sections"))
                walk(entry.get("chapters"))
    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return sorted(Path(f).stem for f in files
                  if re.fullmatch(r"book/ch\w+(\.md)?", f) and (root / "book" / f"{Path(f).stem}.md").exists())


def lesson_setup(code: str, url: str) -> str | None:
    """The set-up cell a copy needs outside the repository, or None when its code needs nothing."""
    uses_grader = re.search(r"^\s*(from\s+grader\b|import\s+grader\b)", code, re.M)
    uses_glue = re.search(r"^\s*(from\s+myst_nb\b|import\s+myst_nb\b)", code, re.M)
    if not (uses_grader or uses_glue):
        return None
    source = setup_cell.install_block(url) if uses_grader else "import importlib.util, sys\n"
    if uses_glue:
        source += _GLUE_SHIM
    return source.rstrip("\n")


def notebook_text(chapter: str, root: Path = ROOT, url: str | None = None) -> str:
    """The ``.ipynb`` text of the lesson's copy (deterministic: same Markdown, same bytes)."""
    import jupytext
    import nbformat
    url = url or setup_cell.repository_url(root)
    md = root / "book" / f"{chapter}.md"
    nb = jupytext.read(md, fmt="md:myst")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    setup = lesson_setup(code, url)
    if setup is not None:
        first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        cell = nbformat.v4.new_code_cell(setup, metadata={"tags": [CELL_TAG]})
        nb.cells.insert(first_code, cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{chapter[:4]}-{i:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["generated_from"] = f"book/{chapter}.md (edit that file, then run `make sync`)"
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def copy_path(chapter: str, root: Path = ROOT) -> Path:
    return root / "book" / f"{chapter}.ipynb"


def write(chapter: str, root: Path = ROOT) -> bool:
    """Write ``book/<chapter>.ipynb`` when the lesson exists; True when the file changed."""
    if not (root / "book" / f"{chapter}.md").exists():
        return False
    text, path = notebook_text(chapter, root), copy_path(chapter, root)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def stale(root: Path = ROOT) -> list[str]:
    """Lessons whose copy is missing or differs from what their Markdown gives."""
    out = []
    for chapter in lessons(root):
        path = copy_path(chapter, root)
        if not path.exists() or path.read_text(encoding="utf-8") != notebook_text(chapter, root):
            out.append(chapter)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    chapters = [a for a in args if not a.startswith("-")] or lessons()
    if check:
        bad = [c for c in stale() if c in chapters]
        for c in bad:
            print(f"✗ book/{c}.ipynb is stale: run `make sync`")
        return 1 if bad else 0
    for chapter in chapters:
        if write(chapter):
            print(f"✓ book/{chapter}.ipynb (Colab copy of book/{chapter}.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
