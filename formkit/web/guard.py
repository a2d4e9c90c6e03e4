"""What keeps the page safe for personal data on a shared workstation.

- Loopback only: the server binds 127.0.0.1, and a request whose ``Host`` is not
  ``127.0.0.1:PORT`` or ``localhost:PORT`` is refused (a web page elsewhere cannot reach the
  server through DNS rebinding).
- A random token in the URL that formkit prints opens the page once per browser; from then on a
  session cookie (HttpOnly, SameSite=Strict) is required on every request.
- Every form carries the session's CSRF token; a POST without it is refused.
- Uploads are size-limited (Flask's ``MAX_CONTENT_LENGTH``) and type-checked by content: a
  .xlsx/.docx must be a zip package, a .yaml must be UTF-8 text.
- Every path the page reads or writes is resolved and must lie inside the chosen folder (or the
  private working folder); a ``..`` anywhere in a request's path or parameters is refused.
"""

from __future__ import annotations

import hmac
import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from formkit.errors import RequestRefused as Refused

ZIP_MAGIC = b"PK\x03\x04"
CASE_SUFFIXES = (".yaml", ".yml", ".xlsx")
PACKAGE_SUFFIXES = (".xlsx", ".docx")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a secret (token, cookie, CSRF)."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def allowed_hosts(port: int) -> set[str]:
    return {f"127.0.0.1:{port}", f"localhost:{port}"}


def check_host(host: str, port: int) -> None:
    if host.lower() not in allowed_hosts(port):
        raise Refused("Sidan visas bara på den här datorn (127.0.0.1). Öppna länken som formkit skrev ut.", 403)


def check_no_parent_parts(*values: str) -> None:
    """Refuse ``..`` as a part of any path-like value (URL path, query or form field)."""
    for value in values:
        parts = value.replace("\\", "/").split("/")
        if any(part == ".." for part in parts):
            raise Refused("Sökvägar med '..' är inte tillåtna: sidan läser och skriver bara i den valda mappen.")


def inside(folder: Path, name: str) -> Path:
    """``folder/name`` resolved, refused unless it stays inside ``folder`` (links followed)."""
    check_no_parent_parts(name)
    if not name or PurePosixPath(name.replace("\\", "/")).is_absolute():
        raise Refused("Ange en fil i den valda mappen.")
    root = folder.resolve()
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        raise Refused("Filen ligger utanför den valda mappen och kan inte användas.")
    return path


def case_files(folder: Path) -> list[str]:
    """The case files the user can pick in ``folder`` (top level, not Office lock files)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in CASE_SUFFIXES and not p.name.startswith(("~$", ".~lock", ".")))


@dataclass(frozen=True)
class Upload:
    """An uploaded file that passed the checks: its (sanitised) name and bytes."""

    name: str
    data: bytes


def check_upload(filename: str | None, data: bytes, suffixes: tuple[str, ...], what: str) -> Upload:
    """The upload if its name ends in one of ``suffixes`` and its content is what that suffix
    promises; otherwise a Swedish message naming ``what`` was expected."""
    name = Path((filename or "").replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    expected = " eller ".join(suffixes)
    if not name or not data:
        raise Refused(f"Välj en fil ({what}, {expected}) innan du klickar.")
    if suffix not in suffixes:
        raise Refused(f"{name} är inte {what}: filen ska sluta på {expected}.", 415)
    if suffix in PACKAGE_SUFFIXES:
        if not data.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(io.BytesIO(data)):
            raise Refused(f"{name} är ingen riktig {suffix}-fil (den går inte att öppna som Office-fil). "
                          f"Spara den på nytt från Word eller Excel och försök igen.", 415)
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"{name} är inte text i UTF-8. Spara filen som UTF-8 (i Anteckningar: "
                          "Spara som → Kodning UTF-8) och försök igen.", 415) from None
    safe = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name).strip(" .") or f"fil{suffix}"
    return Upload(safe, data)


def private_folder(parent: Path, name: str) -> Path:
    """A new folder only the user can open (0700)."""
    path = parent / name
    path.mkdir(mode=0o700)
    return path


def save_private(folder: Path, upload: Upload) -> Path:
    """Write an upload into a private folder as a 0600 file of its own; returns the path."""
    target = private_folder(folder, secrets.token_hex(8)) / upload.name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(upload.data)
    return target
