"""One module per chapter: ``from grader.checks.<chapter id> import *`` in its exercise."""
from __future__ import annotations

import importlib
from types import ModuleType


def chapter_module(chapter: str) -> ModuleType:
    return importlib.import_module(f"grader.checks.{chapter}")


def solution_namespace(module: ModuleType, code: str) -> dict:
    """What a question's ``solution_code`` can use: as in its notebook after the set-up cell."""
    import numpy as np
    from scipy import signal
    namespace = {"np": np, "signal": signal, **{n: getattr(module, n) for n in module.__all__}}
    if "tf." in code:
        import tensorflow as tf
        namespace["tf"] = tf
    if "keras" in code:
        import keras
        namespace["keras"] = keras
    return namespace
