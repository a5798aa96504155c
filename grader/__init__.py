"""Feedback engine, chapter checks and instructor tools for "Convolutional Networks, hands-on".

Student notebooks start with::

    from grader import binder
    binder.bind(globals())
    from grader.checks.ch01_convolution_1d import *

The core (this package minus ``grader.checks``) never imports TensorFlow, and nothing in
it talks to the network.
"""
import os as _os

# TensorFlow's C++ logs go to stderr, and nbgrader scores a test cell that writes to
# stderr as 0. Quiet them before any chapter imports TensorFlow (users may override).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"
