"""Every file in the bad-file corpus is rejected with an InputError naming its file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecasting.contacts import read_contacts
from forecasting.history import read_history
from wfm.errors import InputError

BAD_FILES = Path(__file__).parent / "bad_files"

# (file, row, column as written in the file or None, words the message must contain)
CASES = [
    ("empty.csv", 1, None, "empty"),
    ("header_only.csv", 2, None, "no data rows"),
    ("missing_column.csv", 1, "offered", "missing"),
    ("misspelt_column.csv", 1, "offered", 'did you mean "offered"'),
    ("duplicate_column.csv", 1, "Offered", "twice"),
    ("not_a_number.csv", 4, "offered", '"2O" is not a number'),
    ("empty_offered.csv", 4, "offered", "empty"),
    ("negative_offered.csv", 3, "offered", "-3"),
    ("negative_aht.csv", 3, "aht_seconds", "-240.5"),
    ("infinite_value.csv", 3, "asa_seconds", '"inf" is not a number'),
    ("answered_exceeds_offered.csv", 3, "answered", "exceeds offered"),
    ("answered_plus_abandoned_exceeds_offered.csv", 5, "abandoned", "exceeds offered"),
    ("in_target_exceeds_answered.csv", 4, "answered_in_target", "exceeds answered"),
    ("duplicate_interval.csv", 6, "interval_start", "already on row 3"),
    ("bom_duplicate.csv", 4, "interval_start", "already on row 2"),
    ("mixed_interval_lengths.csv", 7, "interval_start", "mixed interval lengths"),
    ("off_grid.csv", 4, "interval_start", "off the 15-minute grid"),
    ("seconds_off_grid.csv", 3, "interval_start", "off the 15-minute grid"),
    ("impossible_date.csv", 3, "interval_start", "2026-02-30"),
    ("unparseable_timestamp.csv", 5, "interval_start", "yesterday 8am"),
    ("empty_timestamp.csv", 3, "interval_start", "empty"),
    ("mixed_offsets.csv", 3, "interval_start", "UTC offset"),
    ("single_row.csv", 2, "interval_start", "interval length"),
    ("empty_queue.csv", 4, "queue", "queue name"),
    ("undecodable_bytes.csv", 4, "queue", "0x81"),
    ("too_many_fields.csv", 3, None, "9 fields"),
    ("unclosed_quote.csv", 4, None, "quote"),
    ("blank_line_then_bad_row.csv", 5, "aht_seconds", '"abc"'),
    ("gzipped_bad_count.csv.gz", 4, "abandoned", '"x"'),
    ("gbk_negative.csv", 3, "offered", "-1"),
    ("contacts_unknown_outcome.csv", 3, "outcome", '"hung up"'),
    ("contacts_negative_wait.csv", 4, "wait_seconds", "-3"),
    ("contacts_answered_without_handle.csv", 4, "handle_seconds", "no handle time"),
    ("contacts_misspelt_outcome.csv", 1, "outcome", 'did you mean "outcome"'),
    ("contacts_bad_arrival.csv", 3, "arrival_ts", "02/03/2026 8:01"),
    ("contacts_header_only.csv", 2, None, "no data rows"),
]


def test_every_corpus_file_has_a_case() -> None:
    assert sorted(p.name for p in BAD_FILES.iterdir()) == sorted(case[0] for case in CASES)


@pytest.mark.parametrize(("name", "row", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_rejected_at_its_row_and_column(name: str, row: int, column: str | None, words: str) -> None:
    reader = read_contacts if name.startswith("contacts_") else read_history
    path = BAD_FILES / name
    with pytest.raises(InputError) as caught:
        reader(path)
    error = caught.value
    assert (Path(error.file).name, error.row, error.column) == (name, row, column)
    message = str(error)
    assert message.startswith(str(path))
    assert f"row {row}" in message
    if column is None:
        assert "column" not in message.split(":")[0]
    else:
        assert f'column "{column}"' in message
    assert words in message
    assert "\n" not in message
