"""The Flask application: the guard on every request, and the pages in the order a user
thinks — choose the case file, see the check, choose a job, look at the first document, make
the batch, download it — plus the templates page.

``create_app(state)`` is the factory (the tests build one with a ``State`` of their own).
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from formkit import templates as template_files
from formkit.board.boards import board_path
from formkit.check import template_problems
from formkit.example import TEMPLATE_FOLDER
from formkit.errors import FormkitError, RequestRefused, UsageError
from formkit.kvalitet.rows import teams
from formkit.letters.batch import LETTER_NAMES
from formkit.meetings.forms import KIND_NAMES
from formkit.output import write_file
from formkit.web import jobs, runs
from formkit.web.guard import (
    CASE_SUFFIXES, Upload, case_files, check_host, check_no_parent_parts, check_upload, inside, same, save_private,
)
from formkit.web.preview import make_preview
from formkit.web.state import Session, State, choose_case, recheck

EXTENSION = "formkit"
FAMILY_HEADINGS = {"letters": "Brev", "forms": "Blanketter", "sheets": "Excelmallar"}


def create_app(state: State) -> Flask:
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=state.max_upload, SECRET_KEY=secrets.token_bytes(32))
    app.extensions[EXTENSION] = state
    app.before_request(_guard)
    app.after_request(_headers)
    app.register_error_handler(RequestRefused, _refused)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.context_processor(lambda: {"csrf": g.session.csrf if "session" in g else ""})
    app.jinja_env.globals.update(letter_names=LETTER_NAMES, kind_names=KIND_NAMES,
                                 appendix_names=jobs.APPENDIX_NAMES, role_order=_roles())
    _routes(app)
    return app


def _roles() -> list[tuple[str, list[jobs.Job]]]:
    order: dict[str, list[jobs.Job]] = {}
    for job in jobs.JOBS:
        order.setdefault(job.role, []).append(job)
    return list(order.items())


def state() -> State:
    found: State = current_app.extensions[EXTENSION]
    return found


def cookie_name() -> str:
    """One cookie per port: cookies are shared by every port of 127.0.0.1."""
    return f"formkit_{state().port}"


# --- the guard ---------------------------------------------------------------------------------

def _guard() -> BaseResponse | None:
    """Host, ``..``, token or session, CSRF and Origin: before any view runs."""
    st = state()
    st.last_seen = time.monotonic()
    check_host(request.host, st.port)
    check_no_parent_parts(request.path, *request.args.values())
    token = request.args.get("token")
    if token is not None:
        if not same(token, st.token):
            raise RequestRefused("Länken är inte giltig. Öppna länken som formkit skrev ut när sidan startades.", 403)
        session = st.new_session()
        response = redirect(url_for("home"))
        response.set_cookie(cookie_name(), session.id, httponly=True, samesite="Strict", path="/")
        return response
    session = st.sessions.get(request.cookies.get(cookie_name(), ""))
    if session is None:
        raise RequestRefused("Öppna sidan med länken som formkit skrev ut när den startades (den innehåller en "
                             "engångsnyckel). Utan den visas ingenting, för att skydda personuppgifterna.", 403)
    g.session = session
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is not None and origin not in {f"http://{h}" for h in (f"127.0.0.1:{st.port}", f"localhost:{st.port}")}:
            raise RequestRefused("Formuläret kom från en annan webbplats och togs inte emot.", 403)
        if not same(request.form.get("csrf"), session.csrf):
            raise RequestRefused("Formuläret saknar sin säkerhetsnyckel (det kan vara gammalt). Ladda om sidan och försök igen.", 403)
        check_no_parent_parts(*request.form.values())
    return None


def _headers(response: Response) -> Response:
    """Nothing cached, nothing framed, nothing fetched from elsewhere."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"  # no-referrer would make Origin "null"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                                   "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
    return response


def _refused(exc: RequestRefused) -> tuple[str, int]:
    return render_template("refused.html", message=str(exc)), exc.status


def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    limit = state().max_upload
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} kB"
    return render_template("refused.html", message=f"Filen är för stor: högst {size} tas emot. "
                           "Välj rätt fil (en ärendefil, en mall eller en tavla)."), 413


# --- helpers -------------------------------------------------------------------------------

def session() -> Session:
    found: Session = g.session
    return found


def _upload(field: str, suffixes: tuple[str, ...], what: str) -> Path | None:
    """The uploaded file in ``field`` saved privately (0600), or one uploaded on the page
    before (``field`` names it in a hidden field after a preview)."""
    s = session()
    stored = request.form.get(f"{field}_ref")
    if stored:
        if stored not in s.uploads:
            raise RequestRefused("Den uppladdade filen finns inte längre; ladda upp den igen.")
        return s.uploads[stored]
    file: FileStorage | None = request.files.get(field)
    if file is None or not file.filename:
        return None
    path = save_private(s.workdir, check_upload(file.filename, file.read(), suffixes, what))
    key = secrets.token_urlsafe(9)
    s.uploads[key] = path
    g.upload_refs = {**getattr(g, "upload_refs", {}), f"{field}_ref": key}
    return path


def _home(status: int = 200, **extra: Any) -> tuple[str, int]:
    st, s = state(), session()
    if s.case_path is None:
        return render_template("choose.html", files=case_files(st.folder), folder=st.folder, **extra), status
    return render_template("home.html", s=s, folder=st.folder, today=dt.date.today().isoformat(),
                           units=jobs.home_care_units(s.case) if s.case else {},
                           support_people=jobs.people(s.case, "support_person") if s.case else {},
                           assessors=jobs.people(s.case, "assessor") if s.case else {},
                           teams=list(teams(s.case)) if s.case else [],
                           all_units={u.id: u.name for u in s.case.units} if s.case else {},
                           years=[dt.date.today().year, dt.date.today().year + 1],
                           clients=s.case.clients if s.case else [], **extra), status


def _plan(job: jobs.Job) -> tuple[Any, runs.Run, bool]:
    """The family's output for the submitted form, the run that will write it, and --pdf."""
    st, s = state(), session()
    case = s.case
    if case is None:
        raise UsageError("Ärendefilen har fel; rätta dem först.")
    form, today, templates = request.form, dt.date.today(), st.templates
    folder, shown, in_chosen = st.out, str(st.out), True
    if job.key == "brukarbrev":
        options: Any = jobs.letter_options(case, form, today, templates)
    elif job.key == "moten":
        options = jobs.meeting_options(case, form, today, templates)
    elif job.key == "minnesanteckningar":
        notes = _upload("notes", (".yaml", ".yml"), "en anteckningsfil")
        if notes is None:
            raise UsageError("Välj din anteckningsfil (.yaml) innan du klickar.")
        options = jobs.minutes_options(form, notes, today, templates)
    elif job.key == "oppenvard":
        options = jobs.open_care_options(form, today, templates, s.case_name)
    elif job.key == "kvalitet":
        options = jobs.quality_options(case, form, st.out, today, templates)
    elif job.key == "arshjul":
        options = jobs.year_options(case, form, st.out, today, templates, s.case_name)
    else:
        uploaded = _upload("board", (".xlsx",), "en uppföljningstavla")
        if uploaded is not None:
            options = jobs.board_options(case, form, uploaded.parent, templates)
            if options.assessor is None:
                raise UsageError("Välj vems tavla du laddar upp (biståndshandläggare) och försök igen.")
            target = board_path(uploaded.parent, options.assessor)
            if uploaded != target:
                uploaded.rename(target)
                s.uploads = {k: (target if v == uploaded else v) for k, v in s.uploads.items()}
            folder, shown, in_chosen = uploaded.parent, "", False
        else:
            options = jobs.board_options(case, form, st.out, templates)
    output = job.plan(case, options)
    run = runs.Run(output.title, folder, shown, in_chosen)
    return output, run, form.get("pdf") == "ja"


# --- the pages -----------------------------------------------------------------------------

def _routes(app: Flask) -> None:  # noqa: C901 (one place that lists every page)
    @app.get("/")
    def home() -> tuple[str, int]:
        return _home()

    @app.post("/arende/valj")
    def choose() -> BaseResponse:
        st = state()
        name = request.form.get("fil", "")
        path = inside(st.folder, name)
        if path.parent != st.folder.resolve() or path.suffix.lower() not in CASE_SUFFIXES or not path.is_file():
            raise RequestRefused("Välj en ärendefil (.yaml eller .xlsx) i listan.")
        choose_case(st, session(), path, path.name, uploaded=False)
        return redirect(url_for("home"))

    @app.post("/arende/ladda-upp")
    def upload_case() -> BaseResponse | tuple[str, int]:
        file = request.files.get("fil")
        upload = check_upload(file.filename if file else None, file.read() if file else b"", CASE_SUFFIXES, "en ärendefil")
        path = save_private(session().workdir, upload)
        choose_case(state(), session(), path, upload.name, uploaded=True)
        return redirect(url_for("home"))

    @app.post("/arende/byt")
    def change_case() -> BaseResponse:
        s = session()
        s.case_path, s.case, s.case_name = None, None, ""
        return redirect(url_for("home"))

    @app.post("/arende/kontrollera")
    def check_again() -> BaseResponse:
        recheck(state(), session())
        return redirect(url_for("home"))

    @app.post("/jobb/<key>")
    def job(key: str) -> BaseResponse | tuple[str, int]:
        found = jobs.BY_KEY.get(key)
        if found is None:
            abort(404)
        s = session()
        if key in s.blocked:
            return _home(409, job_errors={key: s.blocked[key]})
        try:
            output, run, pdf = _plan(found)
            if request.form.get("action") == "preview":
                preview = make_preview(output, s.workdir)
                preview_id = secrets.token_urlsafe(9)
                if preview is not None:
                    s.previews[preview_id] = preview
                fields = {k: v for k, v in request.form.items() if k not in ("csrf", "action")}
                fields.update(getattr(g, "upload_refs", {}))
                return render_template("preview.html", job=found, preview=preview, preview_id=preview_id,
                                       fields=fields, output=output, s=s), 200
        except FormkitError as exc:
            return _home(422, job_errors={key: str(exc)}, open_job=key)
        s.runs[run.id] = run
        runs.start(run, output, pdf=pdf)
        return redirect(url_for("run_page", run_id=run.id))

    @app.get("/korning/<run_id>")
    def run_page(run_id: str) -> tuple[str, int]:
        run = session().runs.get(run_id) or abort(404)
        return render_template("run.html", run=run, s=session()), 200

    @app.get("/korning/<run_id>/status")
    def run_status(run_id: str) -> Response:
        run = session().runs.get(run_id) or abort(404)
        return jsonify(run.status())

    @app.get("/korning/<run_id>/zip")
    def run_zip(run_id: str) -> Response:
        run = session().runs.get(run_id) or abort(404)
        if run.state != "done" or not run.files:
            abort(404)
        name = f"formkit_{jobs.file_stem(run.title)}_{dt.date.today().isoformat()}.zip"
        return Response(runs.zip_bytes(run), mimetype="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/forhandsvisning/<preview_id>.png")
    def preview_png(preview_id: str) -> Response:
        preview = session().previews.get(preview_id)
        if preview is None or preview.png is None:
            abort(404)
        return Response(preview.png, mimetype="image/png")

    @app.get("/mallar")
    def templates_page() -> tuple[str, int]:
        return _templates()

    @app.get("/mallar/<family>/<name>")
    def template_download(family: str, name: str) -> Response:
        path = _template(family, name)
        return Response(path.read_bytes(), mimetype="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{path.name}"'})

    @app.post("/mallar/<family>/<name>")
    def template_upload(family: str, name: str) -> tuple[str, int]:
        st = state()
        current = _template(family, name)
        if not name.endswith(".docx"):
            raise RequestRefused("Bara Word-mallar (.docx) kan laddas upp här.")
        file = request.files.get("fil")
        upload = check_upload(file.filename if file else None, file.read() if file else b"", (".docx",), "en Word-mall")
        checked = save_private(session().workdir, Upload(name, upload.data))
        problems = template_problems(checked)
        if problems:
            return _templates(422, problems={f"{family}/{name}": problems})
        own = st.folder / TEMPLATE_FOLDER
        target = current if st.templates and st.templates.resolve() in current.resolve().parents else own / family / name
        inside(st.folder, target.relative_to(st.folder).as_posix())
        try:
            write_file(target, upload.data, title="mall")
        except FormkitError as exc:
            return _templates(422, saved={f"{family}/{name}": str(exc)})
        recheck(st, session())
        return _templates(saved={f"{family}/{name}": f"Mallen är kontrollerad och sparad som {target}."})

    @app.post("/avsluta")
    def stop() -> tuple[str, int]:
        st = state()
        if st.stop is not None:
            st.stop()
        return render_template("stopped.html"), 200


def _template(family: str, name: str) -> Path:
    """A template in use, by family and file name (only names formkit knows)."""
    for fam, path in template_files.all_templates(state().templates):
        if fam == family and path.name == name:
            return path
    abort(404)


def _templates(status: int = 200, **extra: Any) -> tuple[str, int]:
    st = state()
    own = st.templates.resolve() if st.templates else None
    rows = [(family, path, own is not None and own in path.resolve().parents)
            for family, path in template_files.all_templates(st.templates)]
    used_by = {name: ", ".join(j.title for j in jobs.JOBS if name in j.templates) for _, path, _ in rows for name in [path.name]}
    present = {fam for fam, _, _ in rows}
    families = [(f, h) for f, h in FAMILY_HEADINGS.items() if f in present] + [(f, f) for f in sorted(present - set(FAMILY_HEADINGS))]
    return render_template("templates.html", rows=rows, own=st.templates, folder=st.folder, s=session(),
                           used_by=used_by, families=families, **extra), status
