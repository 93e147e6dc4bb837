"""The document explorer: pick an event of the timeline, read the documents behind it.

Thin: the timeline comes from :func:`helpers.plots.timeline` (events with a document framed by a square),
the cards from :mod:`helpers.documents`. Below the figure the explorer shows the chosen excerpt's card.

>>> from helpers import data
>>> from helpers.widgets.documents import document_explorer
>>> explorer = document_explorer(data.load("events"))  # doctest: +SKIP
>>> print(explorer.set(event="mao_in_moscow_1957"))  # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as W
import pandas as pd

from helpers import documents as docs
from helpers import plots
from helpers.analysis import AnalysisError, guard_module
from helpers.widgets import Explorer, explorer_factory

__all__ = ["DocumentExplorer", "document_explorer"]


class DocumentExplorer(Explorer):
    """An :class:`Explorer` whose output ends with the card of the chosen excerpt (HTML and plain text), which the
    still image for readers without a kernel shows too."""

    def update(self) -> str:
        summary = super().update()
        if self.ax is not None:
            shown = docs.card(self.controls["document"].value, questions=False)
            outputs = [*self._last, {"output_type": "display_data", "data": {"text/html": shown._repr_html_(), "text/plain": str(shown)}, "metadata": {}}]
            self._last = outputs
            self.out.outputs = tuple(outputs)
        return summary


def _event_label(row: pd.Series) -> str:
    return f"{row['date']:%Y-%m-%d} · {row['title']}"


@explorer_factory
def document_explorer(events: pd.DataFrame, event: str | None = None) -> DocumentExplorer:
    """Choose an event that has documents; see it on the timeline (a year either side) and read its documents.

    ``event`` is the ``event_id`` to open with (by default the first event, in date order, that has a document)."""
    by_event = docs.event_documents(events)
    if not by_event:
        raise AnalysisError("No event in this table has a document in the reader.")
    rows = pd.DataFrame(events)
    rows.attrs = {}
    rows = rows[rows["event_id"].isin(by_event)].sort_values(["date", "event_id"])
    options = [(_event_label(r), r["event_id"]) for _, r in rows.iterrows()]
    first = event if event is not None else options[0][1]
    if first not in by_event:
        raise AnalysisError(f"{first!r} is not an event with a document; the events with documents are {', '.join(sorted(by_event))}.")
    chooser = W.Dropdown(options=options, value=first, description="Event", layout=W.Layout(width="560px"))
    excerpt = W.Dropdown(options=by_event[first], value=by_event[first][0], description="Document", layout=W.Layout(width="560px"))
    titles = dict(zip(rows["event_id"], rows["title"]))
    dates = dict(zip(rows["event_id"], rows["date"]))

    def follow(change: dict) -> None:  # a new event: its documents, the first one chosen
        wanted = by_event[change["new"]]
        if tuple(excerpt.options) != tuple(wanted):
            excerpt.options = wanted
            excerpt.value = wanted[0]

    chooser.observe(follow, names="value")

    def render(event: str, document: str):
        if document not in by_event[event]:
            return None, ""  # the document list is still changing with the event
        when = dates[event]
        lo, hi = when - pd.DateOffset(years=1), when + pd.DateOffset(years=1)
        ax = plots.timeline(events, f"{lo:%Y-%m-%d}", f"{hi:%Y-%m-%d}", labels=True, documents=True,
                            title=f"{titles[event]}: the year before and after")
        row = docs.get(document)
        summary = (
            f"{titles[event]} ({when:%d %B %Y}): {len(by_event[event])} document excerpt(s) in the reader. "
            f"Showing {document}: {row['title']}, {row['author']}."
        )
        return ax, summary

    return DocumentExplorer({"event": chooser, "document": excerpt}, render, title="Documents behind the timeline")


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
