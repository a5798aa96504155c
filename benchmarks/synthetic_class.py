"""A synthetic class of submissions for tests and the benchmark: honest ones and hostile ones."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT

CHAPTER = "ch01_convolution_1d"

FAKE_QUESTIONS = '''class Fake:
    def check(self): print("✓ Correct")
    def assert_check_passed(self): pass
    def assert_passes_on(self, *args): pass
    a = b = c = property(lambda self: self)
q_1 = q_2 = q_3 = q_4 = q_5 = q_6 = q_7 = Fake()
corr_by_hand = ____'''

PATCH_ENGINE = '''import grader.engine.questions as gq, grader.engine.feedback as gf
gq.Question.assert_check_passed = lambda self: None
gq.FunctionQuestion.assert_passes_on = lambda self, cases: None
gq.Question.evaluate = lambda self: gf.Outcome(gf.CORRECT, "")
corr_by_hand = ____'''

LIAR = '''class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, *args, **kwargs): raise TypeError("no")
    def __len__(self): return 5
    def __call__(self, *args, **kwargs): return self
corr_by_hand = conv_by_hand = len_valid = len_full = len_strided = rising_edge = smooth5 = Liar()
conv1d = Liar()
conv1d_layer_computes = Liar()'''

SNOOP = f'''import glob, os
stolen = []
for path in ["{ROOT}/solutions/{CHAPTER}/{CHAPTER}.ipynb", "{ROOT}/gradebook.db", "/root/.bashrc"]:
    try:
        stolen.append(open(path).read()[:10])
    except Exception:
        pass
stolen += glob.glob("../*/*") + glob.glob("/tmp/*/submitted/*")
for path in ["{ROOT}/grader/pwned.py", "/usr/pwned", "../pwned"]:
    try:
        open(path, "w").write("x")
        stolen.append(path)
    except Exception:
        pass
if stolen:
    conv_by_hand = np.array([x_q[i:i + 3] @ w_q[::-1] for i in range(5)])'''


def _with(answers: dict, **changes) -> nbformat.NotebookNode:
    exercise = notebooks.read(notebooks.exercise_notebook(CHAPTER))
    return notebooks.with_answers(exercise, {**answers, **changes})


def changed_metadata(nb) -> nbformat.NotebookNode:
    """Every kind of metadata damage: points raised, ``solution`` dropped, a test cell's grade_id
    changed, an answer cell's metadata removed, a made-up graded cell worth 100 points."""
    for c in nb.cells:
        meta = c.get("metadata", {}).get("nbgrader")
        if meta and meta.get("grade"):
            meta["points"] = 100
        elif meta and meta.get("solution"):
            meta.pop("solution")
    for c in nb.cells:
        if notebooks.grade_id(c) == "q2_test":
            c.metadata.nbgrader["grade_id"] = "my_own_test"
        elif notebooks.grade_id(c) == "q3a_answer":
            c.metadata = {}
    nb.cells.append(nbformat.v4.new_code_cell("print('free points')", metadata={"nbgrader": {
        "grade": True, "grade_id": "bonus", "points": 100, "locked": True, "solution": False, "schema_version": 3}}))
    nb.cells[-1].pop("id", None)
    return nb


def honest() -> dict[str, nbformat.NotebookNode]:
    answers = notebooks.solution_sources(CHAPTER)
    noisy = {g: "import warnings\nwarnings.warn('a harmless warning')\nprint('log', file=__import__('sys').stderr)\n" + s
             for g, s in answers.items()}
    return {"full": _with(answers), "blank": _with({}), "half": _with(dict(list(answers.items())[:4])),
            "noisy": _with(noisy)}


def hostile() -> dict[str, object]:
    """student -> notebook (or raw bytes for files that are not notebooks, or None for a missing one)."""
    a = notebooks.solution_sources(CHAPTER)
    out: dict[str, object] = {}
    out["invalid_json"] = b'{"cells": [ this is not json'
    out["not_a_notebook"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    out["missing"] = None
    nb = _with(a)
    nb.cells = [c for c in nb.cells if notebooks.grade_id(c) != "q1_test"]
    out["deleted_test"] = nb
    nb = _with({})
    for c in nb.cells:
        if (notebooks.grade_id(c) or "").endswith("_test"):
            c.source = "pass"
    out["edited_tests"] = nb
    nb = _with({})
    test = next(c for c in nb.cells if notebooks.grade_id(c) == "q1_test")
    nb.cells.insert(nb.cells.index(test), nbformat.from_dict(json.loads(json.dumps(test))))
    out["duplicated_test"] = nb
    out["changed_metadata"] = changed_metadata(_with(a))
    nb = _with(a)
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    out["wrong_kernelspec"] = nb
    nb = _with(a)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i}"
    out["cell_ids"] = nb
    out["infinite_loop"] = _with(a, q2_answer="while True:\n    pass")
    out["memory_bomb"] = _with(a, q2_answer="hog = bytearray(8 * 1024 ** 3)")
    out["fork_bomb"] = _with(a, q2_answer="import os, time\nfor _ in range(1000):\n    if os.fork() == 0:\n"
                                          "        time.sleep(30)\n        os._exit(0)")
    out["huge_output"] = _with(a, q2_answer="for _ in range(200):\n    print('x' * 100_000)")
    out["network"] = _with(a, q2_answer="import urllib.request\n"
                                        "urllib.request.urlopen('http://1.1.1.1', timeout=3)")
    out["snoop"] = _with(a, q2_answer=SNOOP)
    out["fake_questions"] = _with({}, q1_answer=FAKE_QUESTIONS)
    out["patched_engine"] = _with({}, q1_answer=PATCH_ENGINE)
    out["hostile_eq"] = _with({}, q1_answer=LIAR)
    return out


# what each hostile submission must score (max 12): never more than its honest worth. Changed
# metadata is restored from the release before grading (restore_metadata), so those answers count.
EXPECTED = {"invalid_json": 0, "not_a_notebook": 0, "missing": 0, "deleted_test": 11, "edited_tests": 0,
            "duplicated_test": 0, "changed_metadata": 12, "wrong_kernelspec": 12, "cell_ids": 12,
            "infinite_loop": 11, "memory_bomb": 11, "fork_bomb": 11, "huge_output": 11, "network": 11,
            "snoop": 11, "fake_questions": 0, "patched_engine": 0, "hostile_eq": 0}


def write(folder: Path, students: dict) -> None:
    """Write submissions in nbgrader's layout: folder/<student>/<chapter>/<chapter>.ipynb."""
    for student, nb in students.items():
        dest = folder / student / CHAPTER
        dest.mkdir(parents=True, exist_ok=True)
        if nb is None:
            (dest / "notes.txt").write_text("I forgot the notebook")
        elif isinstance(nb, bytes):
            (dest / f"{CHAPTER}.ipynb").write_bytes(nb)
        else:
            nbformat.write(nb, str(dest / f"{CHAPTER}.ipynb"))


def honest_for(chapter: str, n: int) -> dict[str, nbformat.NotebookNode]:
    """``n`` honest submissions of any chapter: full, blank, and every k-th answer left out (k = 2, 3, …)."""
    answers = notebooks.solution_sources(chapter)
    exercise = notebooks.read(notebooks.exercise_notebook(chapter))
    kinds = [("full", answers), ("blank", {})]
    k = 2
    while len(kinds) < n:
        kinds.append((f"every{k}", {g: s for i, (g, s) in enumerate(answers.items()) if i % k}))
        k += 1
    return {f"s{i:02d}_{name}": notebooks.with_answers(exercise, a) for i, (name, a) in enumerate(kinds[:n])}


def write_for(chapter: str, folder: Path, students: dict) -> None:
    """``write`` for any chapter: folder/<student>/<chapter>/<chapter>.ipynb."""
    for student, nb in students.items():
        dest = folder / student / chapter
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(dest / f"{chapter}.ipynb"))
