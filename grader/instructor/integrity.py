"""Tampering defence: hidden tests assert with a fresh, untampered copy of the checks.

A student's own cells run in the same kernel as the hidden tests, so they can redefine
``q_1`` or monkeypatch ``grader.engine.questions``. ``fresh(chapter, "q_1", globals())`` imports the
grader package and the chapter's checks anew from disk (read-only in the sandbox), bound to
the notebook's variables, so the verdict comes from code the student never touched.
``harden`` rewrites a source notebook's hidden-test lines to use it (the batch applies it to its
own copy of the source; solutions/ can carry the same lines). ``audit`` reads the answer
cells outside the kernel and names code that reaches into the grading machinery itself.
"""
from __future__ import annotations

import ast
import importlib
import re
import sys

_HIDDEN_CALL = re.compile(r"^(\s*)(q_\d+(?:\.\w+)?)\.(assert_\w+)\(", re.M)


def fresh(chapter: str, question: str, namespace: dict):
    """The question ``question`` ("q_3.a") of a freshly imported ``grader.checks.<chapter>``."""
    saved = {k: v for k, v in sys.modules.items() if k == "grader" or k.startswith("grader.")}
    for name in saved:
        del sys.modules[name]
    try:
        importlib.invalidate_caches()
        checks = importlib.import_module(f"grader.checks.{chapter}")
        sys.modules["grader.binder"].bind(namespace)
    finally:
        for name in [k for k in sys.modules if k == "grader" or k.startswith("grader.")]:
            del sys.modules[name]
        sys.modules.update(saved)
    obj = checks
    for part in question.split("."):
        obj = getattr(obj, part)
    return obj


def harden_source(source: str, chapter: str) -> str:
    """``q_1.assert_check_passed()`` -> the same assertion on a fresh copy of q_1."""
    def repl(m):
        return (f'{m.group(1)}__import__("grader.instructor.integrity", fromlist=["fresh"])'
                f'.fresh("{chapter}", "{m.group(2)}", globals()).{m.group(3)}(')
    return _HIDDEN_CALL.sub(repl, source)


def harden(nb, chapter: str):
    """Harden the hidden tests of an nbgrader source notebook (in place); returns it."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            cell.source = harden_source(cell.source, chapter)
    return nb


SUSPICIOUS_NAMES = {"grader", "binder", "sys", "builtins", "__builtins__", "importlib", "get_ipython", "ctypes",
                    "gc", "inspect", "exec", "eval", "compile", "__import__", "setattr", "delattr", "globals",
                    "AssertionError", "assert_check_passed", "assert_hidden_tests_pass", "hidden_tests", "assert_passes_on",
                    "__eq__", "__ne__"}

# As attributes, builtins' names are ordinary methods (`model.compile`, `df.eval`): only the machinery counts.
SUSPICIOUS_ATTRIBUTES = SUSPICIOUS_NAMES - {"compile", "exec", "eval", "inspect", "sys", "gc", "globals"}


def audit_source(source: str) -> list[str]:
    """Lines of one answer cell that touch the grading machinery (empty when clean)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it cannot run, so it cannot tamper
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            hit = [m for m in mods if m.split(".")[0] in SUSPICIOUS_NAMES]
            what = f"imports {hit[0]}" if hit else None
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            what = f"uses `{node.id}`"
        elif isinstance(node, ast.Name) and re.fullmatch(r"q_\d+", node.id) and isinstance(node.ctx, (ast.Store, ast.Del)):
            what = f"redefines `{node.id}`"
        elif isinstance(node, ast.Attribute) and (node.attr in SUSPICIOUS_ATTRIBUTES or isinstance(node.ctx, ast.Store)
                                                  and isinstance(node.value, ast.Name)
                                                  and re.fullmatch(r"q_\d+|np|numpy|scipy|signal", node.value.id)):
            what = f"changes or reads `.{node.attr}`"
        elif isinstance(node, ast.FunctionDef) and node.name in SUSPICIOUS_NAMES:
            what = f"defines `{node.name}`"
        if what:
            found.append(f"line {getattr(node, 'lineno', '?')}: {what}")
    return sorted(set(found))


def audit(nb) -> list[str]:
    """Findings for every cell a student can edit (answer cells and cells nbgrader does not lock)."""
    findings = []
    for index, cell in enumerate(nb.get("cells", [])):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("locked") or meta.get("grade"):
            continue
        findings += [f"cell {index + 1}, {f}" for f in audit_source(cell.get("source", ""))]
    return findings
