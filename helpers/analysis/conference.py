"""Lesson 2, the Moscow meetings of November 1957: who attended and signed, who argued what, who said it.

Pure functions on the tables loaded with :func:`helpers.data.load` (``conference_parties``,
``conference_totals``, ``debates``, ``quotations``, ``events``) and the bibliography
(:func:`helpers.data.bibliography`). They never pick one of two disagreeing figures: a count is
reconciled only when the sources' own definitions add up, and a wrong input raises
:class:`~helpers.analysis.AnalysisError` with a message saying what to give instead.

>>> from helpers import data
>>> from helpers.analysis import conference as cf
>>> parties = data.load("conference_parties")
>>> cf.signed_one_not_other(parties, signed="declaration", not_signed="peace_manifesto")
[]
>>> cf.positions(data.load("debates"), "war and peace", actor="togliatti")["debate_id"].tolist()
['war_togliatti']
"""

from __future__ import annotations

import difflib
import textwrap
from typing import NamedTuple

import pandas as pd

from helpers import dates
from helpers.analysis import AnalysisError, count_by, guard_module, keep_only, read_date, require_columns

__all__ = [
    "ISSUES",
    "DOCUMENTS",
    "MEETINGS",
    "NO_HEAD",
    "PERIODS",
    "CITE_AS",
    "DISCREPANCIES",
    "when",
    "span",
    "cite_short",
    "party_table",
    "signatories",
    "signed_one_not_other",
    "signature_counts",
    "attendance_counts",
    "totals_for",
    "Reconciliation",
    "reconcile_count",
    "issue_key",
    "positions",
    "positions_table",
    "position_lines",
    "issue_counts",
    "period_counts",
    "quotation",
    "quotations_on",
    "find_quotations",
    "days_between",
    "discrepancy_table",
    "describe_discrepancies",
]

#: The disputed issues of the ``debates`` table, with a readable label for each.
ISSUES = {
    "leadership_of_camp": "Leadership of the camp: the Soviet Union 'at the head'",
    "peaceful_transition": "Peaceful or non-peaceful transition to socialism",
    "war_and_peace": "War and peace in the nuclear age",
    "revisionism_yugoslavia": "Revisionism and Yugoslavia",
    "congresses_mention": "Naming party congresses in the Declaration",
    "soviet_leadership_struggle": "The Soviet leadership struggle (the 'Anti-Party Group')",
}

#: The two documents, by the short name the functions take, with the column that records a signature.
DOCUMENTS = {"declaration": "signed_declaration", "peace_manifesto": "signed_peace_manifesto"}

#: The two meetings, by short name, with the column that records attendance.
MEETINGS = {"ruling": "attended_ruling_meeting", "wider": "attended_wider_meeting"}

#: Which positions :func:`positions` keeps: all; those dated in 1957 (said at the time);
#: or the later ones (dated after 1957, or undated memoirs and glosses).
PERIODS = {"all": "all positions", "1957": "positions taken at the time (dated 1957 or earlier)", "later": "later glosses and memoirs (after 1957 or undated)"}

#: How the lesson names a work in a short citation (the year comes from the bibliography).
CITE_AS = {
    "shen2020": "Shen",
    "theobald_chinaknowledge": "Theobald, ChinaKnowledge",
    "garver2016": "Garver",
    "pantsov_levine2012": "Pantsov and Levine",
    "lizhisui1994": "Li Zhisui",
    "chang_halliday2005": "Chang and Halliday",
    "westad1998": "Westad",
    "zubok1998": "Zubok",
    "pirjevec2018": "Pirjevec",
    "dikotter2010": "Dikötter",
    "boyibo2008": "Bo Yibo",
    "luthi2008": "Lüthi",
    "shen_xia2015": "Shen and Xia",
    "time1957_whoop": "Time, 'A Whoop & a Holler'",
    "wiki_ppas": "Wikipedia, 'Problems of Peace'",
    "hakkawiki1957": "Hakka wiki, 1957 meeting",
    "gse_peace_manifesto": "Great Soviet Encyclopedia",
    "declaration1957": "Moscow Declaration",
    "mao1957_nov18_wengao": "Mao, speech of 18 Nov 1957 (Wengao)",
    "frus1955_57_v24": "FRUS 1955-57 vol. XXIV",
    "mao1957_speech": "Mao, speech to the 64 parties",
    "mao1957_nov6": "Mao, speech at the jubilee session",
    "mao1957_students": "Mao, talk to students in Moscow",
    "mao1946_strong": "Mao, talk with Anna Louise Strong",
    "renmin2014": "Renmin wang reprint",
    "renmin_hongqi1964": "Renmin Ribao and Hongqi",
    "cia1961_moscow": "CIA",
    "cia1961_dispute": "CIA",
    "mia1960statement": "Statement of the 81 parties",
    "cpsu1957_antiparty": "CPSU Central Committee",
    "flppd1954": "For a Lasting Peace, for a People's Democracy",
    "sovchinrel2015": "Soviet-Chinese relations 1952-1955 (documents)",
    "footagefarm1954": "FootageFarm newsreel",
    "rettur1958_peace_manifesto": "Peace Manifesto, Icelandic text in Réttur",
    "pravda1957_sputnik1": "TASS announcement, Pravda 5 Oct 1957",
    "nyt1957_sputnik2": "New York Times, 3 Nov 1957",
}


# --------------------------------------------------------------------------- small helpers


def when(date, precision=None) -> str:
    """A date as a reader would write it, to the precision the data give.

    >>> when(pd.Timestamp("1957-11-18"), "day"), when(pd.Timestamp("1960-11-01"), "month"), when(pd.NaT)
    ('18 Nov 1957', 'Nov 1960', 'undated')
    """
    if date is None or pd.isna(date):
        return "undated"
    stamp = read_date(date)
    precision = None if precision is None or pd.isna(precision) else precision
    if precision not in (None, "day", "month", "year"):
        raise AnalysisError(f"The precision must be 'day', 'month' or 'year' (the date_precision column), got {precision!r}.")
    if precision == "year":
        return f"{stamp.year}"
    if precision == "month":
        return stamp.strftime("%b %Y")
    return f"{stamp.day} {stamp.strftime('%b %Y')}"


def span(date, end_date=None, precision=None) -> str:
    """A date or a span of dates ('Nov 1960 to Dec 1960'), both ends to the precision the data give.

    A missing or equal end date gives the start alone, so a one-day event is not written as a span.

    >>> span(pd.Timestamp("1960-11-01"), pd.Timestamp("1960-12-01"), "month"), span(pd.Timestamp("1957-11-18"), None, "day")
    ('Nov 1960 to Dec 1960', '18 Nov 1957')
    """
    start = when(date, precision)
    if end_date is None or pd.isna(end_date) or pd.isna(date):
        return start
    end = when(end_date, precision)
    if end == start:
        return start
    if pd.Timestamp(end_date) < pd.Timestamp(date):
        raise AnalysisError(f"The end date {end} comes before the start {start}; check the row's date and end_date.")
    return f"{start} to {end}"


def cite_short(source_id, pages=None, bib: pd.DataFrame | None = None) -> str:
    """A short citation 'Garver (2016), p. 127' for one row's ``source_id`` and ``source_pages``.

    Several ids (``"garver2016;pantsov_levine2012"``) give several citations; when the pages
    list has one part per id (``"p. 127; ch. 29"``) each id gets its own part.

    >>> cite_short("garver2016;pantsov_levine2012", "p. 127; ch. 29")  # doctest: +SKIP
    'Garver (2016), p. 127; Pantsov and Levine (2012), ch. 29'
    """
    if source_id is None or pd.isna(source_id) or not str(source_id).strip():
        raise AnalysisError("This row has no source_id, so it cannot be cited; every row of the data should name its source.")
    if bib is None:
        from helpers.data import bibliography

        bib = bibliography()
    ids = [s.strip() for s in str(source_id).split(";") if s.strip()]
    pages_text = "" if pages is None or pd.isna(pages) else str(pages).strip()
    parts = [p.strip() for p in pages_text.split(";")] if pages_text else []
    prefixed = {}
    for part in parts:  # the form "garver2016: p. 127; lizhisui1994: ch. 24"
        head, sep, rest = part.partition(":")
        if sep and head.strip() in ids:
            prefixed[head.strip()] = rest.strip()
    if prefixed:
        parts = [prefixed.get(sid, "") for sid in ids]
    per_id = len(parts) == len(ids)
    out = []
    for n, sid in enumerate(ids):
        if sid in bib.index:
            year = bib.loc[sid, "year"]
            author = str(bib.loc[sid, "author"])
            if sid in CITE_AS:
                name = CITE_AS[sid]
            elif author.startswith("(") or author[:1].isdigit() or len(author.split("(")[0].split()) > 3:
                name = textwrap.shorten(str(bib.loc[sid, "title"]), 50, placeholder="…")
            else:
                name = author.split(";")[0].split("(")[0].strip().split(" ")[-1]
            label = f"{name} ({int(year)})" if pd.notna(year) else f"{name} (n.d.)"
        else:
            label = sid
        if per_id and parts[n]:
            label += f", {parts[n]}"
        out.append(label)
    text = "; ".join(out)
    if pages_text and not per_id:
        text += f", {pages_text}"
    return text


# --------------------------------------------------------------------------- parties and signatures


def _column(mapping: dict[str, str], key: str, what: str) -> str:
    if key in mapping:
        return mapping[key]
    if key in mapping.values():
        return key
    raise AnalysisError(f"There is no {what} called {key!r}; choose one of {list(mapping)}.")


#: What the party table shows for a delegation whose leader no scholarly or primary source read names.
NO_HEAD = "not in a source read"


def _yes_no(value) -> str:
    return "unknown" if pd.isna(value) else ("yes" if bool(value) else "no")


def party_table(parties: pd.DataFrame) -> pd.DataFrame:
    """One line per ruling party: country, head of delegation, attendance and signatures as yes/no/unknown.

    A head of delegation that no scholarly or primary source read names is shown as "not in a source read".

    >>> party_table(data.load("conference_parties")).loc["Yugoslavia", "Declaration"]  # doctest: +SKIP
    'no'
    """
    require_columns(parties, ("party", "country", *MEETINGS.values(), *DOCUMENTS.values()), "conference_parties")
    table = pd.DataFrame(
        {
            "party": parties["party"],
            "head of delegation": (
                parties["head_of_delegation"].fillna(NO_HEAD) if "head_of_delegation" in parties else NO_HEAD
            ),
            "12-party meeting": parties[MEETINGS["ruling"]].map(_yes_no),
            "wider meeting": parties[MEETINGS["wider"]].map(_yes_no),
            "Declaration": parties[DOCUMENTS["declaration"]].map(_yes_no),
            "Peace Manifesto": parties[DOCUMENTS["peace_manifesto"]].map(_yes_no),
        }
    )
    table.index = pd.Index(parties["country"], name="country")
    return table


def signatories(parties: pd.DataFrame, document: str) -> list[str]:
    """The parties that signed ``document`` ('declaration' or 'peace_manifesto'), in alphabetical order.

    >>> signatories(data.load("conference_parties"), "declaration")  # a list of party names  # doctest: +SKIP
    """
    column = _column(DOCUMENTS, document, "document")
    require_columns(parties, ("party", column), "conference_parties")
    signed = parties[parties[column].fillna(False).astype(bool)]
    return sorted(signed["party"].astype(str))


def signed_one_not_other(parties: pd.DataFrame, signed: str, not_signed: str) -> list[str]:
    """The parties that signed ``signed`` but, according to the table, did not sign ``not_signed``.

    A party whose second signature is unknown (an empty cell) is not counted as a refusal.
    """
    if _column(DOCUMENTS, signed, "document") == _column(DOCUMENTS, not_signed, "document"):
        raise AnalysisError("Choose two different documents, e.g. signed='peace_manifesto', not_signed='declaration'.")
    col = _column(DOCUMENTS, not_signed, "document")
    refused = set(parties.loc[parties[col].eq(False).fillna(False).astype(bool), "party"].astype(str))
    return [p for p in signatories(parties, signed) if p in refused]


def signature_counts(parties: pd.DataFrame) -> pd.DataFrame:
    """How many ruling parties signed each document, did not sign it, or are unknown (rows: documents).

    >>> signature_counts(data.load("conference_parties")).loc["declaration", "signed"]  # a count  # doctest: +SKIP
    """
    rows = {}
    for doc, column in DOCUMENTS.items():
        require_columns(parties, (column,), "conference_parties")
        values = parties[column].map(_yes_no)
        rows[doc] = {"signed": int((values == "yes").sum()), "did not sign": int((values == "no").sum()), "unknown": int((values == "unknown").sum())}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "document"
    return table


def attendance_counts(parties: pd.DataFrame, meeting: str) -> pd.Series:
    """Ruling parties present (yes), absent (no) or unknown at ``meeting`` ('ruling' or 'wider')."""
    column = _column(MEETINGS, meeting, "meeting")
    require_columns(parties, (column,), "conference_parties")
    values = parties[column].map(_yes_no)
    return pd.Series({k: int((values == k).sum()) for k in ("yes", "no", "unknown")}, name=meeting)


# --------------------------------------------------------------------------- published totals


def totals_for(totals: pd.DataFrame, meeting: str, measure: str | None = None) -> pd.DataFrame:
    """The published totals for one meeting (and one measure), sorted by measure then source.

    >>> totals_for(data.load("conference_totals"), "wider_meeting_1957", "attended")["value"].tolist()  # doctest: +SKIP
    [68]
    """
    require_columns(totals, ("meeting", "measure", "value", "source_id"), "conference_totals")
    part = keep_only(totals, "meeting", meeting, f"There is no meeting {meeting!r} in the totals; the meetings are {{values}}.")
    if measure is not None:
        part = keep_only(part, "measure", measure, f"No {measure!r} figure for {meeting!r}; the measures given for it are {{values}}.")
    return part.sort_values(["measure", "source_id"]).reset_index(drop=True)


class Reconciliation(NamedTuple):
    """The answer of :func:`reconcile_count`."""

    attended: int
    publicly: int
    hidden: int
    consistent: bool
    explanation: str


def _single(values: pd.Series, what: str) -> int:
    distinct = sorted({int(v) for v in values.dropna()})
    if not distinct:
        raise AnalysisError(f"No source gives {what}; the count cannot be reconciled.")
    if len(distinct) > 1:
        raise AnalysisError(f"The sources disagree on {what} ({distinct}); reconcile those first, one source at a time.")
    return distinct[0]


def reconcile_count(totals: pd.DataFrame, meeting: str = "wider_meeting_1957") -> Reconciliation:
    """Do 'attended' and 'attended publicly' + 'no public appearance' agree for ``meeting``?

    Only the rows with status ``reported`` count (memoir recollections and contested listings are set
    aside and named in the explanation).

    >>> reconcile_count(data.load("conference_totals")).consistent  # doctest: +SKIP
    True
    """
    rows = totals_for(totals, meeting)
    if "status" in rows:
        set_aside = rows[rows["status"] != "reported"]
        rows = rows[rows["status"] == "reported"]
    else:
        set_aside = rows.iloc[:0]
    by = {m: rows[rows["measure"] == m] for m in ("attended", "attended_publicly", "no_public_appearance")}
    attended = _single(by["attended"]["value"], f"how many parties attended {meeting}")
    publicly = _single(by["attended_publicly"]["value"], f"how many parties appeared publicly at {meeting}")
    hidden = _single(by["no_public_appearance"]["value"], f"how many parties made no public appearance at {meeting}")
    consistent = attended == publicly + hidden

    def who(part: pd.DataFrame) -> str:
        return ", ".join(sorted(part["source_id"]))

    text = (
        f"{attended} attended ({who(by['attended'])}); {publicly} appeared publicly ({len(by['attended_publicly'])} sources: "
        f"{who(by['attended_publicly'])}); {hidden} made no public appearance ({who(by['no_public_appearance'])}). "
        + (f"{publicly} + {hidden} = {attended}: the figures count different things and agree." if consistent
           else f"{publicly} + {hidden} = {publicly + hidden}, not {attended}: a real disagreement.")
    )
    if len(set_aside):
        text += " Set aside: " + "; ".join(f"{r.measure} {r.value} ({r.source_id}, {r.status})" for r in set_aside.itertuples()) + "."
    return Reconciliation(attended, publicly, hidden, consistent, text)


# --------------------------------------------------------------------------- debates


def issue_key(issue: str) -> str:
    """The key of an issue given as its key or its label, in any case, with spaces or underscores.

    >>> issue_key("War and peace"), issue_key("LEADERSHIP_OF_CAMP")
    ('war_and_peace', 'leadership_of_camp')
    """
    if not isinstance(issue, str) or not issue.strip():
        raise AnalysisError(f"Give an issue as text, one of {list(ISSUES)}; got {issue!r}.")
    text = issue.strip()
    folded = text.lower().replace("-", " ").replace("_", " ")
    folded = " ".join(folded.split())
    for key, label in ISSUES.items():
        if folded in (key.replace("_", " "), " ".join(label.lower().split())):
            return key
    names = [k.replace("_", " ") for k in ISSUES]
    close = difflib.get_close_matches(folded, names, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0].replace(' ', '_')}'?" if close else ""
    raise AnalysisError(f"There is no issue called {text!r}.{hint} The issues are: {', '.join(ISSUES)}.")


def _period_mask(dates: pd.Series, period: str) -> pd.Series:
    if period not in PERIODS:
        raise AnalysisError(f"There is no period {period!r}; choose one of {list(PERIODS)}.")
    year = dates.dt.year
    at_the_time = year.le(1957).fillna(False).astype(bool)
    if period == "1957":
        return at_the_time
    if period == "later":
        return ~at_the_time
    return pd.Series(True, index=dates.index)


def positions(debates: pd.DataFrame, issue: str | None = None, actor: str | None = None, period: str = "all") -> pd.DataFrame:
    """The positions on ``issue`` (all issues if None), by actors whose name contains ``actor``, in ``period``.

    Rows come in date order (undated last), then by actor. ``actor`` matches case-insensitively
    anywhere in the name ('mao', 'CCP', 'Gomu'). An actor with no position gives a message that
    lists the actors who do have one.

    >>> positions(data.load("debates"), "leadership_of_camp", actor="gomu")["source_id"].tolist()  # doctest: +SKIP
    ['time1957_whoop', 'shen2020']
    """
    require_columns(debates, ("debate_id", "issue", "actor", "position", "date", "source_id"), "debates")
    rows = debates
    label = "all issues"
    if issue is not None:
        key = issue_key(issue)
        rows = rows[rows["issue"] == key]
        label = f"the issue {key!r}"
    rows = rows[_period_mask(rows["date"], period)]
    if actor is not None:
        wanted = str(actor).strip().lower()
        if not wanted:
            raise AnalysisError("The actor filter is empty: give part of a name, e.g. 'Mao' or 'CCP', or None for everyone.")
        match = rows[rows["actor"].str.lower().str.contains(wanted, regex=False)]
        if match.empty:
            actors = sorted(rows["actor"].unique())
            raise AnalysisError(f"No position by an actor matching {actor!r} on {label} ({PERIODS[period]}); the actors are: {'; '.join(actors) or 'none'}.")
        rows = match
    return rows.sort_values(["date", "actor", "debate_id"], na_position="last").reset_index(drop=True)


def positions_table(debates: pd.DataFrame, issue: str, period: str = "all", bib: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who said what on one issue: actor, when, position and a short citation, indexed by ``debate_id``."""
    rows = positions(debates, issue, period=period)
    table = pd.DataFrame(
        {
            "actor": rows["actor"].astype(str),
            "when": [when(d, p) for d, p in zip(rows["date"], rows.get("date_precision", pd.Series([None] * len(rows))))],
            "position": rows["position"].astype(str),
            "source": [cite_short(s, p, bib) for s, p in zip(rows["source_id"], rows.get("source_pages", pd.Series([None] * len(rows))))],
        }
    )
    table.index = pd.Index(rows["debate_id"], name="debate_id")
    return table


def position_lines(
    debates: pd.DataFrame, issue: str, period: str = "all", bib: pd.DataFrame | None = None, width: int | None = None, quote_notes: bool = True
) -> list[str]:
    """Plain-text lines 'actor (when): position [source]', each followed by its quotation if it has one.

    With ``quote_notes`` (the default) a quotation is followed by the row's notes, which say whose words
    they are and in what form they reach us: the words quoted under a party's position may be one
    person's (an ambassador's comment to the press) or a newspaper's paraphrase. ``width`` wraps the
    long lines (None leaves them whole).
    """
    rows = positions(debates, issue, period=period)
    table = positions_table(debates, issue, period=period, bib=bib)
    quotes = rows["quotation"] if "quotation" in rows else pd.Series([pd.NA] * len(rows))
    notes = rows["notes"] if "notes" in rows else pd.Series([pd.NA] * len(rows))
    lines = []

    def add(text: str, indent: str) -> None:
        lines.extend(textwrap.wrap(text, width, subsequent_indent=indent) if width else [text])

    for (debate_id, r), quote, note in zip(table.iterrows(), quotes, notes):
        add(f"{r['actor']} ({r['when']}): {r['position']} [{r['source']}]", "    ")
        if pd.notna(quote) and str(quote).strip():
            add(f'    quoted: "{quote}"', "      ")
            if quote_notes and pd.notna(note) and str(note).strip():
                add(f"      about the quotation: {note}", "        ")
    return lines


def issue_counts(debates: pd.DataFrame) -> pd.Series:
    """How many positions the table records per issue, most first (ties in name order)."""
    require_columns(debates, ("issue",), "debates")
    return count_by(debates, "issue").rename("positions")


def period_counts(debates: pd.DataFrame) -> pd.DataFrame:
    """Positions per issue taken at the time (dated 1957 or earlier) and later (after 1957 or undated), in the order of :data:`ISSUES`."""
    require_columns(debates, ("issue", "date"), "debates")
    at_time = _period_mask(debates["date"], "1957")
    table = pd.DataFrame(
        {
            "1957": debates[at_time].groupby("issue").size(),
            "later": debates[~at_time].groupby("issue").size(),
        }
    )
    order = [k for k in ISSUES if k in table.index] + sorted(set(table.index) - set(ISSUES))
    table = table.reindex(order).fillna(0).astype(int)
    table.index.name = "issue"
    return table


# --------------------------------------------------------------------------- quotations


def quotation(quotations: pd.DataFrame, quote_id: str) -> str:
    """One quotation with its full attribution: speaker, occasion, date, the edition it is printed in, translation.

    >>> print(quotation(data.load("quotations"), "east_wind_1957"))  # doctest: +SKIP
    "the east wind is prevailing over the west wind"
      Mao Zedong, Speech at the Moscow meeting of communist and workers' parties, 18 Nov 1957.
      ...
    """
    require_columns(quotations, ("quote_id", "speaker", "text", "printed_in"), "quotations")
    ids = quotations["quote_id"].astype(str).tolist()
    if quote_id not in ids:
        close = difflib.get_close_matches(str(quote_id), ids, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise AnalysisError(f"There is no quotation {quote_id!r}.{hint} Look up the ids in quotations['quote_id'].")
    r = quotations[quotations["quote_id"] == quote_id].iloc[0]
    lines = [f'"{r["text"]}"', f"  {r['speaker']}, {r['occasion']}, {when(r['date'], r.get('date_precision'))}."]
    lines.append(f"  Printed in: {r['printed_in']}.")
    if pd.notna(r.get("translation_note")):
        lines.append(f"  Translation: {r['translation_note']}")
    return "\n".join(textwrap.fill(line, 110, subsequent_indent="    ") for line in lines)


def quotations_on(quotations: pd.DataFrame, date) -> pd.DataFrame:
    """The quotations dated exactly to ``date`` (day precision only: 'November 1957' is not 18 November)."""
    require_columns(quotations, ("quote_id", "date"), "quotations")
    day = read_date(date, day_only=True)
    exact = quotations["date"].eq(day).fillna(False).astype(bool)
    if "date_precision" in quotations:
        exact &= quotations["date_precision"].eq("day").fillna(False).astype(bool)
    return quotations[exact].sort_values("quote_id").reset_index(drop=True)


def find_quotations(quotations: pd.DataFrame, speaker: str | None = None, contains: str | None = None) -> pd.DataFrame:
    """Quotations whose speaker contains ``speaker`` and whose text contains ``contains`` (case-insensitive)."""
    require_columns(quotations, ("quote_id", "speaker", "text"), "quotations")
    rows = quotations
    if speaker:
        rows = rows[rows["speaker"].str.lower().str.contains(speaker.lower(), regex=False)]
    if contains:
        rows = rows[rows["text"].str.lower().str.contains(contains.lower(), regex=False)]
    if rows.empty:
        speakers = sorted(quotations["speaker"].unique())
        raise AnalysisError(f"No quotation matches speaker={speaker!r}, contains={contains!r}; the speakers are {speakers}.")
    return rows.sort_values(["date", "quote_id"], na_position="last").reset_index(drop=True)


days_between = dates.days_between  # shared with lesson 4 (helpers/dates.py)


# --------------------------------------------------------------------------- source criticism

#: The discrepancies the lesson examines: (topic, table, how to find the row, the column holding the data's value).
DISCREPANCIES = [
    ("Day of Mao's remarks on nuclear war", "quotations", {"quote_id": "nuclear_half_garver"}, "date"),
    ("How many parties met in November 1957", "conference_totals", {"meeting": "wider_meeting_1957", "measure": "attended", "source_id": "shen2020"}, "value"),
    ("Dates of the 81-party conference of 1960", "events", {"event_id": "moscow_conference_1960"}, "date"),
    ("Khrushchev's first visit to China", "events", {"event_id": "khrushchev_visit_1954"}, "date"),
    ("Yugoslavia at the 12-party meeting", "conference_parties", {"country": "Yugoslavia"}, "attended_ruling_meeting"),
    ("Launch day of Sputnik 1", "events", {"event_id": "sputnik_1_launched_1957"}, "date"),
    ("Years of Problems of Peace and Socialism", "events", {"event_id": "first_issue_of_problems_of_1958"}, "date"),
]


def _value_text(row: pd.Series, column: str) -> str:
    value = row[column]
    if pd.isna(value):
        return "(left empty: sources disagree)"
    if column == "date":
        return span(value, row.get("end_date"), row.get("date_precision"))
    if isinstance(value, (bool,)) or str(value) in ("True", "False"):
        return "yes" if bool(value) else "no"
    return str(value)


def discrepancy_table(tables: dict[str, pd.DataFrame], topics: list[int] | None = None) -> pd.DataFrame:
    """The disagreements between sources, read from the data: what the data hold, on whose authority, and the notes.

    ``tables`` maps table names ('quotations', 'conference_totals', 'events', 'conference_parties')
    to the loaded tables; ``topics`` picks entries of :data:`DISCREPANCIES` by position (all by default).
    """
    chosen = DISCREPANCIES if topics is None else [DISCREPANCIES[i] for i in topics]
    rows = []
    for topic, table, where, column in chosen:
        if table not in tables:
            raise AnalysisError(f"The discrepancy {topic!r} needs the table {table!r}; pass it as tables[{table!r}] = data.load({table!r}).")
        df = tables[table]
        mask = pd.Series(True, index=df.index)
        for col, value in where.items():
            mask &= df[col].astype(str).eq(value)
        match = df[mask]
        if len(match) != 1:
            raise AnalysisError(f"Expected one row of {table} for {where}, found {len(match)}; has the data changed?")
        r = match.iloc[0]
        rows.append(
            {
                "topic": topic,
                "table": table,
                "row": ", ".join(f"{v}" for v in where.values()),
                "in the data": _value_text(r, column),
                "on the authority of": cite_short(r["source_id"], r.get("source_pages")),
                "notes": "" if pd.isna(r.get("notes")) else str(r["notes"]),
            }
        )
    return pd.DataFrame(rows)


def describe_discrepancies(table: pd.DataFrame, width: int = 110) -> str:
    """The discrepancy table as numbered plain-text blocks, wrapped to ``width`` characters."""
    blocks = []
    for n, r in enumerate(table.itertuples(index=False), start=1):
        lines = [f"{n}. {r.topic}", f"   In the data ({r.table}: {r.row}): {r[3]}", f"   Source of that value: {r[4]}", f"   Notes: {r.notes}"]
        blocks.append("\n".join(textwrap.fill(line, width, subsequent_indent="      ") for line in lines))
    return "\n\n".join(blocks)


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
