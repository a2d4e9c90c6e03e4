"""Where templates are found: the user's own folder first (by file name), then the bundled ones.

The bundled templates live in the top-level ``templates/`` folder of the source tree and are
installed as ``formkit/_templates`` inside the wheel (see pyproject.toml), so both an editable
and a normal install find them.
"""

from __future__ import annotations

from pathlib import Path

from formkit.errors import TemplateError, Problem

FAMILIES = ("letters", "forms", "sheets")


def bundled_dir() -> Path:
    installed = Path(__file__).parent / "_templates"
    if installed.is_dir():
        return installed
    return Path(__file__).parent.parent / "templates"


def find(family: str, filename: str, user_dir: Path | None = None) -> Path:
    """The template ``family/filename``: from ``user_dir`` (flat or by family) or bundled."""
    if user_dir is not None:
        for candidate in (user_dir / filename, user_dir / family / filename):
            if candidate.is_file():
                return candidate
    bundled = bundled_dir() / family / filename
    if bundled.is_file():
        return bundled
    raise TemplateError(filename, [Problem("", f"mallen {family}/{filename} finns varken i din mallmapp eller bland de medföljande mallarna")])


def all_templates(user_dir: Path | None = None) -> list[tuple[str, Path]]:
    """Every template formkit would use, as (family, path), user's versions winning."""
    out: dict[tuple[str, str], Path] = {}
    for family in FAMILIES:
        folder = bundled_dir() / family
        for path in sorted(folder.glob("*.*")) if folder.is_dir() else []:
            if path.suffix in {".docx", ".xlsx"} and not path.name.startswith(("~$", ".~lock")):
                out[(family, path.name)] = find(family, path.name, user_dir)
    return [(family, path) for (family, _), path in sorted(out.items())]


def unused(user_dir: Path | None, used: list[Path]) -> list[Path]:
    """The .docx/.xlsx files in ``user_dir`` (flat or by family) that no command would use."""
    if user_dir is None:
        return []
    taken = {path.resolve() for path in used}
    found = [p for p in sorted(user_dir.glob("*.*")) + sorted(user_dir.glob("*/*.*"))
             if p.suffix in {".docx", ".xlsx"} and not p.name.startswith(("~$", ".~lock"))]
    return [p for p in found if p.resolve() not in taken]
