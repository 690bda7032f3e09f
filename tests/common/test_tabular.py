"""The CSV field writer of every export against the standard library's csv.writer."""

import csv
import datetime
import io

import pytest

from common.tabular import CSV_DIALECT, csv_field, csv_line

ROWS = [
    ["plain", "", None, 0, -12, datetime.date(2015, 9, 30)],
    ["a,b", 'say "no"', '"', '""', ",", "line\nbreak"],
    [" leading space", "trailing ", "\t", "é “curly” ‘quotes’", "Ḥamā", "; ;"],
    ["'=SUM(1)", "=1+1", "-35.5", "@x", 'a\n\nb,"c"', "x" * 5000],
    [""],  # a lone empty field is quoted, not a blank line
    [None],
    ["", ""],
]


@pytest.mark.parametrize("row", ROWS)
def test_a_line_is_what_csv_writer_writes(row):
    buffer = io.StringIO()
    csv.writer(buffer, **CSV_DIALECT).writerow(row)
    assert csv_line(row) == buffer.getvalue()


def test_a_carriage_return_is_quoted_and_read_back():
    line = csv_line(["a\rb", "c\r\nd", "e"])
    assert line == '"a\rb","c\r\nd",e\n'
    assert next(csv.reader(io.StringIO(line, newline=""))) == ["a\rb", "c\r\nd", "e"]


def test_none_is_an_empty_field_and_other_values_their_text():
    assert csv_field(None) == ""
    assert csv_field(7) == "7"
    assert csv_field(datetime.date(2016, 3, 15)) == "2016-03-15"
    assert csv_field('1"') == '"1"""'
