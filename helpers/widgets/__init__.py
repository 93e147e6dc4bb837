"""ipywidgets explorers. Thin: each control change calls analysis and plots, nothing more.

Every explorer is an :class:`Explorer`: ``explorer.view`` is what the notebook displays,
``explorer.set(name=value)`` drives it from Python (tests and benchmarks do), and
``explorer.summary`` is the plain-text result of the last redraw, and ``explorer.copy()`` a
second explorer built the same way: tests and benchmarks drive the copy, so that the one on a
student's screen stays exactly as its cell says. A value the analysis cannot handle (a negative
year range, an absurd growth rate) shows its message in the output area instead of a traceback.

Displayed, an explorer sends its live widget and, beside it, a still image of its opening state
with a note (HTML): the stored notebook and the website show that image where no kernel runs.
"""

from __future__ import annotations

import functools
import html
import numbers
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import pandas as pd

from helpers import plots
from helpers._lazy import LazyModule
from helpers.analysis import AnalysisError, guard_module
from helpers.errors import PlainMessage

plt = LazyModule("matplotlib.pyplot")  # imported with the first figure drawn

__all__ = ["Explorer", "ControlValueError", "explorer_factory", "timeline_explorer"]



class ControlValueError(PlainMessage, AnalysisError, KeyError):
    """``Explorer.set`` was given a control that does not exist or a value outside a control's choices."""

def _allowed(name: str, control: W.ValueWidget, value: Any) -> Any:
    """``value`` as ``control`` will hold it, or a ControlValueError naming the choices or the range.

    ipywidgets would raise a bare TraitError for a value outside the options, and a slider silently
    moves a value outside its range to the nearest end: both would hide the mistake."""
    options = getattr(control, "options", None)
    if isinstance(control, W.Combobox) and not control.ensure_option:
        options = None  # the options are suggestions: any text may be typed
    if options is not None:
        labels = [o[0] if isinstance(o, tuple) else o for o in options]
        choices = [o[1] if isinstance(o, tuple) else o for o in options]
        wanted = list(value) if isinstance(control, W.SelectMultiple) and isinstance(value, (list, tuple, set)) else [value]
        if isinstance(control, W.SelectMultiple) and isinstance(value, str):
            wanted = [value]
        picked = []
        for item in wanted:
            if item in choices:
                picked.append(item)
            elif item in labels:
                picked.append(choices[labels.index(item)])  # the label a student sees is accepted too
            else:
                shown = ", ".join(repr(c) for c in choices[:12]) + (" ..." if len(choices) > 12 else "")
                raise ControlValueError(f"{item!r} is not one of the choices for {name}: {shown}.")
        return tuple(picked) if isinstance(control, W.SelectMultiple) else picked[0]
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if low is not None and high is not None:
        ends = list(value) if isinstance(value, (list, tuple)) else [value]
        range_like = isinstance(control.value, tuple)
        if range_like != isinstance(value, (list, tuple)) or (range_like and len(ends) != 2):
            form = f"a pair (from, to) such as {tuple(control.value)!r}" if range_like else f"one number such as {control.value!r}"
            raise ControlValueError(f"{name} takes {form}, got {value!r}.")
        for i, end in enumerate(ends):
            if isinstance(end, str):
                try:
                    ends[i] = end = float(end) if "." in end else int(end)  # '1960' for a year slider
                except ValueError:
                    pass
            if isinstance(end, bool) or not isinstance(end, numbers.Real):
                raise ControlValueError(f"{name} takes a number from {low} to {high}, got {end!r}.")
            if not low <= end <= high:
                raise ControlValueError(f"{end!r} is outside the range of {name}: from {low} to {high}.")
        if range_like and ends[0] > ends[1]:
            raise ControlValueError(f"{name} runs from {ends[0]} to {ends[1]}, back to front: give the earlier value first.")
        return tuple(ends) if range_like else ends[0]
    if isinstance(control, (W.Text, W.Textarea, W.Combobox)) and not isinstance(value, str):
        raise ControlValueError(f"{name} is a text box: give text such as {control.value!r}, got {value!r}.")
    return value


class Explorer:
    """Controls + an ``Output``; ``render(**values)`` draws and returns a text summary."""

    def __init__(
        self,
        controls: dict[str, W.ValueWidget],
        render: Callable[..., tuple[Any, str]],
        title: str = "",
        *,
        show_summary: bool = False,
    ):
        """``render(**values)`` returns ``(axes or None, summary)``. The output shows the figure (an HTML
        ``<figure>`` with alt text and a source line), then the summary. ``show_summary`` is kept for
        callers written before the summary was always shown; it changes nothing."""
        self.controls = controls
        self.show_summary = show_summary
        self._render = render
        self.out = W.Output(layout=W.Layout(min_height="120px"))
        self.message = W.HTML()
        self.error: Exception | None = None  # the last unexpected error of a redraw (a defect), for the tests
        self.summary = ""
        self.ax = None
        self._last: list[dict] = []
        self.title = title
        self._factory: Callable[[], Explorer] | None = None
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.view = W.VBox([*header, W.HBox(list(controls.values())), self.message, self.out])
        for control in controls.values():
            control.observe(self._changed, names="value")
        self.update()

    def copy(self) -> Explorer:
        """A new explorer made by the same call (same data and opening values), for tests to drive."""
        if self._factory is None:
            raise TypeError("This explorer was not made by a function decorated with @explorer_factory, so it cannot be copied.")
        return self._factory()

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> str:
        """Change controls from Python (as a student would with the mouse); returns the summary."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ControlValueError(f"No control called {unknown}; the controls are {sorted(self.controls)}.")
        values = {name: _allowed(name, self.controls[name], value) for name, value in values.items()}  # all checked before any is set
        for name, value in values.items():
            self.controls[name].unobserve(self._changed, names="value")
            try:
                self.controls[name].value = value
            finally:
                self.controls[name].observe(self._changed, names="value")
        return self.update()

    def _changed(self, _change: dict) -> None:
        self.update()

    def update(self) -> str:
        """Redraw from the current control values; never raises for a value the analysis refuses."""
        try:
            ax, summary = self._render(**self.values())
            if ax is None and not summary:  # the render had nothing to show (a control moved by another's change)
                return self.summary
            self.ax, self.summary = ax, summary
            self.message.value = ""
        except (AnalysisError, ValueError) as err:
            self.ax, self.summary = None, f"Cannot show this: {err}"
            self.message.value = f"<span style='color:#a00'>{html.escape(self.summary)}</span>"
        except Exception as err:  # noqa: BLE001 - a defect; shown in place (not in the log) and kept for the tests
            self.error = err
            self.ax, self.summary = None, f"Cannot show this: an unexpected {type(err).__name__} ({err}). Please report it to your teacher."
            self.message.value = f"<span style='color:#a00'>{html.escape(self.summary)}</span>"
        # Write into the Output's own state rather than ``with self.out:``: a captured display
        # is still sent as an output of whichever cell is running, which a notebook test would
        # then see in the cell that called .set().
        outputs: list[dict] = []
        if self.ax is not None:
            bundle, metadata = plots.figure_bundle(self.ax, tight=False)  # an SVG frame: see plots._svg
            # the HTML figure (image with alt text and caption) and the text; not the same image a second time
            # as image/png, which would double what each change sends to the browser
            for mime in ("image/png", "image/svg+xml"):
                bundle.pop(mime, None)
            outputs.append({"output_type": "display_data", "data": bundle, "metadata": metadata})
            plt.close(self.ax.figure)
        if self.summary:
            outputs.append({"output_type": "stream", "name": "stdout", "text": self.summary + "\n"})
        self._last = outputs
        self.out.outputs = tuple(outputs)
        return self.summary

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget, and a still image of what it shows now (for a notebook read without a kernel)."""
        bundle = dict(self.view._repr_mimebundle_(include=include, exclude=exclude) or {})
        still = "".join(o["data"]["text/html"] for o in self._last if o["output_type"] == "display_data")
        text = next((o["text"] for o in self._last if o["output_type"] == "stream"), "")
        bundle["text/html"] = (
            f'<div class="explorer-still"><p><b>{html.escape(self.title or "Explorer")}</b> '
            "<em>(interactive when you run this notebook in JupyterLab; here, the view it opens with)</em></p>"
            f"{still}" + (f"<pre>{html.escape(text)}</pre>" if text else "") + "</div>"
        )
        bundle["text/plain"] = f"{self.title or 'Explorer'} (interactive in JupyterLab)"
        return bundle


def explorer_factory(make: Callable[..., Explorer]) -> Callable[..., Explorer]:
    """Decorate a function that builds an Explorer, so that ``explorer.copy()`` can call it again."""

    @functools.wraps(make)
    def wrapper(*args: Any, **kwargs: Any) -> Explorer:
        made = make(*args, **kwargs)
        made._factory = lambda: wrapper(*args, **kwargs)
        return made

    return wrapper


@explorer_factory
def timeline_explorer(events: pd.DataFrame, start: int = 1949, end: int = 1960) -> Explorer:
    """Pick a range of years and the categories to show; see the timeline and the counts."""
    years = W.IntRangeSlider(value=(start, end), min=int(events["date"].dt.year.min()), max=int(events["date"].dt.year.max()), description="Years", continuous_update=False, layout=W.Layout(width="460px"))
    cats = [c for c in plots.CATEGORY_COLORS if c in set(events["category"])]
    bare = pd.DataFrame(events)[["date", "category"]]  # for the counts: no metadata to copy at every step
    bare.attrs = {}
    chooser = W.SelectMultiple(options=cats, value=tuple(cats), description="Categories", rows=len(cats))

    def render(years: tuple[int, int], categories: tuple[str, ...]):
        if not categories:
            raise ValueError("choose at least one category.")
        lo, hi = f"{years[0]}-01-01", f"{years[1]}-12-31"
        ax = plots.timeline(events, lo, hi, categories=categories, labels=(years[1] - years[0] <= 6), documents=True)
        shown = bare[(bare["date"] >= lo) & (bare["date"] <= hi) & bare["category"].isin(categories)]
        counts = shown["category"].value_counts()
        summary = f"{len(shown)} events, {years[0]}–{years[1]}: " + ", ".join(f"{c} {counts[c]}" for c in categories if c in counts)
        return ax, summary

    return Explorer({"years": years, "categories": chooser}, render, title="Timeline explorer")


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
