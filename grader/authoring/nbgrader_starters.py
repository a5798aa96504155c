"""nbgrader's ClearSolutions, with learntools-style starter lines.

In a source notebook, a solution region may say what the student sees instead::

    ### BEGIN SOLUTION
    # starter: kernel = ____
    kernel = np.array([-1, 1])
    ### END SOLUTION

The student version then reads ``kernel = ____``. The ``# starter:`` lines are
comments, so the source (solution) notebook runs unchanged. A region without
starter lines gets nbgrader's ``code_stub``.
"""
from __future__ import annotations

import re

from nbgrader.preprocessors import ClearSolutions

STARTER = re.compile(r"^(\s*)# starter: ?(.*)$")


class StarterSolutions(ClearSolutions):
    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or self.begin_solution_delimeter not in cell.source:
            return super()._replace_solution_region(cell, language)
        stub = self.code_stub[language].split("\n")
        new_lines, region, in_solution, replaced = [], [], False, False
        for line in cell.source.split("\n"):
            if self.begin_solution_delimeter in line:
                if in_solution:
                    raise RuntimeError("encountered nested begin solution statements")
                in_solution, replaced, region = True, True, []
                indent = re.match(r"\s*", line).group(0)
            elif self.end_solution_delimeter in line and in_solution:
                starters = [STARTER.match(l) for l in region]
                starters = [m.group(1) + m.group(2) for m in starters if m]
                new_lines.extend(starters or [indent + s for s in stub])
                in_solution = False
            elif in_solution:
                region.append(line)
            else:
                new_lines.append(line)
        if in_solution:
            raise RuntimeError("no end solution statement found")
        cell.source = "\n".join(new_lines)
        return replaced

