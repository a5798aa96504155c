"""Run student code under a wall-clock limit, so an endless loop becomes a message.

The limit measures the student's own code: time spent importing a library (a first
``import tensorflow`` inside the function takes seconds) is not counted, and the alarm never
fires in the middle of an import (which would leave the library half-imported).
"""
from __future__ import annotations

import builtins
import signal
import threading


class StudentTimeout(Exception):
    pass


def call_with_time_limit(func, args=(), kwargs=None, seconds: float = 5.0):
    """Call ``func``; raise StudentTimeout after ``seconds`` of the call's own time.

    Uses SIGALRM, which only works in the main thread (where Jupyter kernels and
    nbgrader run cells); elsewhere the call runs without a limit.
    """
    kwargs = kwargs or {}
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        return func(*args, **kwargs)

    def on_alarm(signum, frame):
        raise StudentTimeout(f"did not finish within {seconds:g} s")

    real_import = builtins.__import__
    depth = [0]

    def paused_import(*a, **kw):
        # The clock stops while a module is imported (nested imports stop it once).
        if depth[0]:
            return real_import(*a, **kw)
        left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        depth[0] += 1
        try:
            return real_import(*a, **kw)
        finally:
            depth[0] -= 1
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3) if left else 0)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    builtins.__import__ = paused_import
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return func(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        builtins.__import__ = real_import
        signal.signal(signal.SIGALRM, previous)
