"""The class report of one graded assignment: ``make report ASSIGNMENT=lesson01`` (``python -m teach report``).

Writes ``<course_dir>/reports/<assignment>/``:

* ``index.html``: one page for the teacher, offline (figures are inline SVG; no script, font or style is
  fetched from anywhere): per exercise the share of full marks, the distribution of points, the discrimination
  (top third of the class by total against the bottom third), the most common wrong answers with their counts,
  and which source the students who gave a known alternative answer followed; a grid of students by exercises,
  with each late penalty nbgrader recorded and the grade after it; work handed in but not graded, with the reason;
* ``written-<exercise>.html``: every student's answer to one written exercise on one page, beside the model
  answer and the rubric, then the pairs of answers that share much wording (among students, and with the model
  answer), as pairs to read, never as a verdict;
* ``report.csv`` (one row per exercise) and ``students.csv`` (the grid).

The report is a teacher's document: it holds model answers and rubrics, so it stays in the course folder.
Everything is computed on this machine from the course folder (see :mod:`teach.course.classdata`); nothing is
sent anywhere. An existing report is replaced only with ``--force``, and then kept as
``reports/<assignment>.backup-N/``.

The figures, defined once:

* *full marks*: the share of the students with a submission who got all of an exercise's points;
* *discrimination*: the mean share of the points won in the top third of the class (by total) minus that in the
  bottom third (``n // 3`` students each, ties broken by student id): from -1 to 1; near 0 or below, the
  exercise does not separate stronger from weaker work (or is marked against the grain); with fewer than three
  students it is not computed;
* *wrong answers*: the values the students' kernels handed to the check (``answers/<assignment>/``) that were
  wrong or refused (not the kind of answer asked for), grouped by their normalised form (the check's own
  reading: "18 November 1957" and "1957-11-18" are one answer);
* *sources followed*: wrong answers that match an alternative registered with the exercise (see
  :func:`helpers.exercises.add_alternative`), named with their source;
* *similar written answers*: word 3-gram Jaccard similarity of two answers, and the longest run of words they
  share (difflib); a pair is listed from a Jaccard of 0.25 or a shared run of 12 words.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import html
import io
import json
import re
import shutil
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from teach.course.classdata import PLACEHOLDER, Assignment, ClassDataError, Item, load
from teach.errors import ToolError

JACCARD_FLAG = 0.25
RUN_FLAG = 12
TOP_WRONG = 5


# --------------------------------------------------------------------------- figures


@dataclass
class ItemStats:
    item: Item
    graded: int  # students with points for it (a written answer not yet graded has none)
    pending: int
    full: int  # students with all its points
    mean: float | None
    distribution: dict[float, int]
    discrimination: float | None
    verdicts: dict[str, int] = field(default_factory=dict)
    wrong: list[tuple[str, int]] = field(default_factory=list)  # (shown answer, count)
    followed: list[tuple[dict, int]] = field(default_factory=list)  # (alternative, count)

    @property
    def share_full(self) -> float | None:
        return self.full / self.graded if self.graded else None


def thirds(data: Assignment) -> tuple[list[str], list[str]]:
    """The top and the bottom third of the students with a submission, by total (ties broken by student id)."""
    ranked = sorted(data.submitted, key=lambda s: (-data.total(s), s))
    size = len(ranked) // 3
    if size == 0:
        return [], []
    return ranked[:size], ranked[-size:]


def _mean_share(data: Assignment, item: Item, students: list[str]) -> float | None:
    shares = [p / item.max_points for s in students if (p := data.scores.get(s, {}).get(item.grade_id)) is not None]
    return sum(shares) / len(shares) if shares and item.max_points else None


def _shown(value) -> str:
    """An answer as the report prints it."""
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _wrong_answers(data: Assignment, item: Item, spec: dict | None) -> tuple[dict[str, int], list[tuple[str, int]], list[tuple[dict, int]]]:
    from helpers.exercises import alternative_of, answer_forms

    verdicts: Counter = Counter()
    groups: dict[str, Counter] = {}
    labels: dict[str, str] = {}
    followed: dict[str, list] = {}
    for student in data.submitted:
        answer = data.answers.get(student, {}).get(item.qid)
        if answer is None:
            verdicts["no record"] += 1
            continue
        verdict = str(answer.get("verdict", "no record"))
        verdicts[verdict] += 1
        if verdict not in ("wrong", "refused"):  # refused: not the kind of answer asked for (words for a number)
            continue
        given = answer.get("given")
        key = _shown(given)
        if spec:
            try:
                key = answer_forms(spec["kind"], given, spec)[0]
            except Exception:  # noqa: BLE001 - an answer the check cannot read is grouped as written
                pass
            alt = alternative_of(item.qid, given, spec)
            if alt:
                followed.setdefault(alt["hash"], [alt, 0])[1] += 1
                labels[key] = alt["label"]
        groups.setdefault(key, Counter())[_shown(given)] += 1
    wrong = sorted(((c.most_common(1)[0][0] + (f" = {labels[k]}" if k in labels else ""), sum(c.values()))
                    for k, c in groups.items()), key=lambda x: (-x[1], x[0]))
    return dict(verdicts), wrong[:TOP_WRONG], sorted((tuple(v) for v in followed.values()), key=lambda x: -x[1])


def item_stats(data: Assignment, bank: dict | None = None) -> list[ItemStats]:
    """The figures of every exercise of the assignment (see the module docstring)."""
    if bank is None:
        from helpers.exercises import load_bank

        bank = load_bank()
    top, bottom = thirds(data)
    out = []
    for item in data.items:
        points = [data.scores[s].get(item.grade_id) for s in data.submitted if item.grade_id in data.scores[s]]
        given = [p for p in points if p is not None]
        hi, lo = _mean_share(data, item, top), _mean_share(data, item, bottom)
        stats = ItemStats(
            item=item,
            graded=len(given),
            pending=len(points) - len(given),
            full=sum(1 for p in given if p >= item.max_points - 1e-9),
            mean=statistics.fmean(given) if given else None,
            distribution=dict(sorted(Counter(given).items())),
            discrimination=None if hi is None or lo is None else hi - lo,
        )
        if item.part == "code":
            stats.verdicts, stats.wrong, stats.followed = _wrong_answers(data, item, bank.get(item.qid))
        out.append(stats)
    return out


# --------------------------------------------------------------------------- similar written answers


def _tokens(text: str) -> list[str]:
    text = text.replace(PLACEHOLDER, " ").lower()
    words = re.findall(r"[^\W_]+", text)
    out = []
    for word in words:  # Chinese and Japanese have no spaces: compare them character by character
        out.extend(list(word) if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", word) else [word])
    return out


def _shingles(tokens: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + 1))}


@dataclass
class Pair:
    first: str
    second: str
    jaccard: float
    run: int  # the longest run of words both share
    shared: str  # that run


def similar_pairs(texts: dict[str, str], model: str = "", *, jaccard: float = JACCARD_FLAG, run: int = RUN_FLAG) -> list[Pair]:
    """Pairs of answers that share much wording, most alike first; the model answer takes part as "model answer"."""
    entries = {who: _tokens(text) for who, text in texts.items()}
    entries = {who: toks for who, toks in entries.items() if len(toks) >= 3}
    if model:
        entries["model answer"] = _tokens(model)
    names = sorted(entries, key=lambda w: (w == "model answer", w))
    shingles = {who: _shingles(entries[who]) for who in names}
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            union = shingles[a] | shingles[b]
            score = len(shingles[a] & shingles[b]) / len(union) if union else 0.0
            match = difflib.SequenceMatcher(None, entries[a], entries[b], autojunk=False).find_longest_match(
                0, len(entries[a]), 0, len(entries[b]))
            if score >= jaccard or match.size >= run:
                shared = " ".join(entries[a][match.a:match.a + match.size])
                found.append(Pair(a, b, score, match.size, shared))
    return sorted(found, key=lambda p: (-p.jaccard, -p.run, p.first, p.second))


# --------------------------------------------------------------------------- SVG figures (inline, no script)

INK, RIGHT, PARTIAL, WRONG, GREY = "#222222", "#009E73", "#E69F00", "#D55E00", "#999999"  # Okabe-Ito


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css_class: str = "figure") -> str:
    tid = re.sub(r"\W+", "-", title.lower()).strip("-")
    return (
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{tid}-t {tid}-d"><title id="{tid}-t">{html.escape(title)}</title>'
        f'<desc id="{tid}-d">{html.escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{INK}">{html.escape(text)}</text>')


def share_figure(stats: list[ItemStats]) -> str:
    """Horizontal bars: the share of full marks per exercise."""
    rows = [s for s in stats if s.share_full is not None]
    left, width, bar, gap = 110, 300, 16, 6
    height = 40 + len(rows) * (bar + gap)
    body = [_text(left + width / 2, 16, "Share of students with full marks", "middle", 13, "bold")]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + tick * width
        body.append(f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="{height - 8}" stroke="#dddddd"/>')
        body.append(_text(x, height, f"{tick:.0%}", "middle", 10))
    for i, s in enumerate(rows):
        y = 28 + i * (bar + gap)
        share = s.share_full or 0.0
        colour = RIGHT if share >= 0.7 else PARTIAL if share >= 0.4 else WRONG
        body.append(_text(left - 8, y + bar - 4, f"Exercise {s.item.label}", "end"))
        body.append(f'<rect x="{left}" y="{y}" width="{share * width:.1f}" height="{bar}" fill="{colour}"/>')
        body.append(_text(left + share * width + 4, y + bar - 4, f"{share:.0%} ({s.full}/{s.graded})"))
    desc = "; ".join(f"exercise {s.item.label}: {s.share_full:.0%}" for s in rows)
    return _svg(left + width + 90, height + 6, "Full marks by exercise", desc, body)


def totals_figure(data: Assignment) -> str:
    """A histogram of the students' totals (one bar per whole point)."""
    totals = [data.total(s) for s in data.submitted]
    top = max(1, int(round(data.max_total)))
    counts = Counter(int(t // 1) for t in totals)
    peak = max(counts.values(), default=1)
    left, width, height, base = 40, 360, 140, 180
    step = width / (top + 1)
    body = [_text(left + width / 2, 14, "Totals of the class", "middle", 13, "bold"),
            f'<line x1="{left}" y1="{base}" x2="{left + width}" y2="{base}" stroke="{INK}"/>']
    for points in range(top + 1):
        n = counts.get(points, 0)
        h = height * n / peak
        x = left + points * step
        if n:
            body.append(f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{step - 2:.1f}" height="{h:.1f}" fill="#0072B2"/>')
            body.append(_text(x + step / 2, base - 4 - h, str(n), "middle", 10))
        if top <= 20 or points % 5 == 0:
            body.append(_text(x + step / 2, base + 14, str(points), "middle", 10))
    body.append(_text(left + width / 2, base + 30, f"points (of {data.max_total:g})", "middle", 11))
    desc = ", ".join(f"{n} student{'s' if n != 1 else ''} with {p} point{'s' if p != 1 else ''}" for p, n in sorted(counts.items()))
    return _svg(left + width + 20, base + 38, "Distribution of totals", desc or "no submission", body)


def scatter_figure(stats: list[ItemStats]) -> str:
    """Each exercise placed by its share of full marks (x) and its discrimination (y)."""
    rows = [s for s in stats if s.share_full is not None and s.discrimination is not None]
    left, top, width, height = 50, 26, 320, 220
    body = [_text(left + width / 2, 14, "Difficulty and discrimination", "middle", 13, "bold"),
            f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="{INK}"/>']
    zero = top + height / 2
    body.append(f'<line x1="{left}" y1="{zero}" x2="{left + width}" y2="{zero}" stroke="#bbbbbb" stroke-dasharray="4 3"/>')
    for v, label in ((1, "+1"), (0, "0"), (-1, "-1")):
        body.append(_text(left - 6, top + height / 2 * (1 - v) + 4, label, "end", 10))
    for v in (0, 0.5, 1):
        body.append(_text(left + v * width, top + height + 14, f"{v:.0%}", "middle", 10))
    body.append(_text(left + width / 2, top + height + 30, "share with full marks", "middle", 11))
    body.append(f'<text x="12" y="{top + height / 2}" font-size="11" fill="{INK}" text-anchor="middle" '
                f'transform="rotate(-90 12 {top + height / 2})">top third minus bottom third</text>')
    for s in rows:
        x = left + (s.share_full or 0) * width
        y = top + height / 2 * (1 - (s.discrimination or 0))
        colour = WRONG if (s.discrimination or 0) < 0.1 else "#0072B2"
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
        body.append(_text(x + 7, y - 5, s.item.label, "start", 10))
    desc = "; ".join(f"exercise {s.item.label}: {s.share_full:.0%} full marks, discrimination {s.discrimination:+.2f}" for s in rows)
    return _svg(left + width + 40, top + height + 40, "Difficulty and discrimination by exercise", desc or "not enough students", body)


def mini_distribution(s: ItemStats) -> str:
    """A small bar chart of the points given for one exercise (0 .. max)."""
    if not s.distribution:
        return ""
    values = sorted(set(s.distribution) | {0.0, s.item.max_points})
    peak = max(s.distribution.values())
    bar, height = 14, 30
    body = []
    for i, v in enumerate(values):
        n = s.distribution.get(v, 0)
        h = height * n / peak if peak else 0
        body.append(f'<rect x="{i * (bar + 3)}" y="{height - h:.1f}" width="{bar}" height="{h:.1f}" fill="#0072B2"/>')
        body.append(_text(i * (bar + 3) + bar / 2, height + 11, f"{v:g}", "middle", 9))
    desc = ", ".join(f"{s.distribution.get(v, 0)} with {v:g}" for v in values)
    return _svg(len(values) * (bar + 3), height + 14, f"Points of exercise {s.item.label}", desc, body, "mini")


# --------------------------------------------------------------------------- HTML

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:#222;
 max-width:78rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}.figure{max-width:100%;height:auto}
#grid td.score{text-align:center;font-variant-numeric:tabular-nums}
#grid td.full{background:#d6f0e6}#grid td.part{background:#fbeccc}#grid td.none{background:#f9d9cc}
#grid td.pending,#grid td.missing{background:#eeeeee;color:#555}
.note{color:#555;font-size:.92rem}.sources li{margin:.2rem 0}
.written{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1.5rem}
.written aside{position:sticky;top:.5rem;align-self:start;background:#f7f7f2;border:1px solid #ddd;padding:.5rem 1rem;
 max-height:95vh;overflow:auto}
.answer{border-left:.3rem solid #0072B2;padding:.2rem .8rem;margin:.8rem 0}.answer h3{margin:.2rem 0;font-size:1rem}
.answer p,aside p{white-space:pre-wrap;margin:.3rem 0}.empty{color:#777;font-style:italic}
mark{background:#fff2a8}
@media print{.written{display:block}.written aside{position:static;max-height:none}}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _disc(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.2f}"


def _paragraphs(text: str) -> str:
    """Markdown or plain text shown as escaped paragraphs (no link is made, nothing is fetched)."""
    text = text.strip()
    if not text or text == PLACEHOLDER:
        return '<p class="empty">(no answer)</p>'
    parts = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = []
    for part in parts:
        escaped = html.escape(part)
        escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
        out.append(f"<p>{escaped}</p>")
    return "".join(out)


def _source_name(source_id: str) -> str:
    """"Author, Title (year)" for a source id of data/sources.csv (the id itself if it is not there)."""
    from helpers.exercises.bank import SOURCES_CSV

    try:
        with open(SOURCES_CSV, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["source_id"] == source_id:
                    year = f" ({row['year']})" if row.get("year") else " (n.d.)"
                    return f"{row['author']}, {row['title']}{year}"
    except OSError:
        pass
    return source_id


def followed_lines(stats: list[ItemStats]) -> list[str]:
    """"Exercise 4.7: 11 students gave the date on the German archive's copy of the note (source)"."""
    lines = []
    for s in stats:
        for alt, n in s.followed:
            lines.append(f"Exercise {s.item.label}: {n} student{'s' if n != 1 else ''} gave {alt['label']} "
                         f"(source: {_source_name(alt['source_id'])}; source_id {alt['source_id']})")
    return lines


def _late_text(seconds: float | None) -> str:
    """"19 h late", "3.1 days late" (how long after the due date, the student's extension included)."""
    if not seconds:
        return "on time"
    hours = seconds / 3600
    return f"{hours:.0f} h late" if hours < 48 else f"{hours / 24:.1f} days late"


def index_html(data: Assignment, stats: list[ItemStats], pairs: dict[str, list[Pair]]) -> str:
    totals = [data.total(s) for s in data.submitted]
    absent = [s for s in data.students if s not in data.scores]
    parts = [f"<h1>Class report: {html.escape(data.name)}</h1>"]
    summary = (f"{len(data.submitted)} submissions from {len(data.students)} students in the gradebook"
               + (f" (no submission: {html.escape(', '.join(absent))})" if absent else "")
               + (f"; mean total {statistics.fmean(totals):.1f} and median {statistics.median(totals):g} of {data.max_total:g} points" if totals else ""))
    pending = data.pending()
    parts.append(f"<p>{summary}.</p>")
    if pending:
        parts.append(f'<p class="note">{pending} written answer{"s" if pending != 1 else ""} still to grade by hand: '
                     "they count as not yet graded here (not as zero), so the shares of those exercises are of the answers graded so far.</p>")
    parts.append('<p class="note">A teacher\'s document: it shows model answers and rubrics. Computed on this machine '
                 "from the course folder; nothing was sent anywhere. Discrimination is the mean share of the points won by "
                 "the top third of the class (by total) minus that of the bottom third.</p>")
    if data.ungraded:
        parts.append('<p id="ungraded"><strong>Handed in but not graded</strong> (not in the figures below): '
                     + "; ".join(f"{html.escape(s)}, {html.escape(why)}" for s, why in data.ungraded.items()) + ".</p>")
    if data.penalties:
        parts.append('<p id="late"><strong>Late work</strong> (course.toml\'s [late]; the figures of the exercises use the points '
                     "before the penalty, the grid shows both): "
                     + "; ".join(f"{html.escape(s)} handed in {_late_text(data.late_seconds.get(s))}, "
                                 f"&minus;{p:g} point{'s' if p != 1 else ''}" for s, p in sorted(data.penalties.items())) + ".</p>")
    for note in data.notes:
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    parts.append('<div class="figures">' + share_figure(stats) + totals_figure(data) + scatter_figure(stats) + "</div>")

    lines = followed_lines(stats)
    parts.append('<h2 id="sources">Which source the class followed</h2>')
    if lines:
        parts.append('<ul class="sources">' + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
    else:
        parts.append('<p class="note">No student gave an alternative answer registered with these exercises.</p>')

    parts.append('<h2 id="exercises">Exercise by exercise</h2><table id="exercises-table"><thead><tr>'
                 "<th>Exercise</th><th>Part</th><th class=num>Points</th><th class=num>Full marks</th><th class=num>Mean</th>"
                 "<th>Points given</th><th class=num>Discrimination</th><th>Verdicts</th><th>Most common wrong answers</th></tr></thead><tbody>")
    for s in stats:
        wrong = "<br>".join(f"{html.escape(shown)} &times;{n}" for shown, n in s.wrong) or "&ndash;"
        verdicts = ", ".join(f"{k} {v}" for k, v in sorted(s.verdicts.items())) or ("graded by hand" if s.item.part == "written" else "&ndash;")
        pend = f" ({s.pending} to grade)" if s.pending else ""
        link = f' <a href="written-{s.item.qid}.html">answers</a>' if s.item.part == "written" else ""
        parts.append(
            f"<tr><td>{html.escape(s.item.label)}{link}</td><td>{s.item.part}</td><td class=num>{s.item.max_points:g}</td>"
            f"<td class=num>{_pct(s.share_full)} ({s.full}/{s.graded}){pend}</td>"
            f"<td class=num>{'n/a' if s.mean is None else f'{s.mean:.2f}'}</td><td>{mini_distribution(s)}</td>"
            f"<td class=num>{_disc(s.discrimination)}</td><td>{html.escape(verdicts) if s.verdicts else verdicts}</td><td>{wrong}</td></tr>")
    parts.append("</tbody></table>")

    parts.append('<h2>Students by exercises</h2><p class="note">Points per exercise; green: full marks, yellow: some, '
                 "red: none, grey: not graded yet or not submitted. Sorted by total.</p>")
    head = "".join(f'<th scope="col">{html.escape(i.label)}<br><span class="note">/{i.max_points:g}</span></th>' for i in data.items)
    late = bool(data.penalties)
    rows = []
    everyone = sorted(set(data.students) | set(data.ungraded),
                      key=lambda s: (s not in data.scores, s not in data.ungraded, -data.total(s), s))
    for student in everyone:
        cells = []
        for item in data.items:
            if student not in data.scores:
                cells.append('<td class="score missing">&ndash;</td>')
                continue
            p = data.scores[student].get(item.grade_id)
            if p is None:
                cells.append('<td class="score pending" title="to grade by hand">?</td>')
                continue
            cls = "full" if p >= item.max_points - 1e-9 else "part" if p > 0 else "none"
            cells.append(f'<td class="score {cls}">{p:g}</td>')
        if student in data.scores:
            total = f"{data.total(student):g}"
        else:
            total = "handed in, not graded" if student in data.ungraded else "no submission"
        if late and student in data.scores:
            penalty = data.penalties.get(student)
            when = _late_text(data.late_seconds.get(student))
            cells_late = (f'<td class="num late" title="handed in {when}">&minus;{penalty:g}</td>' if penalty else '<td class="num">&ndash;</td>')
            cells_late += f'<td class="num">{data.grade(student):g}</td>'
        else:
            cells_late = "<td></td><td></td>" if late else ""
        rows.append(f'<tr><th scope="row">{html.escape(student)}</th>{"".join(cells)}<td class="num">{total}</td>{cells_late}</tr>')
    late_head = '<th scope="col">Late penalty</th><th scope="col">Grade<br><span class="note">after the penalty</span></th>' if late else ""
    parts.append(f'<table id="grid"><thead><tr><th scope="col">Student</th>{head}<th scope="col">Total /{data.max_total:g}</th>{late_head}</tr></thead>'
                 f'<tbody>{"".join(rows)}</tbody></table>')

    written = [s for s in stats if s.item.part == "written"]
    if written:
        parts.append("<h2>Written answers</h2><ul>")
        for s in written:
            n = len(pairs.get(s.item.grade_id, []))
            parts.append(f'<li><a href="written-{s.item.qid}.html">Exercise {html.escape(s.item.qid)}</a>: every answer beside the '
                         f"model answer and rubric; {n} pair{'s' if n != 1 else ''} of answers that share much wording.</li>")
        parts.append("</ul>")
    return _page(f"Class report: {data.name}", "\n".join(parts))


def _highlight(text: str, shared: str) -> str:
    """The text escaped, with the shared run of words marked where it can be found as written."""
    body = _paragraphs(text)
    words = shared.split()
    if len(words) < 3:
        return body
    pattern = r"\W+".join(re.escape(html.escape(w)) for w in words)
    return re.sub(pattern, lambda m: f"<mark>{m.group(0)}</mark>", body, count=1, flags=re.I)


def written_html(data: Assignment, item: Item, pairs: list[Pair]) -> str:
    model, rubric = data.rubrics.get(item.qid, ("", ""))
    texts = data.written.get(item.grade_id, {})
    parts = [f'<p><a href="index.html">Back to the class report</a></p><h1>Exercise {html.escape(item.qid)}: written answers</h1>',
             f'<p class="note">{len(texts)} answers, {item.max_points:g} points. Grade them in formgrader; this page is for reading '
             "one question across the class.</p>", '<div class="written"><main>']
    for student in data.submitted:
        p = data.scores.get(student, {}).get(item.grade_id)
        mark = "not graded yet" if p is None else f"{p:g} / {item.max_points:g}"
        parts.append(f'<section class="answer" id="{html.escape(student)}"><h3>{html.escape(student)} '
                     f'<span class="note">({mark})</span></h3>{_paragraphs(texts.get(student, ""))}</section>')
    parts.append("</main><aside><h2>Model answer</h2>" + _paragraphs(model or "(none in the source notebook)")
                 + "<h2>Rubric</h2>" + _paragraphs(rubric or "(none in the source notebook)") + "</aside></div>")
    parts.append('<h2 id="similar">Answers that share much wording</h2><p class="note">Word 3-gram Jaccard similarity and the '
                 f"longest run of words both share; listed from {JACCARD_FLAG:g} or a run of {RUN_FLAG} words. Pairs to read side by "
                 "side, not a verdict: a shared quotation from the lesson, a document or the question makes answers alike too.</p>")
    if not pairs:
        parts.append("<p>No pair reaches either threshold.</p>")
    for pair in pairs:
        first = model if pair.first == "model answer" else texts.get(pair.first, "")
        second = model if pair.second == "model answer" else texts.get(pair.second, "")
        parts.append(f'<details class="pair"><summary>{html.escape(pair.first)} and {html.escape(pair.second)}: Jaccard {pair.jaccard:.2f}, '
                     f"a shared run of {pair.run} words</summary><table><tr><th>{html.escape(pair.first)}</th><th>{html.escape(pair.second)}</th></tr>"
                     f"<tr><td>{_highlight(first, pair.shared)}</td><td>{_highlight(second, pair.shared)}</td></tr></table></details>")
    return _page(f"{data.name}: exercise {item.qid}, written answers", "\n".join(parts))


# --------------------------------------------------------------------------- CSV

REPORT_COLUMNS = ["assignment", "exercise", "part", "max_points", "students", "graded", "to_grade", "full_marks",
                  "share_full_marks", "mean_points", "points_given", "discrimination", "verdicts", "common_wrong_answers",
                  "sources_followed"]


def report_csv(data: Assignment, stats: list[ItemStats]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for s in stats:
        writer.writerow([
            data.name, s.item.qid, s.item.part, f"{s.item.max_points:g}", len(data.submitted), s.graded, s.pending, s.full,
            "" if s.share_full is None else f"{s.share_full:.4f}", "" if s.mean is None else f"{s.mean:.4f}",
            "; ".join(f"{p:g}: {n}" for p, n in s.distribution.items()),
            "" if s.discrimination is None else f"{s.discrimination:.4f}",
            "; ".join(f"{k}: {v}" for k, v in sorted(s.verdicts.items())),
            "; ".join(f"{shown} x{n}" for shown, n in s.wrong),
            "; ".join(f"{alt['label']} [{alt['source_id']}] x{n}" for alt, n in s.followed),
        ])
    return out.getvalue()


def students_csv(data: Assignment) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *(f"{i.label} (/{i.max_points:g})" for i in data.items), "total", "submitted", "late_penalty", "grade"])
    for student in sorted(set(data.students) | set(data.ungraded)):
        row = data.scores.get(student)
        if row is None:
            writer.writerow([student, *([""] * len(data.items)), "", "not graded" if student in data.ungraded else "no", "", ""])
            continue
        cells = ["" if (p := row.get(i.grade_id)) is None else f"{p:g}" for i in data.items]
        writer.writerow([student, *cells, f"{data.total(student):g}", "yes", f"{data.penalties.get(student, 0):g}", f"{data.grade(student):g}"])
    return out.getvalue()


# --------------------------------------------------------------------------- writing


def _backup(folder: Path) -> Path:
    n = 1
    while (target := folder.with_name(f"{folder.name}.backup-{n}")).exists():
        n += 1
    shutil.move(str(folder), str(target))
    return target


def write_report(course_dir: str | Path, assignment: str, *, force: bool = False, bank: dict | None = None, log=print) -> Path:
    """Write the report of ``assignment`` (see the module docstring); returns the path of index.html."""
    course_dir = Path(course_dir).resolve()
    data = load(course_dir, assignment)
    if not data.submitted:
        raise ClassDataError(f"the gradebook has no submission of {assignment} yet: grade it first (make grade ASSIGNMENT={assignment})")
    stats = item_stats(data, bank)
    pairs = {}
    for item in data.items:
        if item.part == "written":
            pairs[item.grade_id] = similar_pairs(data.written.get(item.grade_id, {}), data.rubrics.get(item.qid, ("", ""))[0])
    out = course_dir / "reports" / assignment
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ToolError(f"{out} exists already: run again with --force to replace it (the old report is then kept as {out.name}.backup-N)")
        log(f"kept the old report as {_backup(out)}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(index_html(data, stats, pairs), encoding="utf-8")
    for item in data.items:
        if item.part == "written":
            (out / f"written-{item.qid}.html").write_text(written_html(data, item, pairs[item.grade_id]), encoding="utf-8")
    (out / "report.csv").write_text(report_csv(data, stats), encoding="utf-8")
    (out / "students.csv").write_text(students_csv(data), encoding="utf-8")
    for line in summary_lines(data, stats, pairs):
        log(line)
    log(f"Report: {out / 'index.html'} (open it in a browser; it works offline). Figures: {out / 'report.csv'}")
    return out / "index.html"


def summary_lines(data: Assignment, stats: list[ItemStats], pairs: dict[str, list[Pair]]) -> list[str]:
    """What the command prints: one line per exercise, then the sources followed and the similar pairs."""
    totals = [data.total(s) for s in data.submitted]
    lines = [f"{data.name}: {len(data.submitted)} submissions of {len(data.students)} students; mean total "
             f"{statistics.fmean(totals):.1f} of {data.max_total:g}" + (f"; {data.pending()} written answers still to grade" if data.pending() else "")]
    for s in stats:
        wrong = ", ".join(f"{shown} ({n})" for shown, n in s.wrong[:3])
        lines.append(f"  {s.item.label:<12} {s.item.max_points:>3g} pts  full marks {_pct(s.share_full):>4}  "
                     f"discrimination {_disc(s.discrimination):>5}" + (f"  wrong: {wrong}" if wrong else ""))
    lines += [f"  {line}" for line in followed_lines(stats)]
    for gid, found in pairs.items():
        if found:
            best = found[0]
            lines.append(f"  {gid}: {len(found)} pairs of written answers to read side by side (closest: {best.first} and "
                         f"{best.second}, Jaccard {best.jaccard:.2f})")
    if data.penalties:
        lines.append("  late work: " + ", ".join(f"{s} -{p:g} ({_late_text(data.late_seconds.get(s))})" for s, p in sorted(data.penalties.items())))
    lines += [f"  handed in but not graded: {s} ({why})" for s, why in data.ungraded.items()]
    lines += [f"  note: {note}" for note in data.notes]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach report", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="the assignment's name, as in course.toml (e.g. lesson01)")
    parser.add_argument("--course-dir", default="course", help="the nbgrader course folder (default: course)")
    parser.add_argument("--force", action="store_true", help="replace an existing report (it is kept as reports/<assignment>.backup-N)")
    args = parser.parse_args(argv)
    try:
        write_report(args.course_dir, args.assignment, force=args.force)
    except ToolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
