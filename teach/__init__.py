"""Tools for authors, teachers and maintainers: everything that is not run in a student's kernel.

The lessons import only :mod:`helpers`, which ships whole in the class copy. This package turns the teacher
editions into what others receive and runs what a teacher runs, behind one command line
(``python -m teach COMMAND``; the Makefile's targets call it):

- :mod:`teach.lesson`    the one lesson model: a teacher notebook read into cells with roles
- :mod:`teach.editions`  the student editions (``make editions``)
- :mod:`teach.execute`   re-running the teacher editions (``make execute``)
- :mod:`teach.course`    the course file, the class copy (``make release``), nbgrader's course folder and grading
- :mod:`teach.site`      the website (``make site``)
- :mod:`teach.fonts`     the bundled CJK font subset
- :mod:`teach.hub`       the trial JupyterHub (``make hub``) and the pins for Binder and conda
"""
