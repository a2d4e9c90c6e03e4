"""The case file as a workbook: which sheet and which column hold each field of the model.

One table serves the reader (``workbook``), the writer (``workbook_write``), the "Om filen"
sheet and ``formkit schema``, so a column cannot be named one way when written and another
when read. A test walks the pydantic model and fails if a field has no column here.

Every sheet is one Excel table: a header row of Swedish column names, one row per record,
references by id. Lists inside a record are either their own sheet with a column that names
the parent (Företrädare, Uppföljningar, Mål) or, for short lists of words, one cell with the
items separated by semicolons (Insatser, Problem, Inbjudna). Choices are written in Swedish
(hemtjänst, god man, telefon); the model's English codes are accepted as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LIST_SEPARATOR = ";"
OWN_MARK = "#"  # a column or sheet whose name starts with it is the user's own and is skipped
ABOUT_SHEET = "Om filen"
VERSION_LABEL = "Formatversion"

YES_WORDS = {"ja", "j", "x", "true", "sant", "yes", "1"}
NO_WORDS = {"nej", "n", "false", "falskt", "no", "0"}

UNIT_KINDS = {"home_care": "hemtjänst", "short_stay": "korttidsvistelse", "housing_support": "boendestöd",
              "open_care": "öppenvård", "assessment": "biståndshandläggning"}
STAFF_ROLES = {"unit_manager": "enhetschef", "assessor": "biståndshandläggare", "support_person": "stödperson",
               "coordinator": "koordinator", "staff": "medarbetare"}
REPRESENTATIVE_ROLES = {"trustee": "god man", "administrator": "förvaltare", "guardian": "vårdnadshavare", "relative": "närstående"}
GENDERS = {"female": "kvinna", "male": "man", "other": "annat", "unknown": "okänt"}
ANSWERS = {"yes": "ja", "partly": "delvis", "no": "nej"}
LAWS = {"SoL": "SoL", "LSS": "LSS"}
FOLLOW_UP_METHODS = {"phone": "telefon", "home_visit": "hembesök", "digital": "digitalt", "office": "på kontoret"}
FOLLOW_UP_OUTCOMES = {"unchanged": "oförändrat", "new_decision": "nytt beslut", "ended": "avslutat"}
MEETING_KINDS = {"term_meeting": "terminssamtal", "monthly_review": "månadsuppföljning", "homecoming": "hemgångssamtal"}
MEETING_STATUSES = {"booked": "bokat", "held": "genomfört", "cancelled": "inställt"}
HOMECOMING_METHODS = {"pickup": "vid hämtning", "phone": "telefon", "sms": "sms", "contact_book": "kontaktbok"}
OPEN_CARE_STATUSES = {"ongoing": "pågår", "completed": "genomförd", "interrupted": "avbruten"}
SITUATIONS = {"improved": "förbättrad", "unchanged": "oförändrad", "worsened": "försämrad"}
WEEKDAYS = {day: day for day in ("måndag", "tisdag", "onsdag", "torsdag", "fredag")}
CONSENT_GIVERS = {"client": "klienten", "guardian": "vårdnadshavare", "representative": "företrädare"}
STAKEHOLDER_KINDS = {"staff": "medarbetare", "orderer": "beställare", "partner": "samarbetspartner"}


@dataclass(frozen=True)
class Column:
    """One column: its Swedish header, the field it fills (path inside the record) and how
    a cell is read (``kind``)."""

    header: str
    path: tuple[str, ...]
    kind: str  # text, id, ref, date, clock, yesno, int, number, list, choice, postcode, phone, personal_number
    help: str
    width: int = 16
    choices: dict[str, str] | None = None  # model code -> Swedish word
    ref: str | None = None  # the sheet whose Id column a ref column points to

    @property
    def is_text(self) -> bool:
        """Columns formatted as text in Excel, so a typed 012 34 or 0701234567 keeps its zero."""
        return self.kind in {"text", "id", "ref", "list", "postcode", "phone", "personal_number", "clock", "choice"}


@dataclass(frozen=True)
class Sheet:
    """One sheet. ``path`` is where its records live in the case data; a child sheet's path is
    relative to the parent record, found by the id in its ``link`` column."""

    name: str
    table: str  # the Excel table's name (letters only, unique in the workbook)
    path: tuple[str, ...]
    columns: tuple[Column, ...]
    help: str
    single: bool = False  # at most one row (Organisation, Enkät)
    parent: str | None = None  # the parent sheet's name, for a child sheet
    link: Column | None = None  # the column naming the parent record
    scalar_items: bool = False  # the list holds plain texts, not records (Mål)
    all_columns: tuple[Column, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_columns", ((self.link,) if self.link else ()) + self.columns)


def _address(whose: str) -> tuple[Column, ...]:
    whose = whose.lower()
    return (
        Column("Gatuadress", ("address", "street"), "text", f"{whose} gatuadress eller box. Gatuadress, postnummer och ort fylls i tillsammans, eller lämnas tomma alla tre.", 24),
        Column("C/o", ("address", "co"), "text", "c/o-namn, om posten ska gå via någon annan.", 18),
        Column("Postnummer", ("address", "postcode"), "postcode", "fem siffror, t.ex. 123 45 (sparas som text så att en inledande nolla finns kvar).", 12),
        Column("Ort", ("address", "city"), "text", "postort, t.ex. Exempelby.", 14),
        Column("Land", ("address", "country"), "text", "bara för en adress utomlands.", 10),
    )


def _phone_email(whose: str) -> tuple[Column, ...]:
    whose = whose.lower()
    return (
        Column("Telefon", ("phone",), "phone", f"{whose} telefonnummer, som text (t.ex. 0123-456 10).", 16),
        Column("E-post", ("email",), "text", f"{whose} e-postadress.", 28),
    )


def _id(what: str, example: str) -> Column:
    return Column("Id", ("id",), "id", f"ett kort namn som är unikt för {what} (bokstäver a–z, siffror, - _ .), t.ex. {example}. "
                  "Andra blad hänvisar hit med det.", 12)


SHEETS: tuple[Sheet, ...] = (
    Sheet("Organisation", "Organisation", ("organisation",), (
        Column("Namn", ("name",), "text", "kommunens namn, som det står i brevhuvudet.", 24),
        Column("Förvaltning", ("department",), "text", "förvaltningen, t.ex. Vård- och omsorgsförvaltningen.", 30),
        *_address("Förvaltningens"),
        *_phone_email("Förvaltningens"),
        Column("Webbplats", ("website",), "text", "kommunens webbplats, t.ex. exempelby.se.", 18),
    ), "Kommunen och förvaltningen (en rad): står i brevhuvudet.", single=True),
    Sheet("Enheter", "Enheter", ("units",), (
        _id("enheten", "ht-norra"),
        Column("Namn", ("name",), "text", "enhetens namn, t.ex. Hemtjänst Norra.", 28),
        Column("Typ", ("kind",), "choice", "vilken sorts enhet.", 20, choices=UNIT_KINDS),
        Column("Enhetschef", ("manager",), "ref", "enhetschefens id på bladet Personal.", 12, ref="Personal"),
        *_phone_email("Enhetens"),
        Column("Mötesdag", ("meeting_day",), "choice", "veckodag för enhetens möte (APT, verksamhetsmöte): årshjulet och det rullande schemat.", 12, choices=WEEKDAYS),
        Column("Mötestid", ("meeting_time",), "clock", "klockslag för enhetens möte, t.ex. 13.00.", 10),
        Column("Terminssamtal", ("term_meetings",), "yesno", "Ja om enheten har terminssamtal fast den inte är en korttidsvistelse (tomt: efter typen).", 12),
    ), "Enheterna (en rad per enhet). För en utförare är e-postadressen funktionsbrevlådan."),
    Sheet("Samtalsmall", "Samtalsmall", ("term_questions",), (
        Column("Id", ("id",), "text", "frågans korta namn, som anteckningsfilen använder (a–z, siffror, - _), t.ex. trivsel.", 12),
        Column("Fråga", ("text",), "text", "frågan i enhetens samtalsmall för terminssamtalet.", 60),
        Column("Stöd", ("help",), "text", "stöd till den som leder samtalet (kan vara tomt).", 40),
    ), "Enhetens egen samtalsmall för terminssamtalet, en rad per fråga; utan rader gäller rutinens frågor.",
        parent="Enheter", link=Column("Enhet", ("id",), "ref", "enhetens id på bladet Enheter.", 14, ref="Enheter")),
    Sheet("Personal", "Personal", ("staff",), (
        _id("medarbetaren", "bh-1"),
        Column("Namn", ("name",), "text", "för- och efternamn.", 22),
        Column("Roll", ("role",), "choice", "medarbetarens roll; biståndshandläggare får tavlor, stödpersoner blanketter.", 20, choices=STAFF_ROLES),
        Column("Enhet", ("unit",), "ref", "enhetens id på bladet Enheter.", 14, ref="Enheter"),
        Column("Titel", ("title",), "text", "titeln som står under namnet i breven, t.ex. Enhetschef.", 20),
        *_phone_email("Medarbetarens"),
        Column("Team", ("team",), "text", "biståndshandläggarens team; varje team har en egen kvalitetsfil (formkit kvalitet).", 12),
    ), "Medarbetarna: enhetschefer, biståndshandläggare, stödpersoner, koordinatorer."),
    Sheet("Klienter", "Klienter", ("clients",), (
        _id("klienten", "b-001"),
        Column("Namn", ("name",), "text", "för- och efternamn, som i adressfältet.", 24),
        Column("Personnummer", ("personal_number",), "personal_number", "ÅÅÅÅMMDD-NNNN (samordningsnummer går också); kontrollsiffran kontrolleras. Kan lämnas tomt.", 16),
        Column("Födelseår", ("birth_year",), "int", "födelseår, för åldersstatistik när personnummer saknas.", 10),
        Column("Kön", ("gender",), "choice", "för öppenvårdens sammanställning.", 10, choices=GENDERS),
        *_address("Klientens"),
        Column("Skyddad identitet", ("protected_identity",), "yesno", "Ja = skyddade personuppgifter: adressen skrivs aldrig ut och breven skickas via Skatteverket.", 12),
        Column("Enhet", ("unit",), "ref", "enhetens id på bladet Enheter.", 14, ref="Enheter"),
        Column("Stödperson", ("support_person",), "ref", "stödpersonens id på bladet Personal (rollen stödperson).", 12, ref="Personal"),
        *_phone_email("Klientens"),
        Column("Samtycke undertecknat", ("consent", "signed"), "date", "dagen samtycket undertecknades (ÅÅÅÅ-MM-DD).", 14),
        Column("Samtycke giltigt år", ("consent", "valid_years"), "int", "hur många år samtycket gäller (oftast 3).", 10),
        Column("Samtycke givet av", ("consent", "given_by"), "choice", "vem som gav samtycket; en vårdnadshavares samtycke upphör när klienten fyller 18.", 14, choices=CONSENT_GIVERS),
        Column("Genomförandeplan uppdaterad", ("care_plan", "updated"), "date", "dagen genomförandeplanen senast uppdaterades.", 14),
        Column("Genomförandeplan uppföljning", ("care_plan", "follow_up"), "date", "dagen genomförandeplanen ska följas upp.", 14),
        Column("Riskbedömning", ("care_plan", "risk_assessment"), "date", "dagen för den senaste riskbedömningen.", 14),
        Column("Handlingsplan", ("care_plan", "action_plan"), "yesno", "Ja om det finns en handlingsplan kopplad till riskbedömningen.", 12),
    ), "Klienterna (brukarna), en rad per klient. Företrädare och mål står på egna blad."),
    Sheet("Företrädare", "Foretradare", ("representatives",), (
        Column("Namn", ("name",), "text", "företrädarens namn.", 22),
        Column("Roll", ("role",), "choice", "god man, förvaltare, vårdnadshavare eller närstående.", 16, choices=REPRESENTATIVE_ROLES),
        Column("Relation", ("relation",), "text", "fritext, t.ex. dotter.", 12),
        Column("Bevakar rätt", ("looks_after_rights",), "yesno", "Ja om företrädaren bevakar klientens rätt (bjuds in, får kopia).", 12),
        Column("Får brev", ("receives_letters",), "yesno", "Ja om företrädaren ska få en kopia av breven.", 10),
        *_address("Företrädarens"),
        *_phone_email("Företrädarens"),
        Column("Samtycke att informera", ("consent_to_inform",), "yesno", "Ja om klienten samtycker till att vi informerar personen, t.ex. mejlar minnesanteckningarna.", 12),
        Column("Förordnandet omfattar", ("scope",), "list", "god man eller förvaltare: rights (bevaka rätt), property (förvalta egendom), person (sörja för person), åtskilda med semikolon.", 22),
    ), "Klienternas företrädare: god man, förvaltare, vårdnadshavare och närstående (en rad per företrädare).",
        parent="Klienter", link=Column("Klient", ("id",), "ref", "klientens id på bladet Klienter.", 12, ref="Klienter")),
    Sheet("Mål", "Mal", ("care_plan", "goals"), (
        Column("Mål", (), "text", "ett mål i genomförandeplanen, en rad per mål.", 60),
    ), "Målen i klienternas genomförandeplaner (en rad per mål). Klienten behöver ett datum i Genomförandeplan uppdaterad.",
        parent="Klienter", link=Column("Klient", ("id",), "ref", "klientens id på bladet Klienter.", 12, ref="Klienter"),
        scalar_items=True),
    Sheet("Beslut", "Beslut", ("decisions",), (
        Column("Id", ("id",), "id", "beslutets nummer, t.ex. B-2023-0142; unikt.", 14),
        Column("Klient", ("client",), "ref", "klientens id på bladet Klienter.", 12, ref="Klienter"),
        Column("Handläggare", ("assessor",), "ref", "biståndshandläggarens id på bladet Personal.", 12, ref="Personal"),
        Column("Insatser", ("services",), "list", "en eller flera insatser, åtskilda med semikolon: HEMTJÄNST; LEDSAGNING.", 28),
        Column("Lag", ("law",), "choice", "SoL eller LSS.", 8, choices=LAWS),
        Column("Beslutsdatum", ("decided",), "date", "dagen beslutet fattades.", 14),
        Column("Gäller till", ("valid_until",), "date", "sista dagen för ett tidsbegränsat beslut; tomt om beslutet gäller tills vidare.", 14),
        Column("Verkställt", ("executed",), "yesno", "Nej = ej verkställt.", 10),
        Column("Orsak ej verkställt", ("not_executed_reason",), "text", "varför beslutet inte verkställts, för tavlan och listan till IVO.", 24),
    ), "Biståndsbeslut för biståndshandläggarnas uppföljningstavlor (en rad per beslut)."),
    Sheet("Uppföljningar", "Uppfoljningar", ("follow_ups",), (
        Column("Datum", ("date",), "date", "dagen uppföljningen gjordes.", 14),
        Column("Sätt", ("method",), "choice", "hur uppföljningen gjordes.", 14, choices=FOLLOW_UP_METHODS),
        Column("Resultat", ("outcome",), "choice", "oförändrat, nytt beslut eller avslutat.", 14, choices=FOLLOW_UP_OUTCOMES),
        Column("Orsak", ("reason",), "text", "varför insatsen avslutades; bara en antecknad orsak kommer med i händelsen.", 24),
        Column("Får beviljad hjälp", ("answers", "gets_granted_help"), "choice", "kvalitetsfråga 1: får klienten den hjälp som beviljats?", 12, choices=ANSWERS),
        Column("Planerat när", ("answers", "plans_when"), "choice", "kvalitetsfråga 2: har klienten fått vara med och planera när hjälpen ges?", 12, choices=ANSWERS),
        Column("Planerat hur", ("answers", "plans_how"), "choice", "kvalitetsfråga 3: har klienten fått vara med och planera hur hjälpen ges?", 12, choices=ANSWERS),
        Column("Mår bra", ("answers", "feels_good"), "choice", "kvalitetsfråga 4: mår klienten bra av insatsen?", 12, choices=ANSWERS),
    ), "Uppföljningar av besluten (en rad per uppföljning); den senaste visas på tavlan.",
        parent="Beslut", link=Column("Beslut", ("id",), "ref", "beslutets id på bladet Beslut.", 14, ref="Beslut")),
    Sheet("Uppföljningsår", "Uppfoljningsar", ("follow_up_years",), (
        Column("SoL", ("SoL",), "int", "år mellan uppföljningarna av ett beslut enligt SoL (rutinen säger 3).", 8),
        Column("LSS", ("LSS",), "int", "år mellan uppföljningarna av ett beslut enligt LSS (rutinen säger 3).", 8),
    ), "Hur ofta besluten följs upp (en rad); tomt betyder vart tredje år.", single=True),
    Sheet("Möten", "Moten", ("meetings",), (
        Column("Typ", ("kind",), "choice", "terminssamtal, månadsuppföljning eller hemgångssamtal.", 18, choices=MEETING_KINDS),
        Column("Klient", ("client",), "ref", "klientens id på bladet Klienter.", 12, ref="Klienter"),
        Column("Datum", ("date",), "date", "mötets dag.", 14),
        Column("Tid", ("time",), "clock", "klockslag, t.ex. 14.00.", 8),
        Column("Plats", ("place",), "text", "var mötet hålls.", 28),
        Column("Status", ("status",), "choice", "bokat, genomfört eller inställt.", 12, choices=MEETING_STATUSES),
        Column("Hålls av", ("held_by",), "ref", "medarbetarens id på bladet Personal.", 12, ref="Personal"),
        Column("Inbjudna", ("invitees",), "list", "namnen på dem som bjuds in, åtskilda med semikolon.", 30),
        Column("Vistelsen slutade", ("stay_ended",), "date", "hemgångssamtal: dagen korttidsvistelsen slutade.", 14),
        Column("Vistelsen slutade kl.", ("stay_ended_time",), "clock", "hemgångssamtal: klockslaget vistelsen slutade.", 10),
        Column("Sätt", ("method",), "choice", "hemgångssamtal: hur närstående fick informationen.", 14, choices=HOMECOMING_METHODS),
        Column("Sammanfattning", ("summary",), "text", "månadsuppföljning: vad brukaren sa, för journaltexten.", 40),
        Column("Talade med", ("spoken_with",), "text", "hemgångssamtal: vem personalen talade med (namn eller relation).", 16),
        Column("Förmedlat", ("passed_on",), "text", "hemgångssamtal: vad som förmedlades om vistelsen.", 40),
    ), "Terminssamtal, månadsuppföljningar och hemgångssamtal (en rad per möte)."),
    Sheet("Öppenvård", "Oppenvard", ("open_care",), (
        _id("insatsen", "ov-001"),
        Column("Klient", ("client",), "ref", "klientens id på bladet Klienter.", 12, ref="Klienter"),
        Column("Insats", ("service",), "text", "insatsens namn, t.ex. Föräldraskapsstöd.", 26),
        Column("Startade", ("started",), "date", "dagen insatsen startade.", 14),
        Column("Avslutades", ("ended",), "date", "dagen insatsen avslutades eller avbröts; tomt om den pågår.", 14),
        Column("Status", ("status",), "choice", "pågår, genomförd eller avbruten.", 12, choices=OPEN_CARE_STATUSES),
        Column("Behandlare", ("staff",), "ref", "medarbetarens id på bladet Personal.", 12, ref="Personal"),
        Column("Problem", ("problems",), "list", "problem vid start, åtskilda med semikolon.", 34),
        Column("Behov tillgodosett", ("needs_met",), "choice", "har insatsen svarat mot behovet? ja, delvis eller nej.", 12, choices=ANSWERS),
        Column("Situation efter", ("situation_after",), "choice", "klientens situation efter insatsen.", 14, choices=SITUATIONS),
    ), "Öppenvårdens insatser, för bilaga 1, 2 och 4 (en rad per insats)."),
    Sheet("Mottagare bilaga 3", "MottagareBilaga3", ("open_care_recipients",), (
        _id("mottagaren", "m-1"),
        Column("Namn", ("name",), "text", "personens eller verksamhetens namn.", 24),
        Column("Typ", ("kind",), "choice", "medarbetare, beställare eller samarbetspartner.", 18, choices=STAKEHOLDER_KINDS),
        Column("Organisation", ("organisation",), "text", "var mottagaren arbetar.", 26),
        Column("E-post", ("email",), "text", "mottagarens e-postadress.", 28),
        *_address("Mottagarens"),
    ), "Mottagare av öppenvårdens bilaga 3 (en rad per mottagare)."),
    Sheet("Enkät", "Enkat", ("survey",), (
        Column("År", ("year",), "int", "brukarundersökningens år.", 8),
        Column("Skickas ut", ("sent",), "date", "dagen Socialstyrelsen skickar ut enkäterna (årshjulet).", 14),
        Column("Svar senast", ("answer_by",), "date", "sista dag att svara på enkäten (står i brukarbrev 1).", 14),
        Column("Resultat kommer", ("results_published",), "date", "dagen resultatet kommer (årshjulet).", 14),
    ), "Brukarundersökningen (en rad): året och dess datum.", single=True),
    Sheet("Enkätresultat", "Enkatresultat", ("survey", "results"), (
        Column("Enhet", ("unit",), "ref", "enhetens id på bladet Enheter.", 14, ref="Enheter"),
        Column("Fråga", ("question",), "text", "frågan som i Socialstyrelsens resultat.", 48),
        Column("Resultat", ("value",), "number", "enhetens resultat i procent (0–100).", 10),
        Column("Kommunen", ("municipality",), "number", "kommunens resultat i procent.", 10),
        Column("Riket", ("national",), "number", "rikets resultat i procent.", 10),
        Column("Föregående år", ("previous",), "number", "enhetens resultat året innan, i procent.", 12),
    ), "Enkätresultat per enhet och fråga (en rad per fråga och enhet)."),
    Sheet("Åtgärder", "Atgarder", ("survey", "actions"), (
        Column("Enhet", ("unit",), "ref", "enhetens id på bladet Enheter.", 14, ref="Enheter"),
        Column("Text", ("text",), "text", "en planerad förbättring, skriven till klienten (brukarbrev 4).", 80),
    ), "Förbättringar som enheten planerar efter resultatet (brukarbrev 4)."),
    Sheet("Goda exempel", "GodaExempel", ("survey", "examples"), (
        Column("Enhet", ("unit",), "ref", "enhetens id på bladet Enheter.", 14, ref="Enheter"),
        Column("Text", ("text",), "text", "ett gott exempel från enheten (brukarbrev 3).", 80),
    ), "Goda exempel från enheterna (brukarbrev 3)."),
)

SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
