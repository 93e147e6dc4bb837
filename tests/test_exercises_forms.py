"""check() over the whole class of each answer kind (Hypothesis): every reasonable form of a right answer
is confirmed, no form of another answer is, ambiguous forms are refused with the reason, and no input
whatever (answer or id) makes check() raise. The named cases of issue 14 are listed at the end."""

from __future__ import annotations

import datetime as dt
import decimal
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from inputs_sweep import examples

from helpers import exercises
from helpers.exercises import Feedback, check, register

SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bank") / "bank.json"


def put(bank: Path, qid: str, answer, kind: str, **extra) -> None:
    register(qid, answer, kind=kind, hint="See the lesson.", bank_path=bank, **extra)


def judged(qid: str, answer, bank: Path) -> Feedback:
    feedback = check(qid, answer, bank_path=bank)
    assert isinstance(feedback, Feedback) and feedback.correct in (True, False, None)
    return feedback


# --------------------------------------------------------------------------- numbers


@SETTINGS
@given(st.integers(-10**6, 10**6), st.integers(0, 3), st.data())
def test_every_form_of_a_right_number_is_confirmed(bank, units, decimals, data):
    value = units / 10**decimals
    put(bank, "8.1", value, "number", decimals=decimals)
    text = f"{value:.{decimals}f}"
    forms = [value, np.float64(value), decimal.Decimal(text), text, f" {text} ", [value], (value,), pd.Series([value]), np.array([value]),
             pd.array([value], dtype="Float64"), pd.DataFrame({"x": [value]}), text.replace("-", "\u2212")]
    comma = text.replace(".", ",")
    if not re.fullmatch(r"-?[1-9]\d{0,2},\d{3}", comma):  # '1,000' could be a thousand: refused as ambiguous (tested below)
        forms.append(comma)
    if abs(value) >= 1000 and decimals:
        whole, frac = text.split(".")
        forms += [f"{int(whole):,}.{frac}", f"{int(whole):,}.{frac}".replace(",", "\u202f"), f"{int(whole):,}".replace(",", ".") + "," + frac]
    form = data.draw(st.sampled_from(forms))
    assert judged("8.1", form, bank) == "Exercise 8.1: correct.", repr(form)


@SETTINGS
@given(st.integers(-10**5, 10**5), st.integers(0, 3), st.integers(2, 50), st.booleans())
def test_a_number_two_steps_away_or_more_is_not_confirmed(bank, units, decimals, steps, up):
    value = units / 10**decimals
    put(bank, "8.2", value, "number", decimals=decimals)
    other = value + (steps if up else -steps) / 10**decimals
    assert judged("8.2", other, bank).correct is False
    assert judged("8.2", f"{other:.{decimals}f}".replace(".", ","), bank).correct is False


@SETTINGS
@given(st.integers(1, 9999), st.integers(0, 999))
def test_a_percent_sign_reads_either_way_and_a_missed_factor_of_100_is_named(bank, permille, _noise):
    fraction = permille / 10_000  # 0.0001 .. 0.9999
    put(bank, "8.3", fraction, "number", decimals=4)
    assert judged("8.3", f"{fraction * 100:.2f}%", bank).correct is True
    slip = judged("8.3", round(fraction * 100, 2), bank)
    assert slip.correct is False and "divide by 100" in slip


@SETTINGS
@given(st.integers(1, 999), st.integers(0, 9))
def test_a_single_comma_group_is_ambiguous_for_a_number_and_read_for_a_whole_number(bank, thousands, hundreds):
    text = f"{thousands},{hundreds}{hundreds}{hundreds}"
    put(bank, "8.4", 1.5, "number", decimals=1)
    feedback = judged("8.4", text, bank)
    assert feedback.correct is False and "could be read as" in feedback and "decimal comma" in feedback
    put(bank, "8.5", int(text.replace(",", "")), "integer")
    assert judged("8.5", text, bank).correct is True


@SETTINGS
@given(st.integers(-10**6, 10**6), st.data())
def test_every_form_of_a_right_whole_number_is_confirmed(bank, n, data):
    put(bank, "8.6", n, "integer")
    forms = [n, float(n), np.int64(n), np.int32(n), str(n), f"{n}.0", f"{n:,}", f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "\u00a0"),
             str(n).replace("-", "\u2212"), [n], pd.Series([n]), pd.array([n], dtype="Int64"), pd.array([n], dtype="Int64")[0],
             pd.Timedelta(days=n), dt.timedelta(days=n), np.timedelta64(n, "D")]
    if 1 <= n <= 9999:
        forms.append(pd.Period(str(n).zfill(4), "Y"))
    form = data.draw(st.sampled_from(forms))
    assert judged("8.6", form, bank).correct is True, repr(form)
    assert judged("8.6", n + data.draw(st.sampled_from([-2, -1, 1, 2])), bank).correct is False


# --------------------------------------------------------------------------- dates

dates = st.dates(dt.date(1800, 1, 1), dt.date(2100, 12, 31))


def date_forms(d: dt.date) -> list:
    month = MONTHS[d.month - 1]
    forms = [d, dt.datetime(d.year, d.month, d.day), pd.Timestamp(d), np.datetime64(d.isoformat()), pd.Period(d.isoformat(), "D"),
             d.isoformat(), f"{d.isoformat()} 00:00:00", f"{d.isoformat()}T00:00", d.strftime("%Y.%m.%d"), d.strftime("%Y/%m/%d"),
             d.strftime("%Y%m%d"), f"{d.year}.{d.month}.{d.day}", f"{d.day} {month} {d.year}", f"{month} {d.day}, {d.year}",
             f"{d.day} {month[:3]}. {d.year}", f"{d.year}年{d.month}月{d.day}日", pd.Series([pd.Timestamp(d)]), [d.isoformat()]]
    if d.day > 12 or d.day == d.month:  # only then is day.month.year unambiguous
        forms += [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}/{d.month}/{d.year}", f"{d.month}/{d.day}/{d.year}"]
    return forms


@SETTINGS
@given(dates, st.data())
def test_every_unambiguous_form_of_a_right_date_is_confirmed(bank, day, data):
    put(bank, "8.7", day.isoformat(), "date")
    form = data.draw(st.sampled_from(date_forms(day)))
    assert judged("8.7", form, bank) == "Exercise 8.7: correct.", repr(form)


@SETTINGS
@given(dates, dates, st.data())
def test_no_form_of_another_date_is_confirmed(bank, right, other, data):
    assume(right != other)
    put(bank, "8.8", right.isoformat(), "date")
    form = data.draw(st.sampled_from(date_forms(other)))
    assert judged("8.8", form, bank).correct is False, repr(form)


@SETTINGS
@given(st.integers(1800, 2100), st.integers(1, 12), st.integers(1, 12), st.sampled_from(".-/"))
def test_day_and_month_that_could_swap_are_refused_with_both_readings(bank, year, a, b, sep):
    assume(a != b)
    put(bank, "8.9", dt.date(year, b, a).isoformat(), "date")  # the day-first reading is the right one
    feedback = judged("8.9", f"{a}{sep}{b}{sep}{year}", bank)
    assert feedback.correct is False
    assert "could be" in feedback and MONTHS[b - 1] in feedback and MONTHS[a - 1] in feedback and "YYYY-MM-DD" in feedback


@SETTINGS
@given(st.integers(1800, 2100), st.integers(1, 12))
def test_a_year_or_a_month_is_not_taken_for_a_day(bank, year, month):
    put(bank, "8.10", f"{year}-{month:02d}-01", "date")
    for text in (str(year), f"{MONTHS[month - 1]} {year}", f"{year}-{month:02d}"):
        feedback = judged("8.10", text, bank)
        assert feedback.correct is False and ("is a year" in feedback or "names a month" in feedback), text
    assert "longer than a day" in judged("8.10", pd.Period(f"{year}-{month:02d}", "M"), bank)


# --------------------------------------------------------------------------- texts

names = st.sampled_from(["Lüshun", "Port Arthur", "Moscow", "Zhou Enlai", "Peng Dehuai", "Mao Zedong", "Gomułka", "Tito"])


@SETTINGS
@given(names, st.data())
def test_case_accents_spacing_and_punctuation_do_not_matter(bank, name, data):
    put(bank, "8.11", name, "text")
    variant = data.draw(st.sampled_from([name.upper(), name.lower(), f"  {name} ", name.replace(" ", "  "), f"{name}.", f"'{name}'",
                                         name.replace("ü", "u").replace("ł", "l"), np.str_(name), [name], pd.array([name], dtype="string")]))
    feedback = judged("8.11", variant, bank)
    if "ł" in name and "l" in str(variant) and "ł" not in str(variant):
        return  # ł is a letter of its own, not l with an accent
    assert feedback.correct is True, repr(variant)


@SETTINGS
@given(st.integers(1950, 1965), st.integers(1, 12), st.data())
def test_a_month_as_text_may_be_written_any_usual_way(bank, year, month, data):
    put(bank, "8.12", f"{year}-{month:02d}", "text")
    form = data.draw(st.sampled_from([pd.Period(f"{year}-{month:02d}", "M"), f"{MONTHS[month - 1]} {year}", f"{MONTHS[month - 1][:3]} {year}",
                                      f"{year}/{month:02d}", f"{month:02d}/{year}", f"{year}年{month}月"]))
    assert judged("8.12", form, bank).correct is True, repr(form)
    other = month % 12 + 1
    assert judged("8.12", f"{MONTHS[other - 1]} {year}", bank).correct is False


# --------------------------------------------------------------------------- collections and tables

items = st.lists(st.one_of(st.text(string.ascii_letters + " ", min_size=1, max_size=8).filter(str.strip), st.integers(1900, 2000)),
                 min_size=1, max_size=6, unique_by=lambda x: exercises._norm_item(x, 2))


def collection_forms(values: list) -> list:
    forms = [list(values), tuple(values), pd.Series(values, dtype=object), pd.Index(values, dtype=object), np.array(values, dtype=object),
             pd.DataFrame({"x": pd.Series(values, dtype=object)}), {v: 1 for v in values}.keys(), [str(v) for v in values]]
    if all(isinstance(v, str) for v in values):
        forms += [pd.array(values, dtype="string"), pd.Series(values, dtype="string").unique(), pd.Categorical(values), np.array(values)]
    if all(isinstance(v, int) for v in values):
        forms += [pd.array(values, dtype="Int64"), np.array(values), [np.int64(v) for v in values], [float(v) for v in values]]
    return forms


@SETTINGS
@given(items, st.randoms(use_true_random=False), st.data())
def test_a_set_in_any_order_and_any_container_is_confirmed(bank, values, rnd, data):
    put(bank, "8.13", values, "set")
    shuffled = list(values)
    rnd.shuffle(shuffled)
    form = data.draw(st.sampled_from(collection_forms(shuffled) + [set(shuffled)]))
    assert judged("8.13", form, bank).correct is True, repr(form)
    if len(values) > 1:
        assert judged("8.13", values[:-1], bank).correct is False


@SETTINGS
@given(items, st.data())
def test_a_sequence_in_its_order_and_any_container_is_confirmed(bank, values, data):
    put(bank, "8.14", values, "sequence")
    form = data.draw(st.sampled_from(collection_forms(values)))
    assert judged("8.14", form, bank).correct is True, repr(form)
    if values != values[::-1]:
        assert judged("8.14", values[::-1], bank).correct is False


@SETTINGS
@given(st.dictionaries(st.sampled_from(["diplomacy", "economy", "party", "crisis", "culture"]), st.integers(0, 50), min_size=1), st.data())
def test_a_table_in_any_row_order_and_shape_is_confirmed(bank, counts, data):
    series = pd.Series(counts, name="count").rename_axis("category")
    put(bank, "8.15", series, "table")
    forms = [series, series.iloc[::-1], series.to_frame(), dict(counts), series.astype("Int64"), series.reset_index(),
             pd.Series(series.to_numpy(), index=pd.Index(list(series.index), dtype="string"))]
    form = data.draw(st.sampled_from(forms))
    assert judged("8.15", form, bank).correct is True, repr(form)
    assert judged("8.15", series + 1, bank).correct is False


# --------------------------------------------------------------------------- nothing raises


def _object_array(items: list) -> np.ndarray:
    """A one-dimensional object array holding ``items`` as they are. ``np.array(items, dtype=object)`` would try to
    broadcast nested arrays into a block, and fails for some (an empty array beside None)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


odd = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.binary(max_size=10), st.complex_numbers(),
              st.dates(), st.datetimes(), st.timedeltas(), st.just(...), st.just(pd.NA), st.just(pd.NaT), st.just(np.datetime64("NaT")),
              st.decimals(allow_nan=True), st.fractions(), st.just(object()), st.just(np.float32("nan")),
              st.builds(pd.Timestamp, st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1))),
              st.builds(lambda n: pd.Period(n, "M"), st.sampled_from(["1957-11", "1959-03"]))),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=3), inner, max_size=3),
                            st.builds(lambda xs: pd.Series(xs, dtype=object), st.lists(inner, max_size=4)),
                            st.builds(_object_array, st.lists(inner, max_size=4))),
    max_leaves=6,
)
KIND_IDS = {"number": "8.20", "integer": "8.21", "text": "8.22", "date": "8.23", "set": "8.24", "sequence": "8.25", "table": "8.26"}


@pytest.fixture(scope="module")
def every_kind(bank):
    answers = {"number": 1.5, "integer": 1957, "text": "Moscow", "date": "1957-11-18", "set": ["a"], "sequence": [1, 2],
               "table": pd.Series({"a": 1})}
    for kind, qid in KIND_IDS.items():
        put(bank, qid, answers[kind], kind, **({"decimals": 1} if kind == "number" else {}))
    return bank


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(sorted(KIND_IDS)), odd)
def test_no_answer_whatever_makes_check_raise(every_kind, kind, answer):
    feedback = judged(KIND_IDS[kind], answer, every_kind)
    assert feedback.startswith(f"Exercise {KIND_IDS[kind]}: ")


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(odd)
def test_an_id_that_is_not_text_is_refused_not_guessed(every_kind, question_id):
    assume(not isinstance(question_id, str))
    feedback = judged(question_id, 1957, every_kind)
    assert feedback.correct is None and "as text in quotes" in feedback


# --------------------------------------------------------------------------- the named cases


def test_the_cases_named_in_the_issue(bank):
    events = pd.DataFrame({"category": pd.array(["party", "economy", "party"], dtype="string"), "n": pd.array([1, 2, 3], dtype="Int64")})
    put(bank, "8.30", ["economy", "party"], "set")
    assert judged("8.30", events["category"].unique(), bank).correct is True  # a StringArray, the teacher's own solution unsorted
    put(bank, "8.31", [1, 2, 3], "sequence")
    assert judged("8.31", events["n"].array, bank).correct is True  # an IntegerArray
    monthly = pd.Series([1, 5, 2], index=pd.period_range("1959-01", periods=3, freq="M"))
    put(bank, "8.32", "1959-02", "text")
    assert judged("8.32", monthly.idxmax(), bank).correct is True  # the Period that 4.1's hint leads to
    put(bank, "8.33", 45, "integer")
    assert judged("8.33", pd.Timestamp("1958-09-15") - pd.Timestamp("1958-08-01"), bank).correct is True  # a Timedelta, as in 2.6
    put(bank, "8.34", "1954-10-12", "date")
    for form in (np.datetime64("1954-10-12"), "1954.10.12", "19541012"):
        assert judged("8.34", form, bank).correct is True, form  # not read with day and month swapped
    put(bank, "8.35", [1954, 1957], "sequence")
    assert judged("8.35", ["1954", "1957"], bank).correct is True
    put(bank, "8.36", -2.5, "number", decimals=1)
    assert judged("8.36", "\u22122,5", bank).correct is True  # Unicode minus and a decimal comma
    put(bank, "1.1", 1, "integer")
    put(bank, "1.10", 2, "integer")
    refused = judged(1.10, 1, bank)  # 1.10 without quotes is 1.1: never silently check exercise 1.1
    assert refused.correct is None and "1.1, a different exercise" in refused
    assert "gives no year" in judged("8.34", "Oct 12", bank)  # never completed with the current year
    assert exercises._norm_item("May 1", 2) == "t:may 1"  # nor inside a list
    assert judged("8.30", [], bank).startswith("Exercise 8.30: the answer is empty")
    assert judged("8.30", pd.Series([], dtype="string"), bank).startswith("Exercise 8.30: the answer is empty")


# --------------------------------------------------------------------------- an answer cell that failed


@pytest.fixture
def shell(bank):
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    exercises._watch(ip)
    put(bank, "8.40", "Moscow", "text")
    ip.run_cell(f"from helpers.exercises import check\nBANK = {str(bank)!r}", store_history=False)
    return ip


def run(ip, source: str):
    result = ip.run_cell(source, store_history=False)
    return result.result


def test_a_failed_answer_cell_is_not_judged_by_its_leftover_value(shell):
    run(shell, "answer_8_40 = 'Moscow'")
    assert run(shell, "check('8.40', answer_8_40, bank_path=BANK)").correct is True
    assert shell.run_cell("answer_8_40 = Beijing", store_history=False).error_in_exec is not None  # no quotes: NameError
    for _ in range(2):  # running the check again does not make the leftover value count
        feedback = run(shell, "check('8.40', answer_8_40, bank_path=BANK)")
        assert feedback.correct is None and "stopped with an error" in feedback and "NameError" in feedback
        assert "put it in quotes ('Beijing')" in feedback
    run(shell, "1 / 0")  # another cell failing has nothing to do with this answer
    run(shell, "answer_8_40 = 'Beijing'")
    assert run(shell, "check('8.40', answer_8_40, bank_path=BANK)").startswith("Exercise 8.40: not quite.")


def test_a_syntax_error_in_the_answer_cell_is_caught_too(shell):
    run(shell, "answer_8_40 = 'Moscow'")
    assert shell.run_cell("answer_8_40 = 'Mos", store_history=False).error_before_exec is not None
    feedback = run(shell, "check('8.40', answer_8_40, bank_path=BANK)")
    assert feedback.correct is None and "SyntaxError" in feedback
    run(shell, "answer_8_40 = 'Moscow'")
    assert run(shell, "check('8.40', answer_8_40, bank_path=BANK)").correct is True


def test_an_answer_never_set_gets_one_line_not_a_traceback(shell, capsys):
    shell.user_ns.pop("answer_8_41", None)
    result = shell.run_cell("check('8.40', answer_8_41, bank_path=BANK)", store_history=False)
    assert isinstance(result.error_in_exec, NameError)  # the cell still fails, as it must
    shown = capsys.readouterr().out
    assert "NameError: answer_8_41 has no value yet: run the cell above that sets it" in shown and "Traceback" not in shown
    shell.run_cell("answer_8_41 = Beijing", store_history=False)  # fails before it ever sets the name
    capsys.readouterr()
    shell.run_cell("check('8.40', answer_8_41, bank_path=BANK)", store_history=False)
    shown = capsys.readouterr().out
    assert "answer_8_41 has no value: the cell that sets answer_8_41 stopped with an error (NameError: name 'Beijing' is not defined)" in shown
    assert "so answer_8_41 was never set" in shown and "put it in quotes ('Beijing')" in shown
    shell.run_cell("undefined_thing", store_history=False)  # any other NameError: the usual traceback
    assert "name 'undefined_thing' is not defined" in capsys.readouterr().out
