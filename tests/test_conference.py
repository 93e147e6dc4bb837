"""Lesson 2 (the Moscow meetings): analysis functions on small hand-made tables and on the real data, and the explorer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from helpers import data, plots
from helpers.analysis import AnalysisError
from helpers.analysis import conference as cf


@pytest.fixture(scope="module")
def real():
    names = ["conference_parties", "conference_totals", "debates", "quotations", "events"]
    return {name: data.load(name) for name in names}


def parties_frame():
    return pd.DataFrame(
        {
            "party": ["A party", "B party", "C party"],
            "country": ["A", "B", "C"],
            "attended_ruling_meeting": pd.array([True, pd.NA, True], dtype="boolean"),
            "attended_wider_meeting": pd.array([True, True, True], dtype="boolean"),
            "signed_declaration": pd.array([True, False, pd.NA], dtype="boolean"),
            "signed_peace_manifesto": pd.array([True, True, True], dtype="boolean"),
            "head_of_delegation": ["a", "b", "c"],
        }
    )


def debates_frame():
    return pd.DataFrame(
        {
            "debate_id": ["d1", "d2", "d3", "d4"],
            "issue": ["war_and_peace", "war_and_peace", "leadership_of_camp", "war_and_peace"],
            "actor": ["Mao Zedong (CCP)", "Nikita Khrushchev (CPSU)", "Mao Zedong (CCP)", "CCP Central Committee"],
            "position": ["p1", "p2", "p3", "p4"],
            "date": pd.to_datetime(["1957-11-18", "1957-11-01", "1957-11-18", None]),
            "date_precision": ["day", "month", "day", None],
            "quotation": ["q1", None, None, None],
            "source_id": ["garver2016", "theobald_chinaknowledge", "garver2016", "shen2020"],
            "source_pages": ["p. 127", "para. 5", "p. 127", "ch. 13 n. 16"],
        }
    )


# --------------------------------------------------------------------------- small helpers


def test_when_follows_the_precision():
    assert cf.when(pd.Timestamp("1957-11-18"), "day") == "18 Nov 1957"
    assert cf.when(pd.Timestamp("1960-11-01"), "month") == "Nov 1960"
    assert cf.when(pd.Timestamp("1958-01-01"), "year") == "1958"
    assert cf.when(pd.NaT) == "undated"


def test_span_gives_both_ends_or_one():
    assert cf.span(pd.Timestamp("1960-11-01"), pd.Timestamp("1960-12-01"), "month") == "Nov 1960 to Dec 1960"
    assert cf.span(pd.Timestamp("1957-11-18"), pd.NaT, "day") == "18 Nov 1957"
    assert cf.span(pd.Timestamp("1957-11-18"), pd.Timestamp("1957-11-18"), "day") == "18 Nov 1957"  # one day is not a span
    assert cf.span(pd.NaT, pd.Timestamp("1960-12-01"), "month") == "undated"
    with pytest.raises(AnalysisError, match="The end date Oct 1960 comes before the start Nov 1960"):
        cf.span(pd.Timestamp("1960-11-01"), pd.Timestamp("1960-10-01"), "month")


def test_cite_short_pairs_ids_and_pages():
    assert cf.cite_short("garver2016", "p. 127") == "Garver (2016), p. 127"
    assert cf.cite_short("garver2016;pantsov_levine2012", "p. 127; ch. 29") == "Garver (2016), p. 127; Pantsov and Levine (2012), ch. 29"
    assert cf.cite_short("garver2016;lizhisui1994", "garver2016: p. 125; lizhisui1994: ch. 24") == "Garver (2016), p. 125; Li Zhisui (1994), ch. 24"
    assert cf.cite_short("wiki_ppas") == "Wikipedia, 'Problems of Peace' (n.d.)"
    with pytest.raises(AnalysisError, match="This row has no source_id"):
        cf.cite_short(pd.NA)


# --------------------------------------------------------------------------- parties


def test_signatures_on_a_small_table():
    p = parties_frame()
    assert cf.signatories(p, "declaration") == ["A party"]
    assert cf.signatories(p, "signed_peace_manifesto") == ["A party", "B party", "C party"]
    # C's Declaration signature is unknown: it is not counted as a refusal
    assert cf.signed_one_not_other(p, signed="peace_manifesto", not_signed="declaration") == ["B party"]
    counts = cf.signature_counts(p)
    assert counts.loc["declaration"].tolist() == [1, 1, 1]
    assert counts.loc["peace_manifesto"].tolist() == [3, 0, 0]
    assert cf.attendance_counts(p, "ruling").to_dict() == {"yes": 2, "no": 0, "unknown": 1}
    table = cf.party_table(p)
    assert table.loc["C", "Declaration"] == "unknown" and table.loc["B", "12-party meeting"] == "unknown"
    unnamed = p.assign(head_of_delegation=["a", None, "c"])
    assert cf.party_table(unnamed).loc["B", "head of delegation"] == cf.NO_HEAD  # a leader no source names is said so


def test_signature_errors_say_what_to_choose():
    p = parties_frame()
    with pytest.raises(AnalysisError, match=r"There is no document called 'manifesto'; choose one of \['declaration', 'peace_manifesto'\]"):
        cf.signatories(p, "manifesto")
    with pytest.raises(AnalysisError, match="Choose two different documents"):
        cf.signed_one_not_other(p, "declaration", "signed_declaration")
    with pytest.raises(AnalysisError, match="There is no meeting called 'plenary'"):
        cf.attendance_counts(p, "plenary")
    with pytest.raises(AnalysisError, match=r"does not look like the conference_parties table.*data.load\('conference_parties'\)"):
        cf.party_table(pd.DataFrame({"x": [1]}))


def test_real_parties(real):
    p = real["conference_parties"]
    assert len(cf.signatories(p, "declaration")) == 12
    assert len(cf.signatories(p, "peace_manifesto")) == 13
    assert cf.signed_one_not_other(p, "peace_manifesto", "declaration") == ["League of Communists of Yugoslavia"]
    assert cf.attendance_counts(p, "ruling")["unknown"] == 1


# --------------------------------------------------------------------------- totals


def totals_frame(attended=68, hidden=4):
    return pd.DataFrame(
        {
            "meeting": ["m"] * 5,
            "measure": ["attended", "attended_publicly", "attended_publicly", "no_public_appearance", "attended_more_than"],
            "value": [attended, 64, 64, hidden, 80],
            "source_id": ["s1", "s2", "s3", "s1", "s4"],
            "status": ["reported", "reported", "reported", "reported", "memoir_recollection"],
        }
    )


def test_reconcile_count_agrees_and_sets_memoirs_aside():
    r = cf.reconcile_count(totals_frame(), "m")
    assert (r.attended, r.publicly, r.hidden, r.consistent) == (68, 64, 4, True)
    assert "64 + 4 = 68" in r.explanation and "Set aside: attended_more_than 80 (s4, memoir_recollection)" in r.explanation


def test_reconcile_count_reports_a_real_disagreement():
    r = cf.reconcile_count(totals_frame(attended=70), "m")
    assert not r.consistent and "not 70: a real disagreement" in r.explanation


def test_reconcile_count_refuses_two_values_for_one_measure():
    t = totals_frame()
    t.loc[2, "value"] = 65
    with pytest.raises(AnalysisError, match=r"The sources disagree on how many parties appeared publicly at m \(\[64, 65\]\)"):
        cf.reconcile_count(t, "m")


def test_totals_for_errors():
    with pytest.raises(AnalysisError, match=r"There is no meeting 'x' in the totals; the meetings are \['m'\]"):
        cf.totals_for(totals_frame(), "x")
    with pytest.raises(AnalysisError, match="No 'signed' figure for 'm'"):
        cf.totals_for(totals_frame(), "m", "signed")


def test_real_totals_reconcile(real):
    r = cf.reconcile_count(real["conference_totals"])
    assert r.consistent and r.attended - r.publicly == r.hidden
    assert set(cf.totals_for(real["conference_totals"], "wider_meeting_1957", "attended_publicly")["value"]) == {64}


# --------------------------------------------------------------------------- debates


def test_issue_key_accepts_labels_and_suggests():
    assert cf.issue_key("War and peace") == "war_and_peace"
    assert cf.issue_key(" leadership-of-camp ") == "leadership_of_camp"
    assert cf.issue_key(cf.ISSUES["congresses_mention"].upper()) == "congresses_mention"
    with pytest.raises(AnalysisError, match="There is no issue called 'war and piece'. Did you mean 'war_and_peace'?"):
        cf.issue_key("war and piece")
    with pytest.raises(AnalysisError, match="There is no issue called 'economy'. The issues are: leadership_of_camp"):
        cf.issue_key("economy")
    with pytest.raises(AnalysisError, match="Give an issue as text|needs text for issue"):
        cf.issue_key(3)


def test_positions_filters_issue_actor_period():
    d = debates_frame()
    assert cf.positions(d, "war_and_peace")["debate_id"].tolist() == ["d2", "d1", "d4"]  # date order, undated last
    assert cf.positions(d, "war and peace", period="1957")["debate_id"].tolist() == ["d2", "d1"]
    assert cf.positions(d, "war_and_peace", period="later")["debate_id"].tolist() == ["d4"]
    assert cf.positions(d, actor="mao")["debate_id"].tolist() == ["d1", "d3"]
    assert cf.positions(d, "war_and_peace", actor="CCP")["debate_id"].tolist() == ["d1", "d4"]


def test_positions_errors_name_the_actors():
    d = debates_frame()
    with pytest.raises(AnalysisError, match=r"No position by an actor matching 'Tito' on the issue 'war_and_peace' \(all positions\); the actors are: CCP Central Committee; Mao Zedong \(CCP\); Nikita Khrushchev \(CPSU\)"):
        cf.positions(d, "war_and_peace", actor="Tito")
    with pytest.raises(AnalysisError, match="The actor filter is empty"):
        cf.positions(d, actor="  ")
    with pytest.raises(AnalysisError, match=r"There is no period '1960'; choose one of \['all', '1957', 'later'\]"):
        cf.positions(d, period="1960")


def test_positions_table_and_lines():
    d = debates_frame()
    table = cf.positions_table(d, "war_and_peace")
    assert table.columns.tolist() == ["actor", "when", "position", "source"]
    assert table.loc["d1"].tolist() == ["Mao Zedong (CCP)", "18 Nov 1957", "p1", "Garver (2016), p. 127"]
    assert table.loc["d4", "when"] == "undated"
    lines = cf.position_lines(d, "war_and_peace")
    assert lines[1] == "Mao Zedong (CCP) (18 Nov 1957): p1 [Garver (2016), p. 127]"
    assert lines[2] == '    quoted: "q1"'
    assert len(lines) == 4  # no notes column: nothing to say about the quotation
    noted = d.assign(notes=["Garver's translation.", "not shown: no quotation", None, None])
    lines = cf.position_lines(noted, "war_and_peace")
    assert lines[3] == "      about the quotation: Garver's translation."
    assert len(lines) == 5 and not any("not shown" in line for line in lines)
    assert len(cf.position_lines(noted, "war_and_peace", quote_notes=False)) == 4


def test_real_quotation_under_a_party_is_attributed(real):
    """The Yugoslav party's row quotes its ambassador's words: the printed lines must say whose they are."""
    text = "\n".join(cf.position_lines(real["debates"], "leadership_of_camp"))
    block = text.split('quoted: "We obviously did not agree with it."', 1)[1].split("\n")[1]
    assert block.startswith("      about the quotation:") and "Mićunović" in block
    assert "Time's wording" in text.split('quoted: "first among equals"', 1)[1].split("\n")[1]


def test_issue_and_period_counts():
    d = debates_frame()
    assert cf.issue_counts(d).to_dict() == {"war_and_peace": 3, "leadership_of_camp": 1}
    pc = cf.period_counts(d)
    assert pc.index.tolist() == ["leadership_of_camp", "war_and_peace"]  # the order of ISSUES
    assert pc.loc["war_and_peace"].tolist() == [2, 1]


def test_real_debates(real):
    d = real["debates"]
    assert set(d["issue"]) <= set(cf.ISSUES)
    counts = cf.issue_counts(d)
    assert counts.sum() == len(d)
    gomulka = cf.positions(d, "leadership_of_camp", actor="Gomułka")
    assert len(gomulka) == 2 and len(set(gomulka["source_id"])) == 2  # two sources, two emphases


# --------------------------------------------------------------------------- quotations and events


def test_quotation_full_attribution(real):
    text = cf.quotation(real["quotations"], "east_wind_1957")
    assert text.splitlines()[0] == '"the east wind is prevailing over the west wind"'
    assert "Mao Zedong, Speech at the Moscow meeting of communist and workers' parties, 18 Nov 1957." in text
    assert "Printed in: Mao Zedong wenji" in text and "Translation:" in text
    with pytest.raises(AnalysisError, match="There is no quotation 'east_wind'. Did you mean 'east_wind_1957'?"):
        cf.quotation(real["quotations"], "east_wind")


def test_quotations_on_day_precision_only():
    q = pd.DataFrame({"quote_id": ["a", "b", "c"], "date": pd.to_datetime(["1957-11-18", "1957-11-01", "1957-11-18"]),
                      "date_precision": ["day", "month", "day"]})
    assert cf.quotations_on(q, "1957-11-18")["quote_id"].tolist() == ["a", "c"]
    assert cf.quotations_on(q, "1957-11-01").empty  # 'November 1957' is not 1 November
    with pytest.raises(AnalysisError, match="Could not read 'soon' as a date"):
        cf.quotations_on(q, "soon")


def test_find_quotations(real):
    q = real["quotations"]
    assert set(cf.find_quotations(q, speaker="togliatti")["quote_id"]) == {"togliatti_question_1957"}
    assert len(cf.find_quotations(q, contains="half")) == 2
    with pytest.raises(AnalysisError, match="No quotation matches speaker='Stalin'"):
        cf.find_quotations(q, speaker="Stalin")


def test_days_between():
    ev = pd.DataFrame({"event_id": ["a", "b", "c"], "date": pd.to_datetime(["1957-11-06", "1957-11-18", "1960-11-01"]),
                       "date_precision": ["day", "day", "month"]})
    assert cf.days_between(ev, "a", "b") == 12
    assert cf.days_between(ev, "b", "a") == -12
    with pytest.raises(AnalysisError, match="dated only to the month"):
        cf.days_between(ev, "a", "c")
    with pytest.raises(AnalysisError, match="There is no event with event_id 'bb'"):
        cf.days_between(ev, "a", "bb")


def test_discrepancy_table(real):
    table = cf.discrepancy_table({k: real[k] for k in ("quotations", "conference_totals", "events", "conference_parties")})
    assert len(table) == len(cf.DISCREPANCIES)
    row = table.set_index("topic")
    assert row.loc["Day of Mao's remarks on nuclear war", "in the data"] == "18 Nov 1957"
    assert "6 Nov" in row.loc["Day of Mao's remarks on nuclear war", "notes"]
    assert row.loc["Yugoslavia at the 12-party meeting", "in the data"].startswith("(left empty")
    assert row.loc["Dates of the 81-party conference of 1960", "in the data"] == "Nov 1960 to Dec 1960"  # it ran into December
    assert "not a wrong month" in row.loc["Dates of the 81-party conference of 1960", "notes"]
    text = cf.describe_discrepancies(table.iloc[:1])
    assert text.startswith("1. Day of Mao's remarks on nuclear war\n   In the data (quotations: nuclear_half_garver): 18 Nov 1957")
    with pytest.raises(AnalysisError, match="needs the table 'quotations'"):
        cf.discrepancy_table({}, topics=[0])


# --------------------------------------------------------------------------- figures and the explorer


def test_figures_have_alt_text(real):
    from helpers.widgets import conference as cw

    ax = cw.totals_figure(real["conference_totals"])
    text = plots.describe(ax)
    assert "wider meeting, 16-19 Nov 1957, attended (Shen (2020)): 68" in text
    assert "Data: data/conference_totals.csv" in text
    ax = cw.positions_figure(real["debates"])
    assert "Stacked bar chart of the positions recorded per issue" in plots.describe(ax)
    matplotlib.pyplot.close("all")


def test_debate_explorer(real):
    from helpers.widgets import conference as cw

    explorer = cw.debate_explorer(real["debates"])
    first = explorer.summary
    assert first.startswith("Leadership of the camp: the Soviet Union 'at the head': 6 positions (all positions)")
    assert "Mao Zedong (CCP) (18 Nov 1957): Argued the camp needed one leading party" in first
    assert '"we must have a head ... If the Soviet Union is not the head, then who is?"' in first
    text = explorer.set(issue="war and peace", period="1957")
    assert text == explorer.summary and text != first
    assert text.startswith("War and peace in the nuclear age: 6 positions (positions taken at the time (dated 1957 or earlier))")
    assert "Palmiro Togliatti" in text and "(undated)" not in text
    bad = explorer.set(issue="the economy")
    assert bad.startswith("Cannot show this: There is no issue called 'the economy'.")
    empty = explorer.set(issue="revisionism_yugoslavia", period="later")
    assert empty == "Cannot show this: no positions on 'revisionism_yugoslavia' among the later glosses and memoirs (after 1957 or undated); choose the period 'all' or another issue."
    back = explorer.set(issue="congresses_mention", period="all")
    assert back.startswith("Naming party congresses in the Declaration: 3 positions")
