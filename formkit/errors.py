"""One error hierarchy for everything formkit refuses to do.

Core code raises these; only ``formkit.cli`` turns them into a message on stderr and
exit status 1 (Click's own usage errors exit 2). Every message is written for the person
who runs the command: what is wrong, where (file, record id, field), and what to do.
Messages never contain a personal number: they name the record id instead.
"""

from __future__ import annotations

from dataclasses import dataclass


class FormkitError(Exception):
    """Base class: a problem in the data, a template or the environment (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, with where it is."""

    path: str  # e.g. "clients[3].address.postcode" or a template paragraph
    message: str
    line: int | None = None  # 1-based line in the file, when known
    record: str | None = None  # the record the path is in, e.g. "klient b-003"

    def __str__(self) -> str:
        where = self.path or "(hela filen)"
        details = [d for d in (self.record, f"rad {self.line}" if self.line is not None else None) if d]
        if details:
            where = f"{where} ({', '.join(details)})"
        return f"{where}: {self.message}"


class PackageError(ValueError):
    """Raised by ``formkit.xlsxpkg`` when bytes are not an .xlsx package it can edit; the caller
    words the message for the user (a damaged board, a template that is not a workbook). Never
    reaches the CLI."""


class MissingColumn(LookupError):
    """Raised by ``formkit.xlsxpkg.grid.translate`` when a formula points at a column whose
    heading is not on the sheet it moves to; the board keeps such a formula as text in the notes.
    Never reaches the CLI."""

    def __init__(self, header: str):
        super().__init__(header)
        self.header = header


class FieldRuleError(ValueError):
    """Raised inside a case-file model by a rule over several fields of one record; pydantic
    collects it like any other error, and the problem is reported at ``field`` of the record
    (``open_care[3].ended``), not at the record as a whole. Never reaches the CLI."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class ProblemListError(FormkitError):
    """A file with one or more problems, all reported at once."""

    what = "Filen"

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        n = len(problems)
        head = f"{self.what} {source} har {n} {'fel' if n == 1 else 'fel'}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in problems)]))


class CaseFileError(ProblemListError):
    """Raised when the case file cannot be read or breaks the format's rules."""

    what = "Ärendefilen"


class ClientListError(ProblemListError):
    """Raised when a coordinator's own client list (xlsx/csv) cannot be used."""

    what = "Klientlistan"


class TemplateError(ProblemListError):
    """Raised when a template cannot be read, compiled or rendered."""

    what = "Mallen"


class NotesFileError(ProblemListError):
    """Raised when a stödperson's notes file for the terminssamtal minutes cannot be used."""

    what = "Anteckningsfilen"


class DataError(FormkitError):
    """Raised when valid-looking data cannot be used for a document (e.g. a control
    character that Word cannot hold), naming the record and field."""


class OutputError(FormkitError):
    """Raised when the output cannot be written (read-only folder, full disk, file open
    in another program). Nothing half-written is left behind."""


class WorkerDied(FormkitError):
    """Raised when a worker process of a batch ended before it sent the results it had taken on
    (killed, or out of memory); the batch stops and nothing is written."""

    def __init__(self) -> None:
        super().__init__("En av processerna som gör filerna avslutades innan den var klar (till exempel för att datorn "
                         "fick slut på minne, eller för att den stoppades). Inget har skrivits; mappen är som förut. "
                         "Kör kommandot igen.")


class UsageError(FormkitError):
    """Raised when options that each make sense do not go together (exit 2, like Click's own
    usage errors); the message says which option to change."""

    exit_code = 2


class ConverterMissing(FormkitError):
    """Raised when --pdf is asked for but LibreOffice (soffice) is not installed."""


class ConversionError(FormkitError):
    """Raised when LibreOffice ran but did not produce the expected PDF files."""


class BoardFileError(FormkitError):
    """Raised when an existing follow-up board cannot be read back (damaged, not a workbook),
    so its notes cannot be carried over; the message points to the backups."""


class RequestRefused(FormkitError):
    """Raised by the web page for a request it will not serve (wrong host, no token, no CSRF
    token, a path outside the chosen folder, an upload too big or of the wrong kind);
    ``status`` is the HTTP status shown with the Swedish message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class ServerError(FormkitError):
    """Raised when the web page cannot start (the port is taken, the folder does not exist)."""


class PreviewReady(Exception):
    """Raised by the web page's preview sink inside a family's producer as soon as the first
    document exists, to stop the batch there; caught in ``formkit.web.preview``, never shown."""


# --- raised inside the docx engine and worded there as a TemplateError --------------------------

class LimitExceeded(Exception):
    """Raised while a template renders when it asks for more work than a letter can need (a
    loop, a number, a text or the output too big; see ``formkit.docx.limits``). The renderer
    turns it into a TemplateError naming the template and the record; ``str()`` is the Swedish
    reason."""


class WorkbookReadError(Exception):
    """Raised by ``case.xlsxgrid`` when an .xlsx cannot be read as a workbook (not a zip, a zip
    bomb, damaged XML, too many rows); ``str()`` is the Swedish reason. The case reader words
    it as a CaseFileError."""


class PackageTooLarge(Exception):
    """Raised when a .docx's zip directory promises more than a template can hold (a zip bomb,
    too many members); ``str()`` says what, in Swedish. Read as a TemplateError."""
