"""One module per chapter: ``from grader.checks.<chapter id> import *`` in its exercise."""
