"""Publishing the book: the GitHub Pages workflow and `make publish` (neither can run here).

The workflow is valid YAML for GitHub Actions, builds with the README's command, keeps the
execution cache between runs and deploys _build/html; `make publish` pushes _build/html with
ghp-import, which the install provides; the instructors page explains both.
"""
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))   # YAML 1.1 reads the key `on` as True
    return data


def readme_commands() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    return {line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.strip()}


def test_the_workflow_builds_with_the_readmes_command_and_deploys_the_html():
    flow = workflow()
    assert "main" in flow["on"]["push"]["branches"]
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    runs = [step["run"].strip() for step in build["steps"] if "run" in step]
    assert runs == ["make book"] and "make book" in readme_commands()
    uses = {step.get("uses", "").split("@")[0]: step for step in build["steps"]}
    cache = uses["actions/cache"]["with"]
    assert cache["path"] == "_build/.jupyter_cache", "the execution cache is not kept between runs"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_the_jupyter_cache_is_where_jupyter_book_keeps_it():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "cache"
    assert "cache" not in config["execute"], "a custom cache path: update the workflow's cache step"


def test_make_publish_pushes_the_built_html_with_ghp_import():
    dry = subprocess.run(["make", "-n", "publish"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "jupyter-book build" in dry, "`make publish` does not build the book first"
    push = [line for line in dry.splitlines() if "ghp-import" in line]
    assert push and push[-1].split()[-1] == "_build/html" and "--push" in push[-1]
    pins = {line.split("==")[0] for line in (ROOT / "requirements-test.txt").read_text().splitlines() if "==" in line}
    assert "ghp-import" in pins and "ghp-import==" in (ROOT / "constraints.txt").read_text()


def test_the_instructors_page_says_how_to_publish_a_fork():
    page = (ROOT / "book" / "instructors.md").read_text()
    section = page.split("## Publishing a fork", 1)[1]
    assert ".github/workflows/book.yml" in section and "make publish" in section
