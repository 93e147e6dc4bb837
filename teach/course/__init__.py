"""Teachers' tools for a class: the class copy, the course file and the nbgrader course.

- :mod:`teach.course.release`  teacher tree -> class copy (student editions, data, helpers; no solution,
  rubric or graded answer), its own git repository: what ``make link`` points at
- :mod:`teach.course.config`   the course file (``course.toml``): assignments, points, due dates, self-checks
- :mod:`teach.course.build`    course file + teacher editions -> nbgrader ``source/`` and ``nbgrader_config.py``
- :mod:`teach.course.lessons`  the cells each numbered exercise of a teacher edition is made of

Grading itself is nbgrader's (generate_assignment, collect or zip_collect, autograde, formgrader,
generate_feedback, export): see the README's section for teachers.
"""
