"""The year of each routine: every step, its month, who does it, what to prepare, and which
formkit command makes its document.

The routines name months, not days ("I februari skickas brukarbrev 1", "Under maj månad …
ledningsgrupp"). A step is placed on the unit's meeting day (``units[].meeting_day``, default
tisdag) in that month — the first, second or last one — so that it lands where the unit
already meets; dates the case file knows (the survey's send, answer-by and result dates) are
used as they are, and where the survey year has no such date the step keeps its month and says
the date is to be checked. A step that recurs (every month) is one step per month, so each can
be ticked off.

Which routine applies to a unit follows its kind: 001 home_care, 000 short_stay, 003
housing_support, 004 open_care, 002 assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from formkit.case.model import Survey, Unit
from formkit.periods import first_workday, is_workday
from formkit.swedish import MONTHS, WEEKDAYS

DEFAULT_MEETING_DAY = "tisdag"  # as the meetings command's --team-day


@dataclass(frozen=True)
class Routine:
    number: str
    title: str
    kinds: frozenset[str]


ROUTINES = (
    Routine("000", "Korttidsvistelse LSS: uppföljning av insatser och brukarundersökning", frozenset({"short_stay"})),
    Routine("001", "Hemtjänst: brukarundersökning", frozenset({"home_care"})),
    Routine("002", "Uppföljningar i ordinärt boende för biståndshandläggare", frozenset({"assessment"})),
    Routine("003", "Boendestöd: månadsuppföljning för stödpersoner", frozenset({"housing_support"})),
    Routine("004", "Öppenvård: systematisk uppföljning och förbättringsarbete", frozenset({"open_care"})),
)


@dataclass(frozen=True)
class YearContext:
    """What a date rule may look at: the year, the unit's meeting weekday, the survey."""

    year: int
    weekday: int  # 0 = måndag
    survey: Survey | None  # only the survey of this year

    def nth(self, month: int, n: int) -> dt.date:
        """The n:th meeting day of the month that is not a holiday (n = -1: the last)."""
        days = [d for d in _month_days(self.year, month) if d.weekday() == self.weekday and is_workday(d)]
        return days[n if n < 0 else n - 1]

    def on_or_after(self, day: dt.date) -> dt.date:
        """The first meeting day on or after ``day`` that is not a holiday."""
        day += dt.timedelta(days=(self.weekday - day.weekday()) % 7)
        while not is_workday(day):
            day += dt.timedelta(days=7)
        return day


def _month_days(year: int, month: int) -> list[dt.date]:
    day, out = dt.date(year, month, 1), []
    while day.month == month:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


DateRule = Callable[[YearContext, int], tuple[dt.date, str, bool]]  # (date, where it comes from, on a meeting day)


def meeting(n: int) -> DateRule:
    return lambda ctx, month: (ctx.nth(month, n), "", True)


def weekday_first() -> DateRule:
    return lambda ctx, month: (first_workday(ctx.year, month), "", False)


def fixed(day: int) -> DateRule:
    return lambda ctx, month: (dt.date(ctx.year, month, day), "", False)


def survey_date(attribute: str, offset_days: int = 0, on_meeting: bool = False) -> DateRule:
    """A date of this year's survey from the case file (moved by ``offset_days``); without it,
    the routine's month, with a note to check the date."""
    def rule(ctx: YearContext, month: int) -> tuple[dt.date, str, bool]:
        known = getattr(ctx.survey, attribute) if ctx.survey else None
        if known is None or known.year != ctx.year:
            base, note = ctx.nth(month, 1), f"datumet är ungefärligt: lägg in survey.{attribute} i ärendefilen"
        else:
            base, note = known, ""
        day = base + dt.timedelta(days=offset_days)
        return (ctx.on_or_after(day) if on_meeting else day), note, on_meeting
    return rule


@dataclass(frozen=True)
class StepSpec:
    key: str
    routine: str
    title: str
    responsible: str
    prepare: str
    command: str  # {case}, {unit}, {year}, {next} and {previous} are filled in
    months: tuple[int, ...]
    when: DateRule
    alarm_days: int = 7  # the reminder, this many days before (inside the event)


@dataclass(frozen=True)
class Step:
    """One dated step of one unit's year."""

    key: str
    routine: Routine
    title: str
    month: int
    date: dt.date
    responsible: str
    prepare: str
    command: str
    alarm_days: int
    note: str = ""
    on_meeting: bool = False  # placed on the unit's meeting day: gets the meeting's time

    @property
    def month_name(self) -> str:
        return MONTHS[self.month - 1]


EVERY_MONTH = (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)  # not July: the routines rest over the summer

SPECS: tuple[StepSpec, ...] = (
    # --- 001 hemtjänst: brukarundersökning ----------------------------------------------------
    StepSpec("001-brukarmapp", "001", "Informationen om brukarundersökningen i brukarmappen är uppdaterad",
             "Koordinator", "Brukarmappen som lämnas vid första hembesöket; planera in tid för att uppdatera den.",
             "", (1,), weekday_first()),
    StepSpec("001-apt", "001", "APT i samtliga enheter: information och syfte med brukarundersökningen",
             "Enhetschef", "Informationsmaterialet för APT (LG Teams, kvalitet/brukarundersökning); material från "
             "Socialstyrelsen att placera synligt på enheten.", "", (1,), meeting(2)),
    StepSpec("001-workshop-jan", "001", "Workshop: syftet med brukarundersökningen, medarbetarnas roll och ansvar och hur "
             "resultatet påverkar kunderna och verksamheten", "Enhetschef", "Förra årets resultat och handlingsplanen.",
             "", (1,), meeting(-1)),
    StepSpec("001-webb", "001", "Information om brukarundersökningen på kommunens webbplats och i sociala medier",
             "Enhetschef med kommunikationsenheten", "Texten tas fram med kommunikationsenheten.", "", (2,), weekday_first()),
    StepSpec("001-brukarlista", "001", "Brukarlista med adresser till varje brukare", "Koordinator",
             "Klientlistan: kontrollera adresser, c/o och skyddade personuppgifter. Adresslistan kommer med brukarbrev 1.",
             "formkit letters {case} -n 1 --unit {unit}", (2,), meeting(1)),
    StepSpec("001-brev-1", "001", "Brukarbrev 1 skickas: brukarundersökningen kommer", "Koordinator",
             "Utskriftsfilen och adresslistan; kuvert. Brev till skyddade personuppgifter via Skatteverket.",
             "formkit letters {case} -n 1 --unit {unit} --pdf", (2,), meeting(2)),
    StepSpec("001-brukarfika-feb", "001", "Brukarfika: information om brukarundersökningen", "Enhetschef",
             "Inbjudan till brukarna; informationsmaterial.", "", (2,), meeting(-1)),
    StepSpec("001-enkat", "001", "Bevakning av Socialstyrelsens tidsplanering: enkäterna skickas ut", "Enhetschef",
             "Kortet med information om brukarundersökningen till alla medarbetare; information muntligt och skriftligt "
             "på dagverksamheten.", "", (3,), survey_date("sent")),
    StepSpec("001-under", "001", "Under undersökningen: erbjud hjälp att posta svaret och påminn även nöjda brukare; "
             "koordinatorn avslutar samtal med ”Du har väl svarat på brukarundersökningen?”",
             "Enhetschef och koordinator", "Ta upp frågan på ledningsgruppsmöten, rapporter och APT; texter till enhetens "
             "sociala medier från kommunikationsenheten.", "", (3,), survey_date("sent", 7, on_meeting=True)),
    StepSpec("001-brukarfika-var", "001", "Brukarfika i slutet av april eller början av maj: påminn om brukarundersökningen",
             "Enhetschef", "Inbjudan till brukarna; svarskuvert för den som vill ha hjälp att posta.", "", (4,), meeting(-1)),
    StepSpec("001-sista-svar", "001", "Sista dag att svara på brukarundersökningen", "Enhetschef",
             "Påminn medarbetarna veckan innan: påminn brukarna och hjälp till att posta svar.", "", (5,),
             survey_date("answer_by"), alarm_days=10),
    StepSpec("001-brev-2", "001", "Brukarbrev 2 skickas: tack för att du svarade", "Koordinator",
             "Utskriftsfilen och adresslistan.", "formkit letters {case} -n 2 --unit {unit} --pdf", (6,), meeting(1)),
    StepSpec("001-brev-3", "001", "Brukarbrev 3 skickas: goda exempel och hur man lämnar synpunkter och klagomål",
             "Koordinator", "Goda exempel från enheten (survey.examples i ärendefilen); synpunktskort och svarskuvert.",
             "formkit letters {case} -n 3 --unit {unit} --pdf", (9,), meeting(1)),
    StepSpec("001-resultat-lg", "001", "Resultatet kommer: hemtjänstens ledningsgrupp går igenom det, ringar in gemensamma "
             "nämnare och jämför med kommunen, riket och föregående år", "Verksamhetschef",
             "Resultaten i ärendefilen (survey.results: enhetens värde, kommunen, riket, föregående år).", "",
             (10,), survey_date("results_published", 0, on_meeting=True), alarm_days=3),
    StepSpec("001-resultat-enhet", "001", "Enhetens ledningsgrupp diskuterar resultatet: förbättringsåtgärder, workshops "
             "förbereds och information tas upp på APT", "Enhetschef",
             "Resultatet jämfört med kommunen och riket; förslag till åtgärder (survey.actions i ärendefilen).", "",
             (10,), survey_date("results_published", 7, on_meeting=True)),
    StepSpec("001-brev-4", "001", "Brukarbrev 4 skickas: resultatet och planerade åtgärder", "Koordinator",
             "Enhetens åtgärder i ärendefilen (survey.actions).", "formkit letters {case} -n 4 --unit {unit} --pdf",
             (11,), meeting(1)),
    StepSpec("001-webb-resultat", "001", "Tack i sociala medier och resultatet på hemsidan", "Enhetschef med kommunikationsenheten",
             "Texten tas fram av kommunikationsenheten.", "", (11,), meeting(1)),
    StepSpec("001-brukarfika-nov", "001", "Brukarfika i november: resultatet från brukarundersökningen", "Enhetschef",
             "Brukarbrev 4 och resultatet att visa.", "", (11,), meeting(2)),
    StepSpec("001-workshop-nov", "001", "Workshop för samtliga grupper: resultatredovisning, brukarundersökningens betydelse "
             "för kvalitetsutvecklingen och erfarenhetsutbyte", "Enhetschef", "Resultatet och handlingsplanen.", "",
             (11,), meeting(-1)),
    StepSpec("001-stratsys", "001", "Fokusområdena följs upp i Stratsys; resultatet jämförs med föregående år",
             "Enhetschef", "Handlingsplanen och årets resultat.", "", (12,), meeting(1)),
    StepSpec("001-genomgang", "001", "Genomgång av planering och rutiner för nästa års brukarundersökning i hemtjänstens "
             "ledningsgrupp och på enheten", "Enhetschef", "Rutinen, checklistan och nästa års årshjul.",
             "formkit arshjul {case} --year {next} --unit {unit}", (12,), meeting(2)),
    StepSpec("001-arshjul", "001", "Varje steg i rutinen är inplanerat i nästa års årshjul", "Verksamhetschef",
             "Nästa års årshjul och checklista.", "formkit arshjul {case} --year {next} --unit {unit}", (12,), meeting(2)),
    # --- 000 korttidsvistelse LSS --------------------------------------------------------------
    StepSpec("000-samtal-forbered", "000", "Medarbetarna går igenom syftet med terminssamtalet och frågorna",
             "Enhetschef", "Samtalsmallen (frågorna); vem som bevakar varje brukares rätt (inte alltid föräldern).",
             "formkit meetings {case} --kind term", (1, 8), meeting(2)),
    *(spec for term, key, book, done in (("vårens", "var", 2, 6), ("höstens", "host", 9, 12)) for spec in (
        StepSpec(f"000-boka-{key}", "000", f"Boka {term} terminssamtal och skicka inbjudan med frågorna när mötet bokas",
                 "Stödperson", "Rätt intressenter: god man, förvaltare eller vårdnadshavare som bevakar rätten.",
                 "formkit meetings {case} --kind term", (book,), meeting(1)),
        StepSpec(f"000-klart-{key}", "000", f"{term.capitalize()} terminssamtal är gjorda: anteckningar i brukarpärmen och till "
                 "administratör, journalanteckning i LifeCare, renskrivna anteckningar mejlade till anhöriga som deltog",
                 "Stödperson", "Anteckningsfilen från varje samtal.",
                 "formkit meetings {case} --kind term --minutes anteckningar.yaml; formkit meetings {case} --journal alla",
                 (done,), meeting(1)),
    )),
    StepSpec("000-manad", "000", "Enhetsmöte: frågorna vi valt från brukarundersökningen och handlingsplanen; "
             "hemgångssamtalen inom 24 timmar och vem som gjorde dem", "Enhetschef",
             "Handlingsplanen från brukarundersökningen; listan över hemgångssamtal.",
             "formkit meetings {case} --due", EVERY_MONTH, meeting(1), alarm_days=2),
    # --- 003 boendestöd ---------------------------------------------------------------------------
    StepSpec("003-manad", "003", "Månadsuppföljningar: varje stödperson bokar med sina brukare, dokumenterar i social "
             "journal och redovisar på verksamhetsmötet enligt rullande schema", "Stödperson",
             "Genomförandeplan och ev. metodblad till verksamhetsmötet; checklistan per brukare.",
             "formkit meetings {case} --kind monthly; formkit meetings {case} --due", EVERY_MONTH, meeting(1), alarm_days=3),
    StepSpec("003-uppfoljning", "003", "Enhetschefen följer upp att rutinen för månadsuppföljning är implementerad och följs",
             "Enhetschef", "Listan över saknade månadsuppföljningar; åtgärder som behöver dokumenteras.",
             "formkit meetings {case} --due", (6, 12), meeting(-1)),
    # --- 004 öppenvård ----------------------------------------------------------------------------
    StepSpec("004-t3", "004", "Sammanställning (bilaga 4) för september–december föregående år", "Enhetschef eller utsedd medarbetare",
             "Bilaga 2 från alla avslutade insatser under perioden.", "formkit opencare {case} --appendix 4 --period {previous}-T3",
             (1,), meeting(2)),
    StepSpec("004-bilaga-3", "004", "Bilaga 3 skickas till medarbetare, beställare och samarbetspartner (svar senast 1 mars)",
             "Enhetschef", "Mottagarna i ärendefilen (open_care_recipients).", "formkit opencare {case} --appendix 3 --period {year}",
             (2,), weekday_first()),
    StepSpec("004-kvalitetsberattelse", "004", "Kvalitetsberättelsen för föregående år: hur arbetet bedrivits, åtgärder och resultat",
             "Enhetschef", "Årets sammanställningar, analysen och handlingsplanen.", "", (2,), meeting(-1)),
    StepSpec("004-bilaga-3-svar", "004", "Sista dag för svar på bilaga 3", "Enhetschef", "Påminn den som inte svarat.",
             "", (3,), fixed(1), alarm_days=5),
    StepSpec("004-klar-for-analys", "004", "Årets sammanställning i diagramform är klar för analys", "Enhetschef eller utsedd medarbetare",
             "Svaren på bilaga 3 och sammanställningarna.", "formkit opencare {case} --appendix 4 --period {previous}",
             (3,), meeting(-1)),
    StepSpec("004-analys", "004", "Analys och tolkning av resultaten, med medarbetarna", "Enhetschef",
             "Jämför med brukarundersökningar, granskning av dokumentation, nationella och regionala riktlinjer, öppna "
             "jämförelser, tidigare resultat, synpunkter från medarbetare, beställare och samarbetspartner, klagomål, "
             "avvikelser och lex Sarah.", "", (4,), meeting(2)),
    StepSpec("004-t1", "004", "Sammanställning (bilaga 4) för januari–april", "Enhetschef eller utsedd medarbetare",
             "Bilaga 2 från alla avslutade insatser under perioden.", "formkit opencare {case} --appendix 4 --period {year}-T1",
             (5,), meeting(1)),
    StepSpec("004-ledningsgrupp", "004", "Ledningsgruppen diskuterar sammanställningarna och analysen; handlingsplan i Stratsys "
             "och gemensam prioritering", "Enhetschef", "Har verksamheten relevanta insatser, nås de förväntade målen, "
             "skiljer det sig mellan grupper av klienter?", "", (5,), meeting(-1)),
    StepSpec("004-t2", "004", "Sammanställning (bilaga 4) för maj–augusti", "Enhetschef eller utsedd medarbetare",
             "Bilaga 2 från alla avslutade insatser under perioden.", "formkit opencare {case} --appendix 4 --period {year}-T2",
             (9,), meeting(1)),
    StepSpec("004-handlingsplan-host", "004", "Uppföljning av handlingsplanen: nås de prioriterade målen under hösten?",
             "Enhetschef", "Handlingsplanen i Stratsys; sektorsövergripande åtgärder följs upp av ledningsgruppen.", "",
             (10, 12), meeting(2)),
    # --- 002 biståndshandläggare -------------------------------------------------------------------
    StepSpec("002-tavla", "002", "Uppföljningstavlan: gula och röda uppföljningar, samtycken som går ut och ej verkställda "
             "beslut (ta reda på orsaken)", "Biståndshandläggare", "Den egna uppföljningstavlan.",
             "formkit board {case}", EVERY_MONTH, meeting(1), alarm_days=2),
    StepSpec("002-kvalitet", "002", "Teamets kvalitetsfil: de fyra frågorna från årets uppföljningar, i slutet av varje tertial",
             "Teamet", "Svaren på de fyra frågorna vid varje uppföljning i ärendefilen.",
             "formkit kvalitet {case} --period {year}", (4, 8, 12), meeting(-1)),
    StepSpec("002-handelser", "002", "Händelserna för föregående år som underlag till vård- och omsorgsnämnden: följs alla "
             "beslut upp?", "Enhetschef", "En händelse för varje uppföljning.", "formkit kvalitet {case} --period {previous}",
             (1,), meeting(2)),
    StepSpec("002-rutin", "002", "Checklistan för uppföljningar följs upp av den som ansvarar för dokumentet", "Enhetschef",
             "Checklistan och årets erfarenheter.", "", (9,), meeting(2)),
)


def routines_for(unit: Unit) -> list[Routine]:
    return [r for r in ROUTINES if unit.kind in r.kinds]


def meeting_weekday(unit: Unit) -> int:
    return WEEKDAYS.index(unit.meeting_day or DEFAULT_MEETING_DAY)


def steps_for(unit: Unit, year: int, survey: Survey | None, case_name: str) -> list[Step]:
    """Every dated step of every routine that applies to the unit, in date order."""
    ctx = YearContext(year, meeting_weekday(unit), survey if survey and survey.year == year else None)
    by_number = {r.number: r for r in routines_for(unit)}
    steps = []
    for spec in SPECS:
        routine = by_number.get(spec.routine)
        if routine is None:
            continue
        for month in spec.months:
            date, note, on_meeting = spec.when(ctx, month)
            key = spec.key if len(spec.months) == 1 else f"{spec.key}-{month:02d}"
            command = spec.command.format(case=case_name, unit=unit.id, year=year, next=year + 1, previous=year - 1)
            steps.append(Step(key, routine, spec.title, date.month, date, spec.responsible, spec.prepare, command,
                              spec.alarm_days, note, on_meeting))
    return sorted(steps, key=lambda s: (s.date, s.key))
