"""Opening an Office file (a zip package) from a user without letting it take the machine.

A 3 MB .xlsx or .docx can declare members that unpack to gigabytes (a zip bomb), or a million
members. Python's ``zipfile`` never unpacks more than a member's declared size, so checking
the declared sizes and the compression ratio in the central directory before anything is read
bounds the work. The limits are far above any real case file or template: a workbook of
10,000 clients is under 10 MB unpacked. The docx engine (``docx.package``) and the case
workbook reader (``case.xlsxgrid``) both check through ``package_problem``.

A leaf module: it imports nothing from formkit. It returns problems as Swedish sentences; the
caller wraps them in its own error.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAX_MEMBERS = 5_000
MAX_TOTAL = 300_000_000  # bytes unpacked, all members together
MAX_RATIO = 200  # unpacked / packed for one member; real parts stay well under 100
RATIO_FLOOR = 1_000_000  # a small member may compress as well as it likes

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an .xlsx saved with a password


def package_problem(infos: list[zipfile.ZipInfo], kind: str) -> str | None:
    """Why a package with these members is too big to unpack safely (``kind``: "Word-fil",
    "Excel-arbetsbok"), or None when it is within the limits."""
    if len(infos) > MAX_MEMBERS:
        return f"filen har {len(infos)} delar (högst {MAX_MEMBERS} går)"
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL:
        return f"filen packas upp till {total // 1_000_000} MB (högst {MAX_TOTAL // 1_000_000} MB går)"
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return (f"en del av filen packas upp till {info.file_size // max(info.compress_size, 1)} gånger sin storlek, "
                    f"vilket ingen {kind} gör (en så kallad zipbomb)")
    return None


def open_workbook_package(path: Path) -> zipfile.ZipFile:
    """Open the .xlsx package at ``path`` after checking its sizes.

    Raises ``ValueError`` with a Swedish sentence when it is not a zip package or too big;
    ``OSError`` when it cannot be read at all.
    """
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(OLE_MAGIC):
        raise ValueError("filen är lösenordsskyddad eller sparad i det gamla .xls-formatet; "
                         "öppna den i Excel och spara den utan lösenord som Excel-arbetsbok (.xlsx)")
    if not magic.startswith(ZIP_MAGIC):
        raise ValueError("filen är ingen Excel-arbetsbok (.xlsx); öppna den i Excel och spara den som Excel-arbetsbok")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile):
        raise ValueError("filen är skadad (zip-paketet går inte att läsa); spara den på nytt i Excel") from None
    problem = package_problem([info for info in archive.infolist() if not info.is_dir()], "Excel-arbetsbok")
    if problem:
        archive.close()
        raise ValueError(problem)
    return archive
