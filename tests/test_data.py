"""helpers.data: typing, metadata, citations and every bad input's message."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import TINY_STEEL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inputs_sweep import examples

from helpers import data as helpers_data
from helpers.data import DataValidationError, UnknownDatasetError, cite, datasets, load


def write(tiny, text):
    (tiny / "steel.csv").write_text(text, encoding="utf-8")


def test_load_types_the_columns_from_the_schema(tiny):
    df = load("steel", tiny)
    assert str(df["year"].dtype) == "Int64"
    assert str(df["value"].dtype) == "Float64"
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert str(df["contested"].dtype) == "boolean"
    assert df["value"].tolist() == [5350.0, 22047.0, 8000.0]
    assert df["contested"].tolist() == [False, True, False]
    assert pd.isna(df.loc[2, "date"])  # an empty optional cell is missing, not ""


def test_metadata_is_attached(tiny):
    df = load("steel", tiny)
    assert df.attrs["title"] == "Steel output"
    assert df.attrs["units"] == {"value": "thousand metric tons"}
    assert df.attrs["sources"] == [{"title": "Test source"}]
    assert df.attrs["licenses"] == [{"name": "CC-BY-4.0"}]
    assert df.attrs["path"] == "data/steel.csv"
    assert "citation" not in df.attrs  # cite("steel") gives it; attrs stay small because pandas copies them often


def test_sources_are_shared_by_every_table_made_from_a_loaded_one_and_read_only(tiny):
    import copy
    import pickle

    from helpers.errors import ArgumentError

    df = load("steel", tiny)
    derived = df[df["value"] > 6000]
    # pandas deep-copies attrs into every result: the record of sources travels whole but is not copied
    assert derived.attrs == df.attrs and derived.attrs is not df.attrs
    assert derived.attrs["sources"] is df.attrs["sources"] and copy.deepcopy(df.attrs)["licenses"] is df.attrs["licenses"]
    assert derived.attrs["units"] is not df.attrs["units"]  # plain dicts are still copied
    with pytest.raises(ArgumentError, match="read-only.*Copy them"):
        df.attrs["sources"].append({"title": "mine"})
    with pytest.raises(ArgumentError, match="read-only"):
        df.attrs["sources"][0]["title"] = "changed"
    with pytest.raises(ArgumentError, match="read-only"):
        df.attrs["licenses"] += [{"name": "other"}]
    assert load("steel", tiny).attrs["sources"] == [{"title": "Test source"}]  # nothing reached the package's record
    mine = [dict(s) for s in df.attrs["sources"]]  # the copy the message suggests is an ordinary list
    mine.append({"title": "mine"})
    assert json.loads(json.dumps(df.attrs))["sources"] == [{"title": "Test source"}]
    again = pickle.loads(pickle.dumps(df))
    assert again.attrs == df.attrs and again.equals(df)


def test_load_returns_a_copy_that_callers_may_change(tiny):
    first = load("steel", tiny)
    first.loc[0, "value"] = -1
    assert load("steel", tiny).loc[0, "value"] == 5350


def test_an_edited_file_is_read_again(tiny):
    assert len(load("steel", tiny)) == 3
    write(tiny, "\n".join(TINY_LINES[:3]) + "\n")
    import os
    os.utime(tiny / "steel.csv", ns=(1, 10**18))  # a new mtime even on coarse clocks
    assert len(load("steel", tiny)) == 2


TINY_LINES = [
    "country,year,value,date,contested,source_id,source_pages",
    "China,1957,5350,1957-12-31,false,alpha2001,p. 1",
    "UK,1957,22047,1957-12-31,true,beta2002,table 2",
]


def test_datasets_lists_names_and_titles(tiny):
    listing = datasets(tiny)
    assert listing["name"].tolist() == ["sources", "steel"]
    assert listing.set_index("name").loc["steel", "title"] == "Steel output"


def test_cite_lists_every_source_used_by_the_rows(tiny):
    text = cite("steel", tiny)
    assert text.splitlines()[0] == "Steel output. In: Tiny test package, data/steel.csv. Licence: CC-BY-4.0."
    assert "- A. Author (2001) A Book. Press." in text
    assert "- B. Author (2002) Another Book. Press." in text


@pytest.mark.parametrize("name, close", [("steal", "steel"), ("Steel", "steel"), ("source", "sources")])
def test_unknown_name_lists_valid_names_and_closest(tiny, name, close):
    with pytest.raises(UnknownDatasetError) as err:
        load(name, tiny)
    assert str(err.value) == f"There is no dataset called '{name}'. Did you mean '{close}'? The datasets are: sources, steel."


def test_unknown_name_without_close_match(tiny):
    with pytest.raises(UnknownDatasetError, match=r"^There is no dataset called 'zzz'\. The datasets are: sources, steel\.$"):
        cite("zzz", tiny)


def test_name_of_wrong_type(tiny):
    with pytest.raises(TypeError, match="A dataset name is a string such as 'events'; got int 3"):
        load(3, tiny)


BAD = [
    ("China,1957,5.3 Mt,,false,alpha2001,p. 1", "row 1 (line 2 of the file), column 'value': '5.3 Mt' is not a number"),
    ("China,1957.5,5350,,false,alpha2001,p. 1", "row 1 (line 2 of the file), column 'year': '1957.5' is not a whole number"),
    ("China,,5350,,false,alpha2001,p. 1", "row 1 (line 2 of the file), column 'year': a value is required here but the cell is empty."),
    ("Chine,1957,5350,,false,alpha2001,p. 1", "row 1 (line 2 of the file), column 'country': 'Chine' is not one of the allowed values ['China', 'UK']."),
    ("China,1940,5350,,false,alpha2001,p. 1", "row 1 (line 2 of the file), column 'year': '1940' is below the minimum 1949"),
    ("China,1957,-5,,false,alpha2001,p. 1", "row 1 (line 2 of the file), column 'value': '-5' is below the minimum 0"),
    ("China,1957,5350,31/12/1957,false,alpha2001,p. 1", "column 'date': '31/12/1957' is not a date in the form YYYY-MM-DD"),
    ("China,1957,5350,,maybe,alpha2001,p. 1", "column 'contested': 'maybe' is not true or false"),
    ("China,1957,5350,,false,gamma2003,p. 1", "column 'source_id': 'gamma2003' is not an id in data/sources.csv"),
    ("China,1957,5350,,false,alpha2001,", "column 'source_pages': a value is required here but the cell is empty."),
]


@pytest.mark.parametrize("row, message", BAD)
def test_malformed_file_names_file_row_column_and_rule(tiny, row, message):
    write(tiny, TINY_LINES[0] + "\n" + row + "\n")
    with pytest.raises(DataValidationError) as err:
        load("steel", tiny)
    assert str(err.value).startswith("data/steel.csv, ")
    assert message in str(err.value)


def test_error_row_counts_data_rows_from_one(tiny):
    write(tiny, "\n".join(TINY_LINES) + "\nUK,1958,x,,false,beta2002,p. 3\n")
    with pytest.raises(DataValidationError, match=r"data/steel.csv, row 3 \(line 4 of the file\), column 'value': 'x' is not a number"):
        load("steel", tiny)


def test_duplicate_primary_key(tiny):
    write(tiny, "\n".join(TINY_LINES) + "\nChina,1957,5000,,false,alpha2001,p. 9\n")
    with pytest.raises(DataValidationError) as err:
        load("steel", tiny)
    assert str(err.value) == (
        "data/steel.csv, row 3 (line 4 of the file), column 'country+year': duplicate primary key "
        "(country=China, year=1957); the same key is already in row 1."
    )


def test_missing_and_extra_columns(tiny):
    write(tiny, "country,year,value,date,source_id,source_pages,comment\nChina,1957,5350,,alpha2001,p. 1,x\n")
    with pytest.raises(DataValidationError) as err:
        load("steel", tiny)
    assert str(err.value) == (
        "data/steel.csv, header (line 1): missing column(s) ['contested']; "
        "column(s) ['comment'] not described in datapackage.json."
    )


def test_missing_file(tiny):
    (tiny / "steel.csv").unlink()
    with pytest.raises(DataValidationError, match="data/steel.csv: the file is missing, but datapackage.json describes it."):
        load("steel", tiny)


def test_not_utf8(tiny):
    (tiny / "steel.csv").write_bytes(TINY_LINES[0].encode() + b"\nChina,1957,5350,,false,alpha2001,p\xe9 1\n")
    with pytest.raises(DataValidationError, match="data/steel.csv: not UTF-8 text"):
        load("steel", tiny)


def test_broken_datapackage_json(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "datapackage.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"datapackage.json: not valid JSON \(line 1, column 3"):
        load("x", folder)


def test_no_package_at_all(tmp_path):
    with pytest.raises(FileNotFoundError, match="No data package at .*Run the lessons from a clone of the repository"):
        load("x", tmp_path)


# --------------------------------------------------------------------------- empty files, broken schemas, any corruption


@pytest.mark.parametrize(
    "text, message",
    [("", "data/steel.csv: the file is empty; it should start with a header line naming the columns."),
     ("\n\n", "data/steel.csv: the file is empty"),
     (TINY_LINES[0] + "\n", "data/steel.csv: the file has a header line but no rows of data.")],
    ids=["empty", "blank-lines", "header-only"],
)
def test_an_empty_or_header_only_file_is_refused(tiny, text, message):
    write(tiny, text)
    with pytest.raises(DataValidationError, match=re.escape(message)):
        load("steel", tiny)


def _package_with(tiny, change) -> None:
    pkg = json.loads((tiny / "datapackage.json").read_text())
    change(pkg)
    (tiny / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")


def _field(pkg, name):
    return next(f for f in pkg["resources"][1]["schema"]["fields"] if f["name"] == name)


@pytest.mark.parametrize(
    "change, message",
    [(lambda p: _field(p, "year").update(type="interger"), "resource 'steel', field 'year': 'interger' is not a Table Schema type. Did you mean 'integer'?"),
     (lambda p: _field(p, "value").update(type="Number"), "field 'value': 'Number' is not a Table Schema type. Did you mean 'number'?"),
     (lambda p: _field(p, "date").update(type="datetime"), "field 'date': type 'datetime' is a Table Schema type these lessons do not read"),
     (lambda p: _field(p, "year")["constraints"].update(minimum="1949"), "field 'year': the minimum '1949' does not fit a field of type integer."),
     (lambda p: _field(p, "country")["constraints"].update(enum="China"), "field 'country': the enum constraint must be a list"),
     (lambda p: p["resources"][1].pop("path"), "resource 2: every resource needs a \"name\" and a \"path\""),
     (lambda p: p.update(resources={"steel": {}}), "expected an object with a list of \"resources\""),
     (lambda p: p["resources"][1]["schema"].update(fields=[]), "resource 'steel': the schema needs a non-empty list of \"fields\".")],
    ids=["misspelt-type", "capitalised-type", "unread-type", "minimum-as-text", "enum-not-list", "no-path", "resources-not-list", "no-fields"],
)
def test_a_broken_datapackage_json_names_resource_and_field(tiny, change, message):
    _package_with(tiny, change)
    with pytest.raises(DataValidationError, match=re.escape(message)):
        load("steel", tiny)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_corruption_of_a_file_is_loaded_or_refused_with_a_data_error(tiny, data):
    """Cut, drop, double or insert characters anywhere in the CSV: load gives a table or a DataValidationError, nothing else."""
    text = TINY_STEEL
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["cut", "drop", "double", "insert"]))
        if op == "cut":
            text = text[:i]
        elif op == "drop":
            text = text[:i] + text[i + 1:]
        elif op == "double":
            text = text[:i] + text[i:i + 1] * 2 + text[i:]
        else:
            text = text[:i] + data.draw(st.text(alphabet=',"\n\r;\t x0-9.é\x00', min_size=1, max_size=3)) + text[i:]
    write(tiny, text)
    helpers_data._load_validated.cache_clear()
    try:
        df = load("steel", tiny)
    except DataValidationError as err:
        assert str(err).startswith("data/steel.csv"), str(err)
        return
    assert list(df.columns) == TINY_LINES[0].split(",") and len(df) >= 1


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=20), st.none(), st.integers(), st.floats(), st.lists(st.text(max_size=3), max_size=2)))
def test_any_dataset_name_is_loaded_or_refused_with_the_choices(tiny, name):
    try:
        load(name, tiny)
    except UnknownDatasetError as err:
        assert "The datasets are: sources, steel." in str(err)
    except TypeError as err:
        assert "A dataset name is a string such as 'events'" in str(err)
    else:
        assert name in ("sources", "steel")


def test_the_other_data_functions_refuse_a_bad_name_or_table(tiny):
    from helpers.data import resource_sources, units

    with pytest.raises(UnknownDatasetError, match="There is no dataset called 'steal'. Did you mean 'steel'?"):
        resource_sources("steal", tiny)
    with pytest.raises(TypeError, match=r"units\(\) needs a table loaded with load"):
        units("steel")
