"""Restoring changed nbgrader metadata from the released notebook (no kernels: fast)."""
import copy

import nbformat

from grader.authoring import notebooks
from benchmarks import synthetic_class
from grader.instructor import restore_metadata

CHAPTER = synthetic_class.CHAPTER


def release():
    return notebooks.read(notebooks.exercise_notebook(CHAPTER))


def full():
    return notebooks.with_answers(release(), notebooks.solution_sources(CHAPTER))


def nbgrader_meta(nb):
    return [c.metadata.get("nbgrader") for c in nb.cells]


def test_honest_notebooks_are_left_alone():
    for nb in synthetic_class.honest().values():
        before = copy.deepcopy(nb)
        assert restore_metadata.restore(nb, release()) == []
        assert nb == before


def test_every_kind_of_damage_is_restored():
    nb = synthetic_class.changed_metadata(full())
    notes = restore_metadata.restore(nb, release())
    assert nbgrader_meta(nb)[:-1] == nbgrader_meta(release())     # points, grade_ids, solution flags back
    assert "nbgrader" not in nb.cells[-1].metadata                # the made-up 100-point cell is ignored
    assert any("restored from the released assignment" in n for n in notes)


def test_all_metadata_dropped_is_restored_by_source_and_position():
    nb = full()
    for cell in nb.cells:
        cell.metadata = {}
    restore_metadata.restore(nb, release())
    assert nbgrader_meta(nb) == nbgrader_meta(release())


def test_deleted_test_cell_is_not_recreated_from_another_cell():
    nb = synthetic_class.hostile()["deleted_test"]
    restore_metadata.restore(nb, release())
    ids = [notebooks.grade_id(c) for c in nb.cells]
    assert "q1_test" not in ids and ids.count("q2_test") == 1


def test_ambiguous_answer_cell_is_left_as_plain_code():
    nb = full()
    i = next(i for i, c in enumerate(nb.cells) if notebooks.grade_id(c) == "q1_answer")
    del nb.cells[i].metadata["nbgrader"]
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell("print('scratch work')"))
    restore_metadata.restore(nb, release())
    assert "q1_answer" not in [notebooks.grade_id(c) for c in nb.cells]
    assert nb.cells[i].source == notebooks.solution_sources(CHAPTER)["q1_answer"]


def test_restore_file_rewrites_only_the_copy_it_is_given(tmp_path):
    rel = tmp_path / "release.ipynb"
    nbformat.write(release(), str(rel))
    damaged = tmp_path / "copy.ipynb"
    nbformat.write(synthetic_class.changed_metadata(full()), str(damaged))
    clean = tmp_path / "clean.ipynb"
    nbformat.write(full(), str(clean))
    before = clean.read_bytes()
    assert restore_metadata.restore_file(damaged, rel)
    assert restore_metadata.restore_file(clean, rel) == [] and clean.read_bytes() == before
    (tmp_path / "bad.ipynb").write_bytes(b'{"cells": [ not json')
    assert restore_metadata.restore_file(tmp_path / "bad.ipynb", rel) == []
