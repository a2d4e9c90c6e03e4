"""The case file's typed models and the checks within one record.

Field names here are the contract documented in the README and in ``formkit schema``;
``formkit.case.loading`` reads a file into them (``load_case``) and checks what spans records.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from formkit.case import personnummer
from formkit.periods import DAY_RANGE_TEXT, FIRST_DAY, LAST_DAY
from formkit.errors import FieldRuleError
from formkit.xmlsafe import CONTROL_CHARS, control_char_problem  # noqa: F401

FORMAT_VERSION = 1
# Excel's limit for one cell: every text may end up in a board, a list or a workbook, and a
# longer one is a pasted document or a mistake (a letter cannot print it either).
MAX_TEXT_CHARS = 32_767


def _text(value: str) -> str:
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"texten är {len(value):,} tecken lång; högst {MAX_TEXT_CHARS:,} tecken ryms i ett fält "
                         "(lika mycket som i en Excelcell). Korta texten".replace(",", " "))
    problem = control_char_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _id(value: str) -> str:
    if personnummer.looks_like(value):
        raise ValueError("ett id får inte vara ett personnummer eller samordningsnummer (det hamnar i filnamn och "
                         "listor); använd ett eget löpnummer, t.ex. b-001")
    return value


def _date(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:  # 9999-12-31 would fail later, in "three years after"
        raise ValueError(f"datumet {value.isoformat()} är inte rimligt; skriv ett datum {DAY_RANGE_TEXT}, som ÅÅÅÅ-MM-DD")
    return value


def _yes_no(value: Any) -> Any:
    """Accept Swedish ja/nej as well as YAML's true/false/yes/no."""
    if isinstance(value, str) and value.strip().lower() in {"ja", "nej"}:
        return value.strip().lower() == "ja"
    return value


def _postcode(value: str) -> str:
    if not re.fullmatch(r"\d{3} ?\d{2}", value):
        raise ValueError("postnumret ska ha fem siffror, t.ex. \"123 45\"")
    return value


def _clock(value: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3])[.:][0-5]\d", value):
        raise ValueError("klockslaget ska skrivas som 14.00")
    return value.replace(":", ".")


def _personal_number(value: str) -> str:
    return personnummer.normalise(value)


def _weekday(value: Any) -> Any:
    """Tisdag, TISDAG and tisdag are the same day."""
    return value.strip().lower() if isinstance(value, str) else value


Text = Annotated[str, AfterValidator(_text)]
Id = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
    AfterValidator(_id),
]
Date = Annotated[dt.date, AfterValidator(_date)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
PostCode = Annotated[str, AfterValidator(_postcode)]
Clock = Annotated[str, AfterValidator(_clock)]
PersonalNumber = Annotated[str, AfterValidator(_personal_number)]
Weekday = Annotated[Literal["måndag", "tisdag", "onsdag", "torsdag", "fredag"], BeforeValidator(_weekday)]


class Model(BaseModel):
    """Base of every case-file model: unknown fields are errors (catches misspellings)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Address(Model):
    street: Text
    co: Text | None = None
    postcode: PostCode
    city: Text
    country: Text | None = None

    @property
    def lines(self) -> list[str]:
        """The address as it is printed in a letter's address window."""
        out = [self.street]
        if self.co:
            out.insert(0, f"c/o {self.co}")
        out.append(f"{self.postcode} {self.city.upper()}")
        if self.country:
            out.append(self.country.upper())
        return out


class Organisation(Model):
    name: Text
    department: Text | None = None
    address: Address
    phone: Text | None = None
    email: Text | None = None
    website: Text | None = None


UnitKind = Literal["home_care", "short_stay", "housing_support", "open_care", "assessment"]


class TermQuestion(Model):
    """One question of a unit's own samtalsmall for the terminssamtal."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]  # what a notes file names
    text: Text
    help: Text = ""  # support for whoever leads the talk


class Unit(Model):
    id: Id
    name: Text
    kind: UnitKind
    manager: Id | None = None
    phone: Text | None = None
    email: Text | None = Field(default=None, description="Enhetens e-post; för en utförare den funktionsbrevlåda handläggaren skriver till.")
    meeting_day: Weekday | None = Field(default=None, description="Veckodag för enhetens möte (APT, verksamhetsmöte): årshjulets steg och det rullande schemat.")
    meeting_time: Clock | None = Field(default=None, description="Klockslag för enhetens möte, t.ex. 13.00: årshjulets händelser får tiden.")
    # terminssamtal (routine 000) belong to short-stay units; any other unit may set this on
    term_meetings: YesNo | None = Field(default=None, description="Terminssamtal (rutinen för korttidsvistelse): ja för en enhet av annat slag som också har dem.")
    # the unit's samtalsmall: "utifrån den samtalsmall som är framtagen" (the routine's questions if empty)
    term_questions: list[TermQuestion] = Field(default=[], description="Enhetens samtalsmall för terminssamtalet; tom: rutinens frågor.")

    @property
    def has_term_meetings(self) -> bool:
        return self.term_meetings if self.term_meetings is not None else self.kind == "short_stay"


StaffRole = Literal["unit_manager", "assessor", "support_person", "coordinator", "staff"]


class Staff(Model):
    id: Id
    name: Text
    role: StaffRole
    unit: Id | None = None
    title: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    team: Id | None = Field(default=None, description="Biståndshandläggarens team; varje team har en egen kvalitetsfil (formkit kvalitet).")


RepresentativeRole = Literal["trustee", "administrator", "guardian", "relative"]
# what a god man's or förvaltare's appointment covers (FB 11 kap. 4 §, 7 §): bevaka rätt,
# förvalta egendom, sörja för person
AppointmentScope = Literal["rights", "property", "person"]
SCOPE_NAMES: dict[str, str] = {"rights": "bevaka rätt", "property": "förvalta egendom", "person": "sörja för person"}


ROLE_NAMES: dict[str, str] = {
    "trustee": "god man", "administrator": "förvaltare", "guardian": "vårdnadshavare", "relative": "närstående",
}  # the Swedish words documents use for RepresentativeRole


class Representative(Model):
    """God man (trustee), förvaltare (administrator), vårdnadshavare (guardian), närstående."""

    name: Text
    role: RepresentativeRole
    relation: Text | None = None  # e.g. "dotter", free text
    looks_after_rights: YesNo = False
    receives_letters: YesNo = False
    address: Address | None = None
    phone: Text | None = None
    email: Text | None = None
    consent_to_inform: YesNo = Field(default=False, description="Klienten samtycker till att vi informerar personen, t.ex. mejlar minnesanteckningarna.")
    # god man / förvaltare: what the appointment covers (rights, property, person)
    scope: list[AppointmentScope] = Field(default=[], description="God man/förvaltare: vad förordnandet omfattar (rights bevaka rätt, property förvalta egendom, person sörja för person).")

    @property
    def covers_rights(self) -> bool:
        """Looks after the client's rights: marked so, or appointed to "bevaka rätt"."""
        return self.looks_after_rights or "rights" in self.scope


class Consent(Model):
    """Samtycke: signed on a date, limited in time (generally three years). ``given_by``
    guardian: a vårdnadshavare signed for a child, which stops being valid at 18."""

    signed: Date
    valid_years: int = Field(default=3, ge=1, le=10)
    given_by: Literal["client", "guardian", "representative"] = "client"

    @property
    def valid_until(self) -> dt.date:
        return add_years(self.signed, self.valid_years)


class CarePlan(Model):
    """Genomförandeplan."""

    updated: Date
    follow_up: Date | None = None
    risk_assessment: Date | None = None
    action_plan: YesNo = False  # a handlingsplan tied to the risk assessment
    goals: list[Text] = []


Gender = Literal["female", "male", "other", "unknown"]


class Client(Model):
    id: Id
    name: Text
    personal_number: PersonalNumber | None = None
    birth_year: int | None = Field(default=None, ge=1890, le=2100)
    gender: Gender = "unknown"
    address: Address | None = None
    protected_identity: YesNo = False
    unit: Id
    support_person: Id | None = None
    phone: Text | None = None
    email: Text | None = None
    representatives: list[Representative] = []
    consent: Consent | None = None
    care_plan: CarePlan | None = None

    @property
    def consent_valid_until(self) -> dt.date | None:
        """The last day the consent holds: its time limit, or the client's 18th birthday if a
        guardian gave it (from then on only the client can consent). An unknown birth day in a
        known year counts from 1 January: better asked for early than used without consent."""
        if self.consent is None:
            return None
        until = self.consent.valid_until
        if self.consent.given_by == "guardian":
            born = (personnummer.birth_date(self.personal_number) if self.personal_number
                    else dt.date(self.birth_year, 1, 1) if self.birth_year else None)
            if born is not None:
                until = min(until, add_years(born, 18))
        return until

    @property
    def year_of_birth(self) -> int | None:
        """Birth year from the personal number where there is one, else ``birth_year``."""
        if self.personal_number:
            return personnummer.birth_date(self.personal_number).year
        return self.birth_year

    @property
    def birth_date(self) -> dt.date | None:
        """The birth date, from the personal (or coordination) number; None without one."""
        return personnummer.birth_date(self.personal_number) if self.personal_number else None

    @property
    def number_label(self) -> str:
        """"Personnummer" or "Samordningsnummer", as the form should call the number."""
        return personnummer.label(self.personal_number) if self.personal_number else "Personnummer"

    def age_on(self, day: dt.date) -> int | None:
        """Age in whole years on ``day``. With only ``birth_year``, the lowest age the client can
        have (the birthday not yet reached), so a child is never counted as an adult."""
        born = self.birth_date
        if born is not None:
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.birth_year is not None:
            return max(0, day.year - self.birth_year - 1)
        return None

    @property
    def eighteenth_birthday(self) -> dt.date | None:
        born = self.birth_date
        return add_years(born, 18) if born else None

    def is_child_on(self, day: dt.date) -> bool | None:
        """Under 18 on ``day`` (None: the age is not known)."""
        age = self.age_on(day)
        if self.birth_date is None and self.birth_year is not None and day.year - self.birth_year == 18:
            return None  # the 18th birthday falls this year: only a birth date can tell
        return None if age is None else age < 18


Answer = Literal["yes", "partly", "no"]


QUALITY_QUESTIONS: dict[str, str] = {
    "gets_granted_help": "Får du den hjälp/det stöd du är beviljad?",
    "plans_when": "Får du vara med och planera när din hjälp/ditt stöd ska genomföras?",
    "plans_how": "Får du vara med och planera hur din hjälp/ditt stöd ska genomföras?",
    "feels_good": "Får du hjälp/stöd på ett sätt som känns bra för dig?",
}  # the routine's own words, for every document that asks or counts them


class QualityAnswers(Model):
    """The four quality questions asked at every follow-up (seed 002, point 3)."""

    gets_granted_help: Answer | None = None
    plans_when: Answer | None = None
    plans_how: Answer | None = None
    feels_good: Answer | None = None


FollowUpMethod = Literal["phone", "home_visit", "digital", "office"]
FollowUpOutcome = Literal["unchanged", "new_decision", "ended"]


class FollowUp(Model):
    date: Date
    method: FollowUpMethod
    outcome: FollowUpOutcome = "unchanged"
    answers: QualityAnswers | None = None
    reason: Text | None = Field(default=None, description="Varför insatsen avslutades; bara en antecknad orsak kommer med i händelsen.")


class Decision(Model):
    """Biståndsbeslut, for the assessor's follow-up board."""

    id: Id
    client: Id
    assessor: Id
    services: list[Text] = Field(min_length=1)
    law: Literal["SoL", "LSS"]
    decided: Date
    valid_until: Date | None = None  # set for a time-limited decision
    executed: YesNo = True  # False = ej verkställt
    not_executed_reason: Text | None = None  # orsaken till att beslutet inte verkställts
    follow_ups: list[FollowUp] = []

    @property
    def latest_follow_up(self) -> FollowUp | None:
        return max(self.follow_ups, key=lambda f: f.date, default=None)


class SurveyResult(Model):
    unit: Id
    question: Text
    value: float = Field(ge=0, le=100)
    municipality: float | None = Field(default=None, ge=0, le=100)
    national: float | None = Field(default=None, ge=0, le=100)
    previous: float | None = Field(default=None, ge=0, le=100)


class UnitText(Model):
    unit: Id
    text: Text


class Survey(Model):
    """Brukarundersökning for one year (Socialstyrelsen's survey)."""

    year: int = Field(ge=2000, le=2100)
    sent: Date | None = Field(default=None, description="Dagen Socialstyrelsen skickar ut enkäterna (årshjulet).")
    answer_by: Date | None = None
    results_published: Date | None = Field(default=None, description="Dagen resultatet kommer (årshjulet).")
    results: list[SurveyResult] = []
    actions: list[UnitText] = []  # improvements planned after the result (letter 4)
    examples: list[UnitText] = []  # good examples from the unit (letter 3)

    @property
    def population_day(self) -> dt.date:
        """The survey's date, on which its population (65 or older, with hemtjänst) is counted:
        the day the questionnaires go out (``sent``), else 1 March of the survey's year."""
        return self.sent or dt.date(self.year, 3, 1)


MeetingKind = Literal["term_meeting", "monthly_review", "homecoming"]
MeetingStatus = Literal["booked", "held", "cancelled"]
HomecomingMethod = Literal["pickup", "phone", "sms", "contact_book"]


class Meeting(Model):
    """Terminssamtal, månadsuppföljning or hemgångssamtal."""

    kind: MeetingKind
    client: Id
    date: Date
    time: Clock | None = None
    place: Text | None = None
    status: MeetingStatus = "booked"
    held_by: Id | None = None  # staff id
    invitees: list[Text] = []
    stay_ended: Date | None = None  # homecoming: the day the stay ended
    stay_ended_time: Clock | None = None
    method: HomecomingMethod | None = None  # homecoming: how the relatives were told
    summary: Text | None = Field(default=None, description="Vad brukaren sa (månadsuppföljning), för journaltexten.")
    spoken_with: Text | None = None  # homecoming: whom the staff told (name or relation)
    passed_on: Text | None = None  # homecoming: what was passed on about the stay


OpenCareStatus = Literal["ongoing", "completed", "interrupted"]


class OpenCare(Model):
    """One öppenvård insats, for bilaga 1, 2 and 4."""

    id: Id
    client: Id
    service: Text
    started: Date
    ended: Date | None = None
    status: OpenCareStatus = "ongoing"
    staff: Id | None = None
    problems: list[Text] = []
    needs_met: Answer | None = None
    situation_after: Literal["improved", "unchanged", "worsened"] | None = None

    @model_validator(mode="after")
    def _dates_fit_status(self) -> OpenCare:
        """An insats must be placeable in a period: bilaga 1, 2 and 4 count it by its dates and status."""
        if self.ended and self.ended < self.started:
            raise FieldRuleError("ended", f"slutar {self.ended.isoformat()}, före startdatumet {self.started.isoformat()}; "
                                 "rätta något av datumen")
        if self.status in ("completed", "interrupted") and self.ended is None:
            raise FieldRuleError("ended", f"insatsen har status {self.status} men inget slutdatum; skriv när insatsen slutade")
        if self.status == "ongoing" and self.ended is not None:
            raise FieldRuleError("status", f"insatsen har slutdatum {self.ended.isoformat()} men status ongoing; skriv completed "
                                 "(genomförd) eller interrupted (avbruten), eller ta bort slutdatumet")
        return self


class Stakeholder(Model):
    """A recipient of öppenvård bilaga 3: staff, beställare or samarbetspartner."""

    id: Id
    name: Text
    kind: Literal["staff", "orderer", "partner"]
    organisation: Text | None = None
    email: Text | None = None
    address: Address | None = None


class FollowUpYears(Model):
    """Years between follow-ups of a decision, per law (routine 002: generally three years)."""

    SoL: int = Field(default=3, ge=1, le=10)
    LSS: int = Field(default=3, ge=1, le=10)


class Case(Model):
    """The whole case file."""

    formkit: int
    organisation: Organisation
    units: list[Unit] = []
    staff: list[Staff] = []
    clients: list[Client] = []
    decisions: list[Decision] = []
    survey: Survey | None = None
    meetings: list[Meeting] = []
    open_care: list[OpenCare] = []
    open_care_recipients: list[Stakeholder] = []
    follow_up_years: FollowUpYears = FollowUpYears()

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @cached_property
    def units_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff}

    @cached_property
    def clients_by_id(self) -> dict[str, Client]:
        return {c.id: c for c in self.clients}

    def unit(self, unit_id: str) -> Unit:
        return self.units_by_id[unit_id]

    def staff_member(self, staff_id: str) -> Staff:
        return self.staff_by_id[staff_id]

    def client(self, client_id: str) -> Client:
        return self.clients_by_id[client_id]


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- loading -------------------------------------------------------------------------------

# (list field, referring field, target list, wanted staff role or None)
REFERENCES: list[tuple[str, str, str, str | None]] = [
    ("units", "manager", "staff", None),
    ("staff", "unit", "units", None),
    ("clients", "unit", "units", None),
    ("clients", "support_person", "staff", "support_person"),
    ("decisions", "client", "clients", None),
    ("decisions", "assessor", "staff", "assessor"),
    ("meetings", "client", "clients", None),
    ("meetings", "held_by", "staff", None),
    ("open_care", "client", "clients", None),
    ("open_care", "staff", "staff", None),
]
SURVEY_REFERENCES = ["results", "actions", "examples"]
ID_LISTS = ["units", "staff", "clients", "decisions", "open_care", "open_care_recipients"]
SWEDISH_LIST_NAMES = {
    "units": "enhet",
    "staff": "medarbetare",
    "clients": "klient",
    "decisions": "beslut",
    "open_care": "insats",
    "open_care_recipients": "mottagare",
}
