"""An input file's text, read safely: size limits, bounded decompression and a decided (never guessed) encoding.

Compressed files (gzip, bzip2, xz, a one-member zip) are inflated in chunks and refused as soon as the text passes
`MAX_TEXT_BYTES`, so a compression bomb costs at most that much memory. Text is UTF-8 (with or without BOM) or
UTF-16 with a BOM; anything else is identified among the encodings planners' tools export (GBK/GB18030, Windows-1252
/ Latin-1, Big5, Shift-JIS): only an encoding that decodes the whole file and reads as plausible text is used,
otherwise the file is refused with its name, never decoded into mojibake.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from wfm.errors import InputError
from wfm.limits import MAX_FILE_BYTES, MAX_TEXT_BYTES

_CHUNK_BYTES = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Candidate encodings for text that is not UTF-8 (ties between them: _TIE_ORDER in detect_legacy_encoding).
_LEGACY_ENCODINGS = ("gb18030", "cp1252", "big5", "cp932")
_OPENERS: dict[bytes, tuple[str, Callable[[BinaryIO], BinaryIO]]] = {
    b"\x1f\x8b": ("gzip", lambda raw: gzip.GzipFile(fileobj=raw)),
    b"BZh": ("bzip2", lambda raw: bz2.BZ2File(raw)),
    b"\xfd7zXZ\x00": ("xz", lambda raw: lzma.LZMAFile(raw)),  # noqa: SIM115
}
_ZIP_MAGIC = b"PK\x03\x04"


def megabytes(size_bytes: int) -> str:
    """A byte count in MiB for messages."""
    return f"{size_bytes / 2**20:,.0f} MiB"


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, inflated if compressed; refuses files or inflated text larger than the limits."""
    file = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError("is a folder; expected a CSV file", file=file)
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"the file is {megabytes(size)}; the limit is {megabytes(MAX_FILE_BYTES)}", file=file)
        with p.open("rb") as handle:
            head = handle.read(8)
            handle.seek(0)
            if head.startswith(_ZIP_MAGIC):
                return _read_zip(handle, file)
            for magic, (kind, opener) in _OPENERS.items():
                if head.startswith(magic):
                    with opener(handle) as stream:
                        return _inflate(stream, kind, file)
            return _read_limited(handle, file, "")
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except PermissionError:
        raise InputError("cannot read the file (permission denied)", file=file) from None
    except IsADirectoryError:
        raise InputError("is a folder; expected a CSV file", file=file) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=file) from None


def _read_limited(stream: BinaryIO, file: str, kind: str) -> bytes:
    """Read a stream in chunks, refusing it once it passes MAX_TEXT_BYTES."""
    buffer = io.BytesIO()
    while chunk := stream.read(_CHUNK_BYTES):
        buffer.write(chunk)
        if buffer.tell() > MAX_TEXT_BYTES:
            what = f"the {kind} data inflates" if kind else "the file is"
            raise InputError(f"{what} past {megabytes(MAX_TEXT_BYTES)}, the limit for one file; refused", file=file)
    return buffer.getvalue()


def _inflate(stream: BinaryIO, kind: str, file: str) -> bytes:
    """Decompress a stream with the size limit; damaged data and nested compression are refused."""
    try:
        data = _read_limited(stream, file, kind)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        raise InputError(f"the {kind} data is damaged ({exc})", file=file) from None
    if data.startswith((*_OPENERS, _ZIP_MAGIC)):
        raise InputError(f"the {kind} data holds another compressed file; compress a CSV file only once", file=file)
    return data


def _read_zip(handle: BinaryIO, file: str) -> bytes:
    """The one CSV member of a zip archive (an Excel workbook is named as such and refused)."""
    try:
        archive = zipfile.ZipFile(handle)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise InputError(f"the zip archive is damaged ({exc})", file=file) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" in names:
        raise InputError(
            "this is an Excel or Office workbook, not a CSV file; save the sheet as CSV (UTF-8)", file=file
        )
    if len(members) != 1:
        raise InputError(f"the zip archive holds {len(members)} files; expected exactly one CSV file", file=file)
    with archive.open(members[0]) as member:
        return _inflate(member, "zip", file)


def decode(raw: bytes, file: str) -> str:
    """Text from bytes: UTF-8 (BOM or not), UTF-16 with BOM, else a detected legacy encoding, else refused."""
    if raw.startswith(_UTF8_BOM):
        return _strict(raw[len(_UTF8_BOM) :], "utf-8", file)
    if raw.startswith(_UTF16_BOMS):
        return _strict(raw, "utf-16", file)
    if b"\x00" in raw[:65536]:
        utf16 = _utf16_without_bom(raw)
        if utf16 is None:
            raise InputError(
                "the file holds binary data (NUL bytes), not text; expected a CSV file saved as UTF-8", file=file
            )
        return _strict(raw, utf16, file)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        encoding = detect_legacy_encoding(raw)
        if encoding is None:
            raise undecodable(raw, utf8_error, file) from None
        return raw.decode(encoding)


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when raw looks like UTF-16 text without a BOM (a zero byte beside nearly every
    ASCII character, as Excel's "Unicode text" writes it), else None."""
    sample = raw[: 1 << 16]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / (len(sample) // 2)
    odd_zero = sample[1::2].count(0) / (len(sample) // 2)
    if odd_zero > 0.7 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.7 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def detect_legacy_encoding(raw: bytes) -> str | None:
    """The legacy encoding that decodes all of raw and reads as the most plausible text (see `plausibility`, at
    least 90 %), or None. Ties go to Windows-1252, then GBK, Big5 and Shift-JIS: Chinese words of two or more
    characters never read as plausible Latin text, while two accented Latin letters can read as one Chinese
    character. (charset-normalizer was measured on short CSV cells and misread them: GBK names as Shift-JIS
    half-width katakana, Latin-1 names as Baltic cp775, so it is not used.)
    """
    scores = {e: plausibility(t, e) for e in _LEGACY_ENCODINGS if (t := _decoded(raw, e)) is not None}
    plausible = [e for e in _TIE_ORDER if scores.get(e, 0.0) >= _PLAUSIBLE_SHARE]
    return max(plausible, key=lambda e: scores[e]) if plausible else None


_TIE_ORDER = ("cp1252", "gb18030", "big5", "cp932")
_PLAUSIBLE_SHARE = 0.9
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_LATIN_PUNCTUATION = set("€‚„…†‡ˆ‰‹‘’“”•–—˜™›\xa0¡¢£¥§©«®°±²³´µ¶·¹º»¼½¾¿")


def plausibility(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that look like real text in that encoding (1.0 with none).

    GBK: common Chinese characters (GB2312) and CJK punctuation, not a lone character inside a Latin word (that
    is two accented Latin letters read as one Chinese character). Windows-1252: Latin letters next to ASCII
    letters in runs of at most three, and the usual punctuation standing alone. Big5: CJK characters. Shift-JIS:
    kana and CJK characters (half-width katakana are what other encodings look like when misread as Shift-JIS).
    """
    good = total = 0
    for run in _NON_ASCII_RUN.finditer(text):
        before = text[run.start() - 1] if run.start() > 0 else ""
        after = text[run.end()] if run.end() < len(text) else ""
        in_word = before.isascii() and before.isalpha() and after.isascii() and after.isalpha()
        chars = run.group()
        total += len(chars)
        good += sum(_plausible_char(c, encoding, len(chars), in_word, before, after) for c in chars)
    return 1.0 if total == 0 else good / total


def _plausible_char(c: str, encoding: str, run_length: int, in_word: bool, before: str, after: str) -> bool:
    """Whether one decoded non-ASCII character looks right (see plausibility)."""
    cjk = "\u4e00" <= c <= "\u9fff"
    punctuation = "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e"
    if encoding == "gb18030":
        return (punctuation or (cjk and _in_gb2312(c))) and not (in_word and run_length == 1)
    if encoding == "cp1252":
        if run_length > 3:
            return False
        next_to_letter = any(n.isascii() and n.isalpha() for n in (before, after))
        return (c in _LATIN_PUNCTUATION and run_length == 1) or (c.isalpha() and next_to_letter)
    if encoding == "big5":
        return cjk or punctuation
    return cjk or punctuation or "\u3040" <= c <= "\u30ff"


def _in_gb2312(c: str) -> bool:
    """Whether a character is in GB2312 (the common simplified Chinese set)."""
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _decoded(raw: bytes, encoding: str) -> str | None:
    """raw decoded strictly, or None."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _strict(raw: bytes, encoding: str, file: str) -> str:
    """Decode strictly, turning a failure into an InputError at its row."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise undecodable(raw, exc, file) from None


def undecodable(raw: bytes, exc: UnicodeDecodeError, file: str) -> InputError:
    """An InputError pointing at the row and column holding the first undecodable byte."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    row = raw.count(b"\n", 0, exc.start) + 1
    header_line = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r\ufeff")
    field = raw.count(b",", line_start, exc.start)
    names = [h.strip() for h in header_line.split(",")]
    column = names[field] if row > 1 and field < len(names) else None
    return InputError(
        f"byte 0x{raw[exc.start]:02x} cannot be decoded and the file's encoding is not one of UTF-8, GBK, "
        "Windows-1252, Big5 or Shift-JIS; save the file as UTF-8",
        file=file,
        row=row,
        column=column,
    )


def read_text(path: str | Path) -> str:
    """The file's text: inflated if compressed (bounded), decoded by the rules of `decode`."""
    return decode(read_bytes(path), str(path))
