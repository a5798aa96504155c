"""The book's Sphinx extensions (book/_ext) and the book fixture's failure message, without a build."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import bib_author_year  # noqa: E402
import launch_links  # noqa: E402
import offline_mathjax  # noqa: E402


def test_placeholder_hub_urls_are_recognised():
    assert launch_links.is_placeholder("https://jupyterhub.example.org")
    assert launch_links.is_placeholder("https://hub.example") and launch_links.is_placeholder("")
    assert not launch_links.is_placeholder("https://hub.university.edu")
    assert not launch_links.is_placeholder("https://example-hub.org")


def test_a_placeholder_hub_is_dropped_from_the_launch_buttons_and_a_real_one_kept():
    class Config:
        html_theme_options = {"launch_buttons": {"jupyterhub_url": "https://jupyterhub.example.org",
                                                 "colab_url": "https://colab.research.google.com"}}
    launch_links._hide_placeholder_hub(None, Config)
    assert Config.html_theme_options["launch_buttons"] == {"colab_url": "https://colab.research.google.com"}
    Config.html_theme_options["launch_buttons"]["jupyterhub_url"] = "https://hub.university.edu"
    launch_links._hide_placeholder_hub(None, Config)
    assert Config.html_theme_options["launch_buttons"]["jupyterhub_url"] == "https://hub.university.edu"


def test_the_exercise_line_links_colab_binder_and_the_download():
    urls = {"Binder": "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/x.ipynb",
            "Colab": "https://colab.research.google.com/github/o/r/blob/main/x.ipynb"}
    line = launch_links.open_line(urls, "../_sources/x.ipynb", "exercises/c/c.ipynb", "how.html#h")
    assert line.index(">Colab<") < line.index(">Binder<") < line.index(">download the notebook<")
    assert 'href="../_sources/x.ipynb" download' in line and "jupyter lab exercises/c/c.ipynb" in line
    assert launch_links.open_line({}, None, "x", "y") == ""


@pytest.mark.parametrize("authors, label", [
    (["Chollet, François"], "Chollet, 2021"),
    (["Dumoulin, Vincent", "Visin, Francesco"], "Dumoulin and Visin, 2021"),
    (["LeCun, Yann", "Bottou, L{\\'e}on", "Bengio, Yoshua"], "LeCun et al., 2021"),
    (["van der Maaten, Laurens"], "van der Maaten, 2021"),
])
def test_references_are_labelled_author_year_like_the_citations(authors, label):
    from pybtex.database import Entry, Person
    entry = Entry("book", fields={"title": "T", "year": "2021"}, persons={"author": [Person(a) for a in authors]})
    assert bib_author_year.label(entry) == label


def test_the_references_page_style_is_registered_for_sphinxcontrib_bibtex():
    from pybtex.plugin import find_plugin
    assert find_plugin("pybtex.style.formatting", "author_year") is bib_author_year.AuthorYearStyle
    import yaml
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert config["bibtex_default_style"] == "author_year" and config["bibtex_reference_style"] == "author_year"


def test_mathjax_is_served_from_the_site_when_installed():
    class Config:
        mathjax_path = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
    if offline_mathjax.es5_dir() is None:
        pytest.skip("MathJax is not installed (make install fetches it with npm)")
    offline_mathjax._use_local(None, Config)
    assert Config.mathjax_path == "mathjax/tex-mml-chtml.js"
    for part in offline_mathjax.PARTS:
        assert (offline_mathjax.es5_dir() / part).exists(), part


def test_a_failed_build_names_the_page_and_the_slow_cell():
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import build_failure
    log = ("reading sources... [ 85%] book/ch09_transfer_learning\n"
           "/repo/book/ch08_augmentation.md: Executed notebook in 75.40 seconds [mystnb]\n"
           "/repo/book/ch09_transfer_learning.md: WARNING: Executing notebook failed: CellTimeoutError\n"
           "Traceback (most recent call last):\n  File ...\n"
           "nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed, after 600 seconds.\n"
           "The message was: Cell execution timed out.\nHere is a preview of the cell contents:\n"
           "-------------------\n['history = model.fit(train, epochs=8)']\n------------------- [mystnb.exec]\n"
           "/repo/book/ch09_transfer_learning.md:120: WARNING: Could not find key 'ch09_acc' [mystnb.missing_glue]\n")
    message = build_failure(log)
    first = message.splitlines()[1]
    assert "ch09_transfer_learning.md failed to execute (CellTimeoutError)" in first
    assert "history = model.fit(train, epochs=8)" in message and "after 600 seconds" in message
    assert "ch08_augmentation 75 s" in message and "Could not find key 'ch09_acc'" in message


def test_tensorflows_start_up_log_is_dropped_and_other_stderr_kept():
    import tf_logs
    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    log = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
           "I0000 00:00:1796169882.951191   15987 port.cc:153] oneDNN custom operations are on.\n")
    doc = new_document("page", get_default_settings(Parser))
    for text in (log, log + "UserWarning: shown on purpose\n"):
        out = nodes.container(classes=["cell_output"])
        out += nodes.literal_block(text, text, classes=["output", "stderr"])
        doc += out
    tf_logs._filter(None, doc)
    blocks = list(doc.findall(nodes.literal_block))
    assert [b.astext() for b in blocks] == ["UserWarning: shown on purpose"]
    assert len(list(doc.findall(nodes.container))) == 1, "the emptied output container stays"
