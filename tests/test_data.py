"""helpers.data: typing, metadata, citations and every bad input's message."""

from __future__ import annotations

import pandas as pd
import pytest

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
