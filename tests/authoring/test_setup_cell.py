"""Every exercise's set-up cell installs the grader from _config.yml's repository.url, and only outside
the repository; Binder ends with the grader importable."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring import setup_cell
from grader.authoring.notebooks import ROOT

NOTEBOOKS = sorted(str(p.relative_to(ROOT)) for folder in ("solutions", "exercises")
                   for p in (ROOT / folder).glob("ch*/ch*.ipynb") if p.stem == p.parent.name)
URL = setup_cell.repository_url()


def setup_text(path: Path) -> str:
    return setup_cell.cell_text(setup_cell.first_code_cell(json.loads(path.read_text(encoding="utf-8"))))


def test_the_url_is_the_repository_of_the_book():
    import yaml
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert URL == config["repository"]["url"].rstrip("/")
    assert setup_cell.requirement(URL) == f"git+{URL}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_setup_cell_installs_from_the_configured_url_only(notebook):
    path = ROOT / notebook
    assert setup_cell.check(path) is None, setup_cell.check(path)
    text = setup_text(path)
    rest = text[len(setup_cell.install_block(URL)):]
    assert text.count(f'"git+{URL}"') == 1
    for fetch in ("pip", "git+", "http://", "https://", "urllib", "requests", "wget", "curl"):
        assert fetch not in rest, f"{notebook}: the set-up cell fetches something else ({fetch!r})"
    assert "binder.bind(globals())" in rest


@pytest.mark.parametrize("notebook", [n for n in NOTEBOOKS if n.startswith("solutions")])
def test_sync_leaves_an_up_to_date_source_untouched(notebook, tmp_path):
    copy = tmp_path / "nb.ipynb"
    shutil.copy(ROOT / notebook, copy)
    assert setup_cell.sync_source(copy, URL) is False
    assert copy.read_bytes() == (ROOT / notebook).read_bytes()


def run_block(monkeypatch, grader_found: bool) -> list:
    """Execute the install block, with `grader` findable or not and pip replaced by a recorder."""
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real_find_spec(name, *a) if grader_found or name != "grader" else None))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append((a, k)))
    exec(setup_cell.install_block(URL), {})
    return calls


def test_inside_the_repository_the_block_installs_nothing(monkeypatch):
    assert importlib.util.find_spec("grader") is not None
    assert run_block(monkeypatch, grader_found=True) == []


def test_outside_the_repository_the_block_pip_installs_the_repository(monkeypatch):
    calls = run_block(monkeypatch, grader_found=False)
    assert calls == [(([sys.executable, "-m", "pip", "install", "-q", f"git+{URL}"],), {"check": True})]


def test_sync_rewrites_the_url_from_config(tmp_path):
    """A fork sets its own repository.url; sync writes it into the source, keeping the rest of the file."""
    chapter = "ch99_example"
    (tmp_path / "solutions" / chapter).mkdir(parents=True)
    config = (ROOT / "_config.yml").read_text().replace(URL, "https://gitlab.example.org/me/my-fork")
    (tmp_path / "_config.yml").write_text(config)
    source = next(p for p in NOTEBOOKS if p.startswith("solutions"))
    nb = json.loads((ROOT / source).read_text())
    target = tmp_path / "solutions" / chapter / f"{chapter}.ipynb"
    target.write_text((ROOT / source).read_text())
    assert setup_cell.prepare(chapter, root=tmp_path)
    new = json.loads(target.read_text())
    text = setup_cell.cell_text(setup_cell.first_code_cell(new))
    assert '"git+https://gitlab.example.org/me/my-fork"' in text and URL not in text
    assert text.replace("gitlab.example.org/me/my-fork", URL.removeprefix("https://")) == setup_text(ROOT / source)
    setup_cell.first_code_cell(new)["source"] = setup_cell.first_code_cell(nb)["source"]
    assert new == nb, "sync changed more than the set-up cell's source"
    assert setup_cell.prepare(chapter, root=tmp_path)   # idempotent


def test_a_setup_cell_without_the_block_gets_it_and_foreign_installs_are_refused():
    body = "from grader import binder\nbinder.bind(globals())\n"
    assert setup_cell.setup_source(body, URL) == setup_cell.install_block(URL) + "\n" + body
    with pytest.raises(setup_cell.SetupCellError):
        setup_cell.setup_source("%pip install convnets-grader\n" + body, URL)
    old = setup_cell.install_block("https://github.com/someone/else").replace('"git+', "'git+").replace(
        'else"]', "else']")
    assert setup_cell.setup_source(old + "\n" + body, URL) == setup_cell.install_block(URL) + "\n" + body
    # written after other imports: the block moves to the top, the rest stays as it was
    assert setup_cell.setup_source("import os\n" + old + "\n" + body, URL) == \
        setup_cell.install_block(URL) + "\nimport os\n\n" + body


def test_binder_ends_with_the_grader_importable():
    """repo2docker installs requirements.txt, then runs postBuild from the repository root."""
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK)
    lines = [l for l in post_build.read_text().splitlines() if l and not l.startswith("#")]
    assert any("pip install" in l and l.rstrip().endswith(" .") for l in lines), lines
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder makes repo2docker ignore the root requirements.txt and postBuild"
    runtime = (ROOT / "runtime.txt").read_text().strip()   # repo2docker's default Python is older
    assert runtime.startswith("python-3.") and int(runtime.split(".")[1]) >= 11, "numpy/keras pins need 3.11+"
    requirements = (ROOT / "requirements.txt").read_text()
    for package in ("numpy", "scipy", "tensorflow", "keras", "scikit-image", "matplotlib", "nbgrader"):
        assert package in requirements


def test_the_package_colab_installs_holds_every_file_of_grader(tmp_path):
    """`pip install git+<url>` builds a wheel: data files (e.g. grader/course/data/) must be package data."""
    wanted = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "grader").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc"))
    if not wanted:
        pytest.skip("grader/ holds only Python files")
    pytest.importorskip("setuptools", reason="building the wheel offline needs setuptools in the venv")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copytree(ROOT / "grader", src / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           str(src), "-w", str(tmp_path / "dist")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    import zipfile
    names = set(zipfile.ZipFile(next((tmp_path / "dist").glob("*.whl"))).namelist())
    missing = [f for f in wanted if f not in names]
    assert not missing, (f"not in the installed package (Colab would miss them): {missing}; list them under "
                         "[tool.setuptools.package-data] in pyproject.toml")
