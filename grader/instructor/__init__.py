"""Instructor tools around nbgrader: collect, sandboxed parallel autograde, merge, reports.

nbgrader stays the grading engine and the gradebook; these modules only prepare its
input, run it in parallel (one scratch course per student, kernels in a bubblewrap
sandbox) and merge each student's results back into the course gradebook.
Imports here stay light: the sandbox launcher runs before every kernel.
"""
