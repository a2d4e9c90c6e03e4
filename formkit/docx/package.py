"""Read a .docx once and write many: a zip writer that reuses the compressed bytes of the
parts that never change.

Most of a .docx (styles, theme, fonts, settings) is the same in every letter made from one
template; only the rendered parts differ. ``Package`` reads the template's members once,
compresses each static member once, and ``Package.to_bytes`` writes a new zip in which only
the changed parts are compressed. This is what makes a thousand letters take a second
instead of a minute; the format written is plain ZIP (no data descriptors, no ZIP64).
"""

from __future__ import annotations

import functools
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from formkit import zipguard
from formkit.errors import PackageTooLarge

try:
    from isal import isal_zlib
except ImportError:  # pragma: no cover  # a platform without its wheel: zlib, the same documents, a little slower
    isal_zlib = None

DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01: reproducible output
DOS_TIME = 0
RECENT_PARTS = 64  # rendered parts kept compressed for the next letter (``Package._member``)
RECENT_PART_SIZE = 4_096  # larger parts (a letter's body) are rarely the same twice
# A template is read whole into memory: a zip bomb (a few MB that unpack to gigabytes) or a
# zip of a million members must be refused from its directory, before anything is unpacked
# (``check_sizes``, with zipguard's limits).


@dataclass(frozen=True, eq=False)
class Member:
    name: str
    data: bytes  # uncompressed
    compressed: bytes  # raw deflate
    crc: int


def _deflate(data: bytes, level: int) -> bytes:
    """Raw deflate, as a zip member holds it. Level 1 (the rendered parts, deflated anew for
    every letter) by ISA-L where its wheel is installed: a letter's document (11 kB) takes 16 µs
    instead of zlib's 69, and comes out a little smaller."""
    if level == 1 and isal_zlib is not None:
        return isal_zlib.compress(data, 1, wbits=-15)
    return zlib.compress(data, level, wbits=-15)


def member(name: str, data: bytes, level: int = 6) -> Member:
    return Member(name, data, _deflate(data, level), zlib.crc32(data))


class Package:
    """The members of one .docx (or any OOXML zip), in their original order."""

    def __init__(self, members: list[Member]):
        self.members = members
        self.by_name = {m.name: m for m in members}
        # rendered parts seen lately, compressed: the letters of one unit share their header
        # and footer text, so each is compressed once (kept small: cleared when full)
        self._recent: dict[tuple[str, bytes], Member] = {}

    @classmethod
    def read(cls, path: Path) -> Package:
        """Read ``path``; raises PackageTooLarge, or zipfile.BadZipFile / KeyError / OSError
        for the caller to word."""
        with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            check_sizes(infos)
            members = []
            for info in infos:
                data = archive.read(info)  # checks the CRC
                deflated = _deflated_bytes(raw, info)
                members.append(Member(info.filename, data, deflated, info.CRC) if deflated is not None
                               else member(info.filename, data))
            return cls(members)

    def text(self, name: str) -> str:
        return self.by_name[name].data.decode("utf-8")

    def to_bytes(self, replaced: dict[str, bytes], added: list[Member] = (), removed: set[str] = frozenset()) -> bytes:  # type: ignore[assignment]
        """The package with ``replaced`` parts swapped in, ``removed`` left out and ``added``
        members appended."""
        entries = [self._member(m.name, replaced[m.name]) if m.name in replaced else m
                   for m in self.members if m.name not in removed] + list(added)
        return write_zip(entries)

    def _member(self, name: str, data: bytes) -> Member:
        if len(data) > RECENT_PART_SIZE:
            return member(name, data, level=1)
        key = (name, data)
        found = self._recent.get(key)
        if found is None:
            if len(self._recent) >= RECENT_PARTS:
                self._recent.clear()
            found = self._recent[key] = member(name, data, level=1)
        return found


def _deflated_bytes(raw: IO[bytes], info: zipfile.ZipInfo) -> bytes | None:
    """A member's deflated bytes as the template holds them, to be copied into every letter
    instead of compressed again (a template's styles alone are close to a megabyte); None
    when it is stored some other way (the caller compresses it)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:  # deflated, not encrypted
        return None
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    data = raw.read(info.compress_size)
    return data if len(data) == info.compress_size else None


def check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose directory declares too many members, too many bytes, or a member
    packed too tightly to be a document part (the limits are ``zipguard``'s, shared with the
    case workbook)."""
    problem = zipguard.package_problem(infos, "Word-fil")
    if problem:
        raise PackageTooLarge(problem)


def write_zip(entries: list[Member]) -> bytes:
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for entry in entries:
        local, central_head, name = _headers(entry)
        central.append(central_head + struct.pack("<I", offset) + name)
        chunks += [local, entry.compressed]
        offset += len(local) + len(entry.compressed)
    directory = b"".join(central)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(chunks) + directory + end


@functools.lru_cache(maxsize=256)
def _headers(entry: Member) -> tuple[bytes, bytes, bytes]:
    """A member's local header (with its name), its central directory entry up to the offset,
    and its name: the same in every letter for the parts no letter changes, so made once."""
    name = entry.name.encode("utf-8")
    flags = 0x800  # names are UTF-8
    local = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04", 20, flags, zipfile.ZIP_DEFLATED, DOS_TIME, DOS_DATE,
        entry.crc, len(entry.compressed), len(entry.data), len(name), 0,
    ) + name
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHI",
        b"PK\x01\x02", 20, 20, flags, zipfile.ZIP_DEFLATED, DOS_TIME, DOS_DATE,
        entry.crc, len(entry.compressed), len(entry.data), len(name), 0, 0, 0, 0, 0,
    )
    return local, central, name
