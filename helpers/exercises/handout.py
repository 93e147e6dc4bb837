"""Handing an answer out of the kernel when a teacher grades (``hand_out``): the kernel never judges it.

When a teacher grades a class, a graded exercise's test cell runs, in the student's sandboxed kernel, only
``hand_out("1.3", "answer_1_3")``. It writes the value of that name, turned into plain JSON (numbers, text,
lists, a table's cells), as one output of the cell. The grader, outside the sandbox, reads that output and
judges it with the exercise's hashes, which never enter the kernel. A student who patches this module or
forges the output can only change which answer of their own is handed out, not whether it is right.

>>> plain(1956)
1956
>>> plain(("a", 2.5))
['a', 2.5]
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from typing import Any

#: The output's media type: the grader looks for it in the test cell's outputs and nowhere else.
MIME = "application/x.sino-soviet.answer+json"
#: Longest answer handed out (characters of JSON); a longer one is handed out as unreadable.
MAX_JSON = 65536
MAX_ITEMS = 2000


class Unreadable(Exception):
    """The value cannot be handed out as plain data (the message says what it is)."""


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    module = type(value).__module__.split(".", 1)[0]
    if module in ("numpy", "pandas"):
        import numpy as np
        import pandas as pd

        if value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return _scalar(value.to_pydatetime())
        if isinstance(value, pd.Timedelta):
            return value.days
        if isinstance(value, pd.Period):
            return str(value)
        if isinstance(value, np.datetime64):
            return _scalar(pd.Timestamp(value))
        if isinstance(value, np.generic):
            return _scalar(value.item())
    raise Unreadable(f"a {type(value).__name__}")


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: a scalar, a list, or ``{"table": ...}`` for a DataFrame."""
    if value is ... or value is NotImplemented:
        return {"missing": True}
    module = type(value).__module__.split(".", 1)[0]
    if module == "pandas":
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            if value.size > MAX_ITEMS:
                raise Unreadable(f"a table of {value.size} cells")
            return {"table": {
                "columns": [plain(c) for c in value.columns],
                "index": [plain(i) for i in value.index],
                "data": [[plain(v) for v in row] for row in value.itertuples(index=False)],
            }}
        if isinstance(value, pd.Series):
            if len(value) > MAX_ITEMS:
                raise Unreadable(f"a Series of {len(value)} values")
            return {"series": {"index": [plain(i) for i in value.index], "data": [plain(v) for v in value]}}
    if isinstance(value, (list, tuple, set, frozenset)) or (module in ("numpy", "pandas") and hasattr(value, "__len__") and not isinstance(value, str)):
        items = list(value)
        if len(items) > MAX_ITEMS:
            raise Unreadable(f"a collection of {len(items)} items")
        out = [plain(v) for v in items]
        return sorted(out, key=repr) if isinstance(value, (set, frozenset)) else out
    return _scalar(value)


def hand_out(qid: str, name: str) -> None:
    """Show the value of the notebook variable ``name`` as exercise ``qid``'s answer, in plain data."""
    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    namespace = getattr(shell, "user_ns", {})
    payload: dict[str, Any] = {"qid": str(qid)}
    if name not in namespace:
        payload["missing"] = True
    else:
        try:
            payload["value"] = plain(namespace[name])
            text = json.dumps(payload, ensure_ascii=False)
            if len(text) > MAX_JSON:
                raise Unreadable(f"an answer of {len(text)} characters")
        except Unreadable as why:
            payload = {"qid": str(qid), "unreadable": str(why)}
        except Exception as err:  # noqa: BLE001 - any odd object is handed out as unreadable, never a crash
            payload = {"qid": str(qid), "unreadable": f"a {type(err).__name__} when reading it"}
    display({MIME: payload, "text/plain": f"Exercise {qid}: answer handed in for marking."}, raw=True)
