"""Decoding input files: UTF-8, UTF-16, GBK only when it is GBK, Latin-1 read correctly or refused, never mojibake;
compressed files bounded while inflating."""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.csv_input import read_table
from forecasting.file_text import detect_legacy_encoding, read_text
from wfm import limits
from wfm.errors import InputError

# Common simplified Chinese characters (GB2312 level 1 starts at 0xB0A1) and Latin-1 letters.
CHINESE = [bytes([lead, trail]).decode("gb2312") for lead in range(0xB0, 0xD7) for trail in range(0xA1, 0xFF, 7)]


def _file(tmp_path: Path, data: bytes, name: str = "agents.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("agent_id,name\nA1,Müller\nA2,José Pérez\nA3,Zoë\n", "cp1252"),
        ("agent_id,name\nA1,Conceição\nA2,João\n", "cp1252"),
        ("agent_id,name\nA1,Straße Weiß\nA2,Dæmon\n", "cp1252"),
        ("queue,offered\nrésumé – €,1\n", "cp1252"),
        ("agent_id,name\nA1,张伟\nA2,-李娜\n", "gbk"),
        ("queue,offered\nVIP客户,1\nA组,2\n电话售前,3\n", "gbk"),
        ("agent_id,name\nA1,陳大文\nA2,黃小明\n", "big5"),
        ("agent_id,name\nA1,王芳\n", "utf-16"),
        ("agent_id,name\nA1,王芳\n", "utf-16-le"),
        ("agent_id,name\nA1,王芳\n", "utf-8-sig"),
    ],
)
def test_each_encoding_reads_back_exactly(tmp_path, text: str, encoding: str) -> None:
    assert read_text(_file(tmp_path, text.encode(encoding))) == text


# Latin names as real text has them: syllables of an ASCII consonant (or none) and a vowel that may be accented,
# with ç, ñ and ß among the consonants (strings such as "ÀÀÀÀ" or "Çá" are GBK too and cannot be told apart).
CONSONANTS = ["", "b", "d", "f", "g", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ç", "ñ", "ß", "ch"]
VOWELS = [
    "a",
    "e",
    "i",
    "o",
    "u",
    "á",
    "à",
    "â",
    "ä",
    "ã",
    "å",
    "é",
    "è",
    "ê",
    "ë",
    "í",
    "ï",
    "ó",
    "ö",
    "ô",
    "õ",
    "ú",
    "ü",
]
SYLLABLES = st.tuples(st.sampled_from(CONSONANTS), st.sampled_from(VOWELS), st.sampled_from(["", "n", "r", "s", "l"]))
LATIN_NAMES = (
    st.lists(SYLLABLES.map("".join), min_size=1, max_size=4)
    .map(lambda parts: "".join(parts).title())
    .filter(lambda word: any(c.isascii() for c in word))  # a word of accented letters only reads as Chinese too
    .filter(lambda word: max(map(len, re.findall(r"[^a-zA-Z]+", word)), default=0) <= 3)  # as in real words
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(LATIN_NAMES, LATIN_NAMES).map(" ".join), min_size=1, max_size=5))
def test_latin_names_read_correctly_or_are_refused_never_mojibake(names: list[str]) -> None:
    text = "agent_id,name\n" + "".join(f"A{i},{name}\n" for i, name in enumerate(names))
    raw = text.encode("cp1252")
    encoding = detect_legacy_encoding(raw) if not raw.isascii() else "ascii"
    assert encoding is None or raw.decode(encoding) == text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(CHINESE), min_size=1, max_size=4), min_size=1, max_size=5))
def test_chinese_names_in_gbk_are_always_read_as_gbk(names: list[str]) -> None:
    text = "agent_id,name\n" + "".join(f"A{i},{name}\n" for i, name in enumerate(names))
    raw = text.encode("gbk")
    assert raw.decode(detect_legacy_encoding(raw)) == text


def test_a_semicolon_or_tab_separated_export_is_read(tmp_path) -> None:
    for separator in (";", "\t"):
        text = f"queue{separator}interval_start{separator}offered\nq{separator}2026-11-02 08:00{separator}3\n"
        table = read_table(_file(tmp_path, text.encode()), required=("queue", "interval_start", "offered"))
        assert table.frame.iloc[0].tolist() == ["q", "2026-11-02 08:00", "3"]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress], ids=["gzip", "bzip2", "xz"])
def test_compressed_files_are_read(tmp_path, compress) -> None:
    text = "agent_id,name\nA1,张伟\n"
    assert read_text(_file(tmp_path, compress(text.encode()), "a.csv.z")) == text


def test_inflating_stops_at_the_limit_not_after(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("forecasting.file_text.MAX_TEXT_BYTES", 4 << 20)
    bomb = gzip.compress(b"0" * (64 << 20))
    reads = []
    original = gzip.GzipFile.read

    def counting(self, size=-1):
        data = original(self, size)
        reads.append(len(data))
        return data

    monkeypatch.setattr(gzip.GzipFile, "read", counting)
    with pytest.raises(InputError, match="inflates past 4 MiB"):
        read_text(_file(tmp_path, bomb, "bomb.csv.gz"))
    assert sum(reads) <= (4 << 20) + (1 << 20)  # one chunk past the limit at most


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("forecasting.file_text.MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match="the limit is"):
        read_text(_file(tmp_path, b"a,b\n" * 1000))
    assert limits.MAX_UPLOAD_MEGABYTES * 2**20 <= limits.MAX_FILE_BYTES
