"""Run the page: 127.0.0.1 only, a free port (or the one asked for), the browser opened at the
URL with its token, stopped by Ctrl-C, by the page's Stäng button or after an idle time; the
private working folder is removed on the way out, whatever the reason."""

from __future__ import annotations

import errno
import logging
import shutil
import socket
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from formkit.errors import ServerError
from formkit.web.app import create_app
from formkit.web.guard import new_token
from formkit.web.state import State

HOST = "127.0.0.1"
IDLE_SECONDS = 2 * 60 * 60


def prepare(target: Path) -> tuple[Path, Path | None]:
    """The folder to work in and the case file to open first: ``formkit web demo`` or
    ``formkit web demo/arenden.yaml``."""
    if target.is_file():
        return target.resolve().parent, target.resolve()
    if target.is_dir():
        return target.resolve(), None
    raise ServerError(f"{target} finns inte. Ange en mapp (t.ex. den som 'formkit init' skapade) eller en ärendefil.")


def bind(port: int) -> tuple[BaseWSGIServer, State, Path]:
    """The server on ``port`` (0: any free one) with a fresh state and private working folder."""
    workdir = Path(tempfile.mkdtemp(prefix="formkit-web-"))  # 0700 by mkdtemp
    state = State(folder=Path("."), workdir=workdir, port=port, token=new_token())
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((HOST, port))  # bound here, not by werkzeug, which exits the process on a busy port
        listener.listen(64)
    except OSError as exc:
        listener.close()
        shutil.rmtree(workdir, ignore_errors=True)
        if exc.errno == errno.EADDRINUSE:
            raise ServerError(f"Port {port} används redan av ett annat program. Välj en annan med --port, "
                              "eller utelämna --port så väljs en ledig.") from None
        raise ServerError(f"Kunde inte starta sidan på port {port}: {exc.strerror or exc}.") from None
    state.port = listener.getsockname()[1]
    server = make_server(HOST, state.port, create_app(state), threaded=True, fd=listener.fileno())
    listener.close()  # the server holds its own duplicate of the socket
    return server, state, workdir


def _quiet_excepthook(args: threading.ExceptHookArgs) -> None:
    """A bug in a batch's thread: one line with the kind of error, never a traceback (its
    values may hold personal data); the page tells the user."""
    logging.getLogger("formkit.web").error("ett oväntat fel i en körning: %s", args.exc_type.__name__)


def serve(target: Path, *, port: int = 0, open_browser: bool = True, announce: Callable[[str], None],
          idle_seconds: float = IDLE_SECONDS) -> None:
    """Serve until Ctrl-C, the Stäng button or ``idle_seconds`` without a request."""
    folder, case = prepare(target)
    server, state, workdir = bind(port)
    state.folder, state.preselected, state.idle_seconds = folder, case, idle_seconds
    state.stop = lambda: threading.Thread(target=server.shutdown, daemon=True).start()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # request lines hold the token: never logged
    threading.excepthook = _quiet_excepthook
    url = f"http://{HOST}:{state.port}/?token={state.token}"
    stopped = threading.Event()

    def watch_idle() -> None:
        while not stopped.wait(min(30.0, idle_seconds)):
            if time.monotonic() - state.last_seen > idle_seconds:
                server.shutdown()
                return

    threading.Thread(target=watch_idle, name="formkit-idle", daemon=True).start()
    try:
        announce(url)
        if open_browser:
            webbrowser.open(url)
        server.serve_forever()
    finally:
        stopped.set()
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
