"""Serve MathJax from the built site, so formulas render without a CDN (offline, behind a firewall).

`make install` fetches the npm package ``mathjax@VERSION`` once into the virtual environment
(``python book/_ext/offline_mathjax.py``; needs ``npm``). At build time this extension copies the
part of it the book uses (the TeX+MathML → CommonHTML component, its fonts and the extensions it
loads on demand) into ``_static/mathjax/`` and points ``mathjax_path`` at it. Without the package
the build warns (a ``-W`` build fails) and says how to get it.
"""
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "3.2.2"
COMPONENT = "tex-mml-chtml.js"
# what tex-mml-chtml.js loads at run time (TeX extensions on demand, CHTML fonts, the menu's
# accessibility options); the other combined components and the SVG output are not needed
PARTS = (COMPONENT, "input", "output/chtml", "a11y", "sre", "ui", "adaptors")
TARGET = "mathjax"   # under _static/


def package_dir() -> Path:
    """Where `make install` puts the npm package: inside the virtual environment running Sphinx."""
    return Path(sys.prefix) / f"mathjax-{VERSION}"


def es5_dir() -> Path | None:
    es5 = package_dir() / "es5"
    return es5 if (es5 / COMPONENT).is_file() else None


def fetch(npm: str | None = None) -> Path:
    """Download mathjax@VERSION with npm (the registry's tarball, no node_modules) into package_dir()."""
    if es5_dir() is not None:
        return package_dir()
    npm = npm or shutil.which("npm")
    if npm is None:
        raise SystemExit("offline_mathjax: npm is not installed (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", "--silent", f"mathjax@{VERSION}"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, timeout=600)
        with tarfile.open(next(Path(tmp).glob("mathjax-*.tgz"))) as tar:
            tar.extractall(tmp, filter="data")
        shutil.copytree(Path(tmp) / "package", package_dir(), dirs_exist_ok=True)
    return package_dir()


def _use_local(app, config):
    if es5_dir() is None:
        from sphinx.util import logging
        logging.getLogger(__name__).warning(
            f"MathJax {VERSION} is not installed in {package_dir()}: formulas would load from a CDN. "
            "Run `make install` (or `python book/_ext/offline_mathjax.py`; needs npm).")
        return
    config.mathjax_path = f"{TARGET}/{COMPONENT}"   # relative: Sphinx serves it from _static/


def _copy(app, exception):
    es5 = es5_dir()
    if exception is not None or es5 is None or app.builder.format != "html":
        return
    out = Path(app.outdir) / "_static" / TARGET
    for part in PARTS:
        source, target = es5 / part, out / part
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def setup(app):
    app.connect("config-inited", _use_local)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    print(fetch())
