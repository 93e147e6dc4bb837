"""An nbgrader preprocessor this course adds to autograding (named in nbgrader_config.py).

When a student copies a graded cell, nbgrader's own ``DeduplicateIds`` takes the grade id off the copy but
leaves the rest of its nbgrader metadata, and ``OverwriteCells`` then stops with a ``KeyError`` on it (with
``add_missing_cells`` on), so the whole submission is not graded. This drops the leftover metadata: the
copy becomes an ordinary cell and only the first copy counts, as nbgrader intends.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor


class DropOrphanGradeMetadata(NbGraderPreprocessor):
    """Remove nbgrader metadata that has no grade id (left on copies of graded cells)."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {})
        if "nbgrader" in meta and "grade_id" not in meta["nbgrader"]:
            self.log.warning("Cell %d copies a graded cell: it is graded as an ordinary cell (the first copy counts)", index + 1)
            del meta["nbgrader"]
        return cell, resources


class ShortenTestErrors(NbGraderPreprocessor):
    """In feedback, show a failed test as its one-line message, not as a traceback.

    A traceback prints the lines of code around the failure, and in a test cell those are the hidden test
    with the exercise's hashes: a student who had them could try every year or small count against them and
    pass the answer on. The message of :func:`helpers.exercises.grade` never contains the answer.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
