"""Authoring tools: notebook sync, the exercises' set-up cell, lesson copies, nbgrader starters."""
