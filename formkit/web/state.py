"""What the page remembers: the chosen folder, and per browser session the case file, its
check, the runs and previews. Everything lives in memory and in one private working folder
(0700) that ``server`` removes on exit."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from formkit import check as checking
from formkit.case.loading import load_case
from formkit.case.model import Case
from formkit.errors import FormkitError, Problem, ProblemListError
from formkit.example import TEMPLATE_FOLDER
from formkit.web import jobs
from formkit.web.guard import private_folder
from formkit.web.preview import Preview
from formkit.web.runs import Run

OUT_FOLDER = "ut"


@dataclass
class Session:
    """One browser's state; its id is the session cookie, ``csrf`` goes in every form."""

    workdir: Path
    id: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    case_path: Path | None = None
    case_name: str = ""
    uploaded: bool = False
    case: Case | None = None
    case_problems: list[Problem] = field(default_factory=list)
    template_problems: list[Problem] = field(default_factory=list)
    check_message: str = ""
    blocked: dict[str, str] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    previews: dict[str, Preview] = field(default_factory=dict)
    uploads: dict[str, Path] = field(default_factory=dict)


@dataclass
class State:
    """The server's state: the chosen folder, the token, the sessions and the last request."""

    folder: Path
    workdir: Path
    port: int
    token: str
    preselected: Path | None = None
    max_upload: int = 20 * 2**20
    idle_seconds: float = 3600.0
    sessions: dict[str, Session] = field(default_factory=dict)
    last_seen: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: Callable[[], None] | None = None

    @property
    def out(self) -> Path:
        return self.folder / OUT_FOLDER

    @property
    def templates(self) -> Path | None:
        """The user's own templates: ``mallar/`` in the folder, as ``formkit init`` lays it out."""
        own = self.folder / TEMPLATE_FOLDER
        return own if own.is_dir() else None

    def new_session(self) -> Session:
        with self.lock:
            session = Session(private_folder(self.workdir, secrets.token_hex(8)))
            self.sessions[session.id] = session
        if self.preselected is not None:
            choose_case(self, session, self.preselected, self.preselected.name, uploaded=False)
        return session


def choose_case(state: State, session: Session, path: Path, name: str, *, uploaded: bool) -> None:
    """Make ``path`` the session's case file and run the check on it (data, then templates),
    as ``formkit check`` does; the jobs the problems block are worked out at the same time."""
    session.case_path, session.case_name, session.uploaded = path, name, uploaded
    session.runs.clear()
    session.previews.clear()
    recheck(state, session)


def recheck(state: State, session: Session) -> None:
    session.case, session.case_problems, session.template_problems, session.check_message = None, [], [], ""
    if session.case_path is None:
        return
    try:
        session.case = load_case(session.case_path)
    except ProblemListError as exc:
        session.case_problems = exc.problems
    except FormkitError as exc:
        session.case_problems = [Problem("", str(exc))]
    if session.case is not None:
        try:
            session.check_message = checking.check_all(session.case_path, state.templates)
        except ProblemListError as exc:
            session.template_problems = exc.problems
    session.blocked = jobs.blocked(session.case, session.template_problems, state.out)
