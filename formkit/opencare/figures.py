"""Every figure of öppenvård bilaga 4, computed in one place so that it can be tested.

The routine (seed 004) asks, three times a year: which insatser, the age and gender of the
clients, the problems and help needs identified at the start, whether the insats met the
client's needs, the client's situation afterwards, and which insatser were interrupted. The
xlsx and docx versions of bilaga 4 only lay out what this module returns; no template decides a
number.

Who is counted where (written out in the outputs too):

* *active* insatser: started on or before the last day of the period and not ended before its
  first day. "Which insatser", gender and age (unique clients) are counted over these.
* *started* insatser: started in the period. Problems at the start are counted over these.
* *ended* insatser: status completed or interrupted with an end date in the period. Needs met
  and situation afterwards are counted over these; interrupted ones also go to "Avbrutna".

Small counts are suppressed by ``formkit.smallcounts`` (shared with the assessors' quality
file): a count below the threshold is shown as "<threshold" (zeros too, beside a total), and
more rows are hidden as "x" until no hidden row can be worked out from the total.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from formkit.case.model import Case, Client, OpenCare
from formkit.errors import DataError
from formkit.periods import TERM_MONTHS, TERMS, Period  # noqa: F401 (re-exported: the CLI parses --period)
from formkit.smallcounts import DEFAULT_THRESHOLD, SECONDARY_MARK, Cell, suppress

GENDERS = [("female", "Kvinnor"), ("male", "Män"), ("other", "Annan könstillhörighet"), ("unknown", "Okänt kön")]
AGE_BANDS = [(0, 17, "0–17 år"), (18, 24, "18–24 år"), (25, 44, "25–44 år"), (45, 64, "45–64 år"), (65, 200, "65 år och äldre")]
UNKNOWN_AGE = "Okänd ålder"
NEEDS = [("yes", "Ja"), ("partly", "Delvis"), ("no", "Nej"), (None, "Uppgift saknas")]
SITUATIONS = [("improved", "Förbättrad"), ("unchanged", "Oförändrad"), ("worsened", "Försämrad"), (None, "Uppgift saknas")]
NO_PROBLEM = "Inget problem angivet"


# --- which insatser a period counts ---------------------------------------------------------

def active(case: Case, period: Period) -> list[OpenCare]:
    return [o for o in case.open_care if o.started <= period.end and (o.ended is None or o.ended >= period.start)]


def started(case: Case, period: Period) -> list[OpenCare]:
    return [o for o in case.open_care if period.contains(o.started)]


def ended(case: Case, period: Period) -> list[OpenCare]:
    return [o for o in case.open_care if o.status != "ongoing" and o.ended is not None and period.contains(o.ended)]


# --- cells and figures ---------------------------------------------------------------------

@dataclass
class Column:
    """One period's counts in a figure: one cell per row, and the total when rows add up."""

    cells: list[Cell]
    total: Cell | None
    basis: Cell  # how many insatser or clients the column is about


@dataclass
class Figure:
    key: str  # short id, also the sheet name stem
    title: str  # the routine's question, as a heading
    basis_text: str  # who is counted, in Swedish
    unit: str  # "insatser" or "klienter"
    row_header: str  # heading of the label column, e.g. "Insats"
    rows: list[str]
    current: Column
    previous: Column | None  # None when there is nothing to compare with
    additive: bool  # rows add up to the total (one row per insats/client)
    note: str = ""

    @property
    def empty(self) -> bool:
        return self.current.basis.value == 0


@dataclass
class Summary:
    period: Period
    previous_period: Period
    threshold: int
    figures: list[Figure]
    has_previous: bool
    active_count: Cell
    client_count: Cell
    notes: list[str] = field(default_factory=list)


def _column(counts: Counter[str], rows: list[str], basis: int, additive: bool, threshold: int) -> Column:
    values = [counts.get(row, 0) for row in rows]
    cells, total = suppress(values, threshold, sum(values) if additive else None)
    return Column(cells, total, Cell(basis, 0 < basis < threshold, threshold))


def _sort_key(text: str) -> tuple[str, str]:
    """Swedish alphabetical order (å, ä, ö last), case-insensitive."""
    swedish = text.casefold().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"}))
    return swedish, text


# --- the figures ---------------------------------------------------------------------------

def age_band(client: Client, on: dt.date) -> str:
    """The client's age band on ``on``: the age from the birth date (from the birth year only:
    the lowest age possible, so a 17-year-old is never counted as an adult)."""
    age = client.age_on(on)
    if age is None:
        return UNKNOWN_AGE
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), UNKNOWN_AGE)


def _problem_label(text: str) -> str:
    return " ".join(text.split())


def _problems(case: Case, insatser: Iterable[OpenCare]) -> Counter[str]:
    """Each problem counted once per insats. Spellings that differ only in case or spacing are
    one row, named as first written in the case file (so both periods share the row)."""
    labels: dict[str, str] = {}
    for insats in case.open_care:
        for problem in insats.problems:
            labels.setdefault(_problem_label(problem).casefold(), _problem_label(problem))
    counts: Counter[str] = Counter()
    for insats in insatser:
        keys = {_problem_label(p).casefold() for p in insats.problems} - {""}
        if not keys:
            counts[NO_PROBLEM] += 1
        for key in keys:
            counts[labels[key]] += 1
    return counts


@dataclass(frozen=True)
class _Spec:
    key: str
    title: str
    basis_text: str
    unit: str
    row_header: str
    select: Callable[[Case, Period], list[OpenCare]]
    count: Callable[[Case, list[OpenCare], Period], Counter[str]]
    fixed_rows: list[str] | None  # None: the rows are the labels found (sorted)
    additive: bool
    note: str = ""


def _by_service(_case: Case, insatser: list[OpenCare], _period: Period) -> Counter[str]:
    return Counter(o.service for o in insatser)


def _clients(case: Case, insatser: list[OpenCare]) -> list[Client]:
    return [case.clients_by_id[cid] for cid in sorted({o.client for o in insatser})]


def _by_gender(case: Case, insatser: list[OpenCare], _period: Period) -> Counter[str]:
    names = dict(GENDERS)
    return Counter(names[c.gender] for c in _clients(case, insatser))


def _by_age(case: Case, insatser: list[OpenCare], period: Period) -> Counter[str]:
    """Each client once, aged on the day the period began, or the day the first of the client's
    insatser in it began if that was later."""
    first: dict[str, dt.date] = {}
    for o in insatser:
        first[o.client] = min(first.get(o.client, o.started), o.started)
    return Counter(age_band(c, max(period.start, first[c.id])) for c in _clients(case, insatser))


def _by_answer(attribute: str, labels: list[tuple[str | None, str]]) -> Callable[[Case, list[OpenCare], Period], Counter[str]]:
    names = dict(labels)
    return lambda _case, insatser, _period: Counter(names[getattr(o, attribute)] for o in insatser)


def _interrupted(case: Case, period: Period) -> list[OpenCare]:
    return [o for o in ended(case, period) if o.status == "interrupted"]


SPECS = [
    _Spec("insatser", "Vilka insatser", "insatser som pågick någon gång under perioden", "insatser", "Insats",
          active, _by_service, None, True),
    _Spec("kon", "Könsfördelning", "klienter med minst en insats under perioden (varje klient räknas en gång)", "klienter", "Kön",
          active, _by_gender, [label for _, label in GENDERS], True),
    _Spec("alder", "Åldersfördelning", "klienter med minst en insats under perioden, ålder när perioden (eller klientens första insats i den) började",
          "klienter", "Åldersgrupp", active, _by_age, [label for _, _, label in AGE_BANDS] + [UNKNOWN_AGE], True),
    _Spec("problem", "Problem och hjälpbehov vid start", "insatser som påbörjades under perioden", "insatser", "Problem eller hjälpbehov",
          started, lambda c, ins, _p: _problems(c, ins), None, False,
          "En insats kan ha flera problem, så raderna summeras inte till antalet insatser."),
    _Spec("behov", "Svarade insatsen mot klientens behov?", "insatser som avslutades eller avbröts under perioden",
          "insatser", "Svar", ended, _by_answer("needs_met", NEEDS), [label for _, label in NEEDS], True),
    _Spec("situation", "Klientens situation efter insatsen", "insatser som avslutades eller avbröts under perioden",
          "insatser", "Situation", ended, _by_answer("situation_after", SITUATIONS), [label for _, label in SITUATIONS], True),
    _Spec("avbrutna", "Avbrutna insatser", "insatser som avbröts under perioden", "insatser", "Insats",
          _interrupted, _by_service, None, True),
]


def _basis(case: Case, spec: _Spec, insatser: list[OpenCare]) -> int:
    return len({o.client for o in insatser}) if spec.unit == "klienter" else len(insatser)


def compute(case: Case, period: Period, threshold: int = DEFAULT_THRESHOLD, source: str = "ärendefilen") -> Summary:
    """All figures of bilaga 4 for ``period``, with the previous period when it has data.

    Raises DataError for a period without insatser (a summary of nothing would be an empty
    chart that looks like a result). Insatser whose dates do not fit their status never get
    here: the case model refuses them, so ``formkit check`` does too.
    """
    if threshold < 1:
        raise DataError("Gränsen för små tal (--threshold) ska vara minst 1 (1 betyder att inget döljs).")
    current_active = active(case, period)
    if not current_active:
        raise DataError(
            f"Det finns inga öppenvårdsinsatser under {period.label} ({period.dates}) i {source}; välj en annan period med --period eller lägg till insatser under open_care. "
            "Inget har skrivits."
        )
    before = period.previous()
    has_previous = bool(active(case, before))
    figures = []
    for spec in SPECS:
        now = spec.select(case, period)
        then = spec.select(case, before) if has_previous else []
        counts_now = spec.count(case, now, period)
        counts_then = spec.count(case, then, before) if has_previous else Counter()
        if spec.fixed_rows is not None:
            rows = list(spec.fixed_rows)
        else:
            rows = sorted(set(counts_now) | set(counts_then), key=_sort_key)
            if NO_PROBLEM in rows:  # "nothing written" is not a problem: last, not in the alphabet
                rows.remove(NO_PROBLEM)
                rows.append(NO_PROBLEM)
        figures.append(Figure(
            key=spec.key, title=spec.title, basis_text=spec.basis_text, unit=spec.unit, row_header=spec.row_header,
            rows=rows,
            current=_column(counts_now, rows, _basis(case, spec, now), spec.additive, threshold),
            previous=_column(counts_then, rows, _basis(case, spec, then), spec.additive, threshold) if has_previous else None,
            additive=spec.additive, note=spec.note,
        ))
    clients = len({o.client for o in current_active})
    notes = [
        f"Antal under {threshold} (noll inräknat, där en summa visas) visas som \"<{threshold}\" så att ingen enskild "
        f"klient kan pekas ut; \"{SECONDARY_MARK}\" är ett antal som döljs för att inget dolt antal ska kunna räknas fram "
        "ur summan. Socialstyrelsen visar en enhets resultat först från 7 svarande."
        if threshold > 1 else "Inga antal döljs (gränsen för små tal är 1).",
        f"Jämförelse med föregående period ({before.label})." if has_previous
        else f"Ingen jämförelse: det finns inga insatser under föregående period ({before.label}).",
    ]
    return Summary(
        period=period, previous_period=before, threshold=threshold, figures=figures, has_previous=has_previous,
        active_count=Cell(len(current_active), 0 < len(current_active) < threshold, threshold),
        client_count=Cell(clients, 0 < clients < threshold, threshold), notes=notes,
    )
