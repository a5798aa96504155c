"""Run student code under a wall-clock limit, so an endless loop becomes a message."""
from __future__ import annotations

import signal
import threading


class StudentTimeout(Exception):
    pass


def call_with_time_limit(func, args=(), kwargs=None, seconds: float = 5.0):
    """Call ``func``; raise StudentTimeout after ``seconds``.

    Uses SIGALRM, which only works in the main thread (where Jupyter kernels and
    nbgrader run cells); elsewhere the call runs without a limit.
    """
    kwargs = kwargs or {}
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        return func(*args, **kwargs)

    def on_alarm(signum, frame):
        raise StudentTimeout(f"did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return func(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
