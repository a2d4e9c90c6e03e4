"""What the user chose, as one frozen object per family, built once by the CLI (or the web page).

Every family's ``plan(case, options)`` takes a subclass of ``Options``; the fields common to all
live here so the CLI defines ``--templates`` and ``--date`` once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Options:
    """``templates``: the user's own templates folder (by file name, wins over the bundled);
    ``today``: the document date (``--date``/``--at``; the day the command runs by default)."""

    templates: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)
