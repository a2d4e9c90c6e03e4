"""Make the README's pictures in ``docs/``: the first page of each family's main document,
as formkit prints it for the `formkit init` example (PDF by formkit's own LibreOffice export,
then ``pdftoppm -r 60 -png``).

    python tools/make_pictures.py

Why a script: the pictures show what the templates print today; after a change to a template
the pictures are made again the same way, not by hand. Needs LibreOffice and poppler.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from formkit import pdf  # noqa: E402
from formkit.cli import main  # noqa: E402

DOCS = ROOT / "docs"
# picture name -> (command line after the case file, folder, file pattern, page)
PICTURES = {
    "brukarbrev-1": (["letters", "-n", "1"], "brev", "brukarbrev-1_b-001.docx", 1),
    "terminssamtal-inbjudan": (["meetings", "--kind", "term"], "moten", "terminssamtal-inbjudan_*.docx", 1),
    "manadsuppfoljning": (["meetings", "--kind", "monthly"], "manad", "manadsuppfoljning_*.docx", 1),
    "oppenvard-bilaga-4": (["opencare", "--appendix", "4"], "bilaga-4", "oppenvard-bilaga-4_*[0-9].docx", 1),
}


def run(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(result.output)


def main_() -> int:
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        run("init", str(base / "demo"))
        case = str(base / "demo" / "arenden.yaml")
        chosen = []
        for name, (command, folder, pattern, _page) in PICTURES.items():
            run(command[0], case, *command[1:], "-o", str(base / folder), "-q")
            source = sorted((base / folder).glob(pattern))[0]
            chosen.append(shutil.copy(source, base / f"{name}.docx"))
        for made in pdf.convert([Path(p) for p in chosen]):
            page = str(PICTURES[made.stem][3])
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", page, "-l", page, str(made),
                            str(DOCS / made.stem)], check=True)
            print(f"wrote {DOCS / made.stem}.png ({dt.date.today().isoformat()})")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
