"""The command line: parses options and calls importable functions, nothing more.

Every ``FormkitError`` becomes one message on stderr and exit status 1 (``FormkitCLI.invoke``);
``UsageError`` and Click's own usage errors exit 2. Core code never prints or exits. ``-v`` shows
the steps (never personal data), ``-vv`` also the traceback of an unexpected error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from formkit import __version__, arshjul, cli_swedish, example, kvalitet
from formkit import check as checking
from formkit.board import boards
from formkit.board.boards import BoardOptions
from formkit.case import personnummer
from formkit.board import notexecuted
from formkit.board.notexecuted import NotExecutedOptions, Quarter
from formkit.case import convert as case_convert
from formkit.case.loading import json_schema
from formkit.case.workbook_write import workbook_reference
from formkit.errors import FormkitError
from formkit.case.loading import load_case
from formkit.letters import batch as letter_batch
from formkit.letters.batch import LetterOptions
from formkit.output import Output, report, write
from formkit.meetings import command as meeting_command
from formkit.meetings.command import MeetingOptions
from formkit.meetings import journal as meeting_journal
from formkit.opencare import forms as open_care
from formkit.opencare.forms import OpenCareOptions
from formkit.opencare.figures import Period
from formkit.periods import DAY_RANGE_TEXT, FIRST_DAY, LAST_DAY
from formkit.web import server

cli_swedish.install()  # Click's own words (Usage, Options, its errors) in Swedish
T = TypeVar("T")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
log = logging.getLogger("formkit")


INTERRUPTED = 130  # the shell's convention for a run stopped by a signal


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


class FormkitCLI(cli_swedish.SwedishGroup):
    """Maps formkit's errors to exit 1 with one clear message, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        # SIGTERM (a closed terminal, a stopped service) ends the run like Ctrl-C: the staging
        # folder is removed and the output folder is left as it was.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            return super().invoke(ctx)
        except FormkitError as exc:
            log.debug("%s", type(exc).__name__, exc_info=True)
            # the messages never repeat a personal number; masking here is the last guard
            click.echo(f"formkit: {personnummer.mask(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("formkit: avbrutet. Inget har skrivits; mappen är som förut.", err=True)
            ctx.exit(INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (formkit … | head): Click exits quietly
            raise
        except Exception as exc:  # the last resort, for a bug: say so plainly, the traceback with -vv
            if log.isEnabledFor(logging.DEBUG):
                traceback.print_exc()
            click.echo(
                f"formkit: ett oväntat fel inträffade ({type(exc).__name__}). Inget halvfärdigt har skrivits. "
                "Kör igen med -vv för att se felet i detalj, och rapportera det.",
                err=True,
            )
            ctx.exit(1)


# --- options shared by the commands ---------------------------------------------------------

CASE_ARGUMENT = click.argument("case", metavar="ÄRENDEFIL", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def verbosity_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """-q and -v, on every command."""

    @click.option("-q", "--quiet", is_flag=True, help="Skriv inget utom fel.")
    @click.option("-v", "--verbose", count=True, help="Berätta mer (-vv: felsökning).")
    @wraps(func)
    def wrapper(*args: Any, quiet: bool, verbose: int, **kwargs: Any) -> Any:
        level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
        logging.basicConfig(level=level, format="formkit: %(message)s", stream=sys.stderr, force=True)
        ctx = click.get_current_context()
        ctx.meta["quiet"] = quiet
        return func(*args, **kwargs)

    return wrapper


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--templates, -o/--out, -q and -v, defined once for every command that writes."""

    templates = click.option(
        "--templates", "templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Mapp med egna mallar; de ersätter de medföljande med samma filnamn.",
    )
    out = click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=Path("ut"), show_default=True, metavar="MAPP",
                       help="Mapp där resultatet skrivs.")
    return templates(out(verbosity_options(func)))


def progress(items: Iterable[T], label: str, length: int | None = None) -> Iterable[T]:
    """A progress bar on a terminal (not with -q, not when output is piped)."""
    ctx = click.get_current_context()
    if ctx.meta.get("quiet") or not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label=label, length=length, file=sys.stderr) as bar:
        yield from bar


def say(message: str) -> None:
    """The summary at the end of a command (suppressed by -q)."""
    if message and not click.get_current_context().meta.get("quiet"):
        click.echo(message)


def write_and_report(output: Output, out: Path, *, pdf: bool = False) -> None:
    """The one way every command writes: the family's plan, committed by ``output.write``."""
    written = write(output, out, pdf=pdf, progress=progress) if output.files else None
    if output.text:
        say(output.text)
    say(report(output, written))


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2026-11-22") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise click.BadParameter(f"{value} är inget rimligt datum; skriv ett datum {DAY_RANGE_TEXT}")
    return day


# --- commands ------------------------------------------------------------------------------

@click.group(cls=FormkitCLI, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="formkit", message="%(prog)s %(version)s")
def main() -> None:
    """formkit fyller Word- och Excelmallar från en ärendefil (YAML eller Excel).

    \b
    Kom igång:
      formkit init demo                      exempeldata och mallar i mappen demo
      formkit check demo/arenden.yaml        kontrollera data och mallar
      formkit check demo/arenden.xlsx        samma uppgifter i Excel
      formkit letters demo/arenden.yaml -n 1 brukarbrev 1 till hemtjänstens klienter
    """


@main.command()
@click.argument("folder", metavar="[MAPP]", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@verbosity_options
def init(folder: Path) -> None:
    """Skriv en exempelfil (påhittade personer) och mallarna att anpassa.

    \b
    Exempel:
      formkit init demo
    """
    write_and_report(example.plan(folder, dt.date.today()), folder)


@main.command()
@CASE_ARGUMENT
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Mapp med egna mallar att kontrollera i stället för de medföljande.")
@verbosity_options
def check(case: Path, templates: Path | None) -> None:
    """Kontrollera ärendefilen och varje mall; lista alla problem på en gång.

    \b
    Exempel:
      formkit check arenden.yaml
      formkit check arenden.yaml --templates mina-mallar
    """
    report = checking.check_all(case, templates)
    say(report)


@main.command()
@click.argument("family", metavar="[FAMILJ]", required=False)
@verbosity_options
def fields(family: str | None) -> None:
    """Visa vilka fält en mall kan använda, med förklaring.

    FAMILJ är t.ex. letters, forms, sheets eller ett mallnamn som brukarbrev-1.docx.

    \b
    Exempel:
      formkit fields letters
    """
    click.echo(checking.describe_fields(family))


@main.command()
@click.option("--workbook", "workbook", is_flag=True,
              help="Beskriv i stället Excel-arbetsbokens blad och kolumner (arenden.xlsx).")
@verbosity_options
def schema(workbook: bool) -> None:
    """Skriv ärendefilens JSON Schema, för en editor som kan komplettera och kontrollera YAML,
    eller (--workbook) arbetsbokens blad och kolumner med förklaring.

    \b
    Exempel:
      formkit schema > formkit.schema.json
      formkit schema --workbook
    """
    click.echo(workbook_reference() if workbook else json.dumps(json_schema(), ensure_ascii=False, indent=2))


@main.command()
@click.argument("source", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Skriv över OUT om den finns.")
@verbosity_options
def convert(source: Path, target: Path, force: bool) -> None:
    """Gör om ärendefilen mellan YAML och Excel-arbetsbok (åt båda hållen, efter filändelsen).

    Filen kontrolleras först; har den fel listas de i stället.

    \b
    Exempel:
      formkit convert arenden.yaml arenden.xlsx
      formkit convert arenden.xlsx arenden.yaml --force
    """
    write_and_report(case_convert.plan(source, target, overwrite=force), target.parent)


# Output families add their commands below.


@main.command()
@CASE_ARGUMENT
@click.option("--assessor", "assessor", metavar="ID", help="Bara denna biståndshandläggares tavla (staff-id).")
@click.option("--journal", "journal", metavar="BESLUT-ID|alla",
              help="Skriv händelsetexten för beslutets senaste uppföljning och meddelandet till utförarens "
                   "funktionsbrevlåda (ingen fil skrivs); 'alla' skriver en textfil per beslut i mappen journal.")
@click.option("--ej-verkstallda", "not_executed", is_flag=True,
              help="Skriv kvartalets lista över ej verkställda beslut äldre än tre månader (underlag till IVO).")
@click.option("--kvartal", "quarter", metavar="ÅÅÅÅ-KN", help="Kvartalet för --ej-verkstallda, t.ex. 2026-K3 "
              "(standard: kvartalet som pågår).")
@click.option("--date", "today", callback=parse_date, metavar="ÅÅÅÅ-MM-DD", help="Dagens datum (standard: i dag).")
@common_options
def board(case: Path, assessor: str | None, journal: str | None, not_executed: bool, quarter: str | None,
          today: dt.date | None, out: Path, templates: Path | None) -> None:
    """Gör uppföljningstavlan (Excel) för varje biståndshandläggare, utan att tappa det du skrivit.

    En rad per beslut, sorterad efter nästa uppföljning. Färgerna (röd, gul, grön) räknas om i
    Excel varje dag. Dina anteckningar och egna rader följer med när tavlan görs om; den tidigare
    versionen sparas i mappen sakerhetskopior. En tavla som är öppen skrivs inte över.

    \b
    Exempel:
      formkit board arenden.yaml
      formkit board arenden.yaml --assessor bh-1 -o tavlor
      formkit board arenden.yaml --journal B-2024-0229
      formkit board arenden.yaml --journal alla
      formkit board arenden.yaml --ej-verkstallda --kvartal 2026-K3
    """
    loaded = load_case(case)
    if journal == "alla":
        write_and_report(boards.journal_output(loaded, assessor), out)
        return
    if journal is not None:
        click.echo(boards.journal_text(loaded, journal))
        return
    if not_executed:
        options = NotExecutedOptions(quarter=Quarter.parse(quarter) if quarter else None, assessor=assessor,
                                     today=today or dt.date.today(), templates=templates)
        write_and_report(notexecuted.plan(loaded, options), out)
        return
    now = dt.datetime.now() if today is None else dt.datetime.combine(today, dt.datetime.now().time())
    write_and_report(boards.plan(loaded, BoardOptions(assessor=assessor, folder=out, templates=templates, now=now)), out)


@main.command()
@CASE_ARGUMENT
@click.option("-n", "--number", "number", required=True, type=click.Choice(["1", "2", "3", "4"]),
              help="Vilket brukarbrev: 1 enkäten kommer, 2 tack, 3 synpunkter och klagomål, 4 resultatet.")
@click.option("--unit", "unit_id", metavar="ID", help="Bara den här enheten (standard: alla hemtjänstenheter).")
@click.option("--clients", "client_list", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Din egen klientlista (.xlsx eller .csv) i stället för ärendefilens klienter.")
@click.option("--all-clients", "all_clients", is_flag=True,
              help="Alla enhetens klienter, inte bara enkätens målgrupp (65 år eller äldre med gällande hemtjänstbeslut).")
@click.option("--pdf", "make_pdf", is_flag=True, help="Gör också PDF av utskriftsfilen och varje brev (kräver LibreOffice).")
@click.option("--date", "today", callback=parse_date, metavar="ÅÅÅÅ-MM-DD", help="Datum i breven (standard: i dag).")
@common_options
def letters(case: Path, number: str, unit_id: str | None, client_list: Path | None, all_clients: bool, make_pdf: bool,
            today: dt.date | None, templates: Path | None, out: Path) -> None:
    """Skriv brukarbrev 1–4 till enhetens klienter: ett brev per mottagare, en utskriftsfil,
    en adresslista och en förteckning.

    Breven går till enkätens målgrupp: 65 år eller äldre med gällande beslut om hemtjänst (övriga
    står som överhoppade; --all-clients tar med alla). Företrädare som bevakar klientens rätt och
    ska få brev får en kopia. Brev till klienter med
    skyddad identitet saknar adress och läggs i mappen skyddad-identitet/ med ett innerkuvert,
    för att skickas via Skatteverket.

    \b
    Exempel:
      formkit letters arenden.yaml -n 1
      formkit letters arenden.yaml -n 4 --unit ht-norra --pdf -o ut/brev-4
      formkit letters arenden.yaml -n 1 --clients klientlista.xlsx
    """
    options = LetterOptions(number=int(number), unit=unit_id, client_list=client_list, all_clients=all_clients,
                            templates=templates, today=today or dt.date.today())
    write_and_report(letter_batch.plan(load_case(case), options), out, pdf=make_pdf)


@main.command()
@CASE_ARGUMENT
@click.option("--kind", type=click.Choice(["term", "monthly", "homecoming"]),
              help="term = terminssamtal, monthly = månadsuppföljning, homecoming = hemgångssamtal.")
@click.option("--client", "client_id", metavar="ID", help="Bara den här klienten.")
@click.option("--support-person", "support_person", metavar="ID", help="Bara den här stödpersonens klienter.")
@click.option("--minutes", "minutes", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="ANTECKNINGAR.yaml",
              help="Fyll i minnesanteckningarna från en anteckningsfil (med --kind term).")
@click.option("--due", is_flag=True, help="Visa vad som saknas: terminssamtal, månadsuppföljningar, sena hemgångssamtal.")
@click.option("--journal", "journal", metavar="KLIENT-ID|alla",
              help="Skriv journaltexten för klientens senast hållna möte (med --kind: bara det slaget); "
                   "'alla' skriver en textfil per hållet möte i mappen journal.")
@click.option("--at", "at", callback=parse_date, metavar="ÅÅÅÅ-MM-DD", help="Räkna som om det vore detta datum.")
@click.option("--team-day", "team_day", type=click.Choice(["måndag", "tisdag", "onsdag", "torsdag", "fredag"]),
              help="Veckodag för verksamhetsmötet (rullande schema). Standard: enhetens meeting_day i "
                   "ärendefilen, annars tisdag.")
@click.option("--pdf", "make_pdf", is_flag=True, help="Gör också PDF (kräver LibreOffice).")
@common_options
def meetings(case: Path, kind: str | None, client_id: str | None, support_person: str | None, minutes: Path | None,
             due: bool, journal: str | None, at: dt.date | None, team_day: str | None, make_pdf: bool, templates: Path | None, out: Path) -> None:
    """Blanketter för stödpersoner: terminssamtal, månadsuppföljning och hemgångssamtal.

    Skriver en fil per klient och en samlad utskriftsfil per stödperson.

    \b
    Exempel:
      formkit meetings arenden.yaml --kind term --support-person sp-1
      formkit meetings arenden.yaml --kind monthly --at 2026-11-01 --pdf
      formkit meetings arenden.yaml --kind term --minutes anteckningar.yaml
      formkit meetings arenden.yaml --due --at 2026-11-22
      formkit meetings arenden.yaml --journal b-027 --kind term
    """
    if journal == "alla":
        write_and_report(meeting_journal.journal_output(load_case(case), kind), out)
        return
    if journal is not None:
        click.echo(meeting_journal.client_text(load_case(case), journal, kind))
        return
    options = MeetingOptions(kind=kind, client=client_id, support_person=support_person, notes=minutes, due=due,
                             team_day=team_day, templates=templates, today=at or dt.date.today())
    write_and_report(meeting_command.plan(load_case(case), options), out, pdf=make_pdf)


def _period_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return Period.parse(value).code
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@CASE_ARGUMENT
@click.option("--appendix", "appendix", required=True, type=click.Choice(["1", "2", "3", "4"]),
              help="1 bakgrundsinformation, 2 frågor efter avslutad insats, 3 frågor till medarbetare, "
                   "beställare och samarbetspartner, 4 sammanställningen med diagram.")
@click.option("--period", "period", callback=_period_option, metavar="ÅÅÅÅ-Tn|ÅÅÅÅ",
              help="T1 januari–april, T2 maj–augusti, T3 september–december, eller ett helt år (2026). "
                   "Standard: bilaga 4 den senast avslutade tertialen, bilaga 1–2 den pågående, bilaga 3 i år.")
@click.option("--threshold", "threshold", type=click.IntRange(min=1), default=5, show_default=True, metavar="ANTAL",
              help="Bilaga 4: antal under gränsen visas som <5 (1 = visa alla antal).")
@click.option("--client", "client_id", metavar="ID", help="Bilaga 1–2: bara den här klientens insatser.")
@click.option("--pdf", "make_pdf", is_flag=True, help="Gör också PDF av utskriftsfilen (kräver LibreOffice).")
@click.option("--date", "today", callback=parse_date, metavar="ÅÅÅÅ-MM-DD", help="Dagens datum i dokumenten (standard: i dag).")
@common_options
def opencare(case: Path, appendix: str, period: str | None, threshold: int, client_id: str | None, make_pdf: bool,
             today: dt.date | None, templates: Path | None, out: Path) -> None:
    """Öppenvårdens bilagor 1–4: blanketter och sammanställningen med diagram.

    Bilaga 1 för varje insats som började under perioden, bilaga 2 för varje insats som
    avslutades eller avbröts, bilaga 3 till alla under open_care_recipients (skickas i februari,
    svar senast 1 mars) och bilaga 4 som Excel med diagram och Word för ledningsgruppen.

    \b
    Exempel:
      formkit opencare arenden.yaml --appendix 4 --period 2026-T1
      formkit opencare arenden.yaml --appendix 2 --period 2026 --pdf -o ut/bilaga-2
      formkit opencare arenden.yaml --appendix 3 --period 2027
    """
    options = OpenCareOptions(appendix=int(appendix), period=period, threshold=threshold, client=client_id,
                              source=str(case), templates=templates, today=today or dt.date.today())
    write_and_report(open_care.plan(load_case(case), options), out, pdf=make_pdf)


@main.command("kvalitet")
@CASE_ARGUMENT
@click.option("--team", "team", metavar="ID", help="Bara det här teamet (fältet team hos biståndshandläggarna).")
@click.option("--period", "period", callback=_period_option, metavar="ÅÅÅÅ|ÅÅÅÅ-Tn",
              help="Ett år (2026) eller en tertial (2026-T1). Standard: i år.")
@click.option("--threshold", "threshold", type=click.IntRange(min=1), default=5, show_default=True,
              help="Antal under gränsen visas som <5 (1 = visa alla antal).")
@click.option("--date", "today", callback=parse_date, metavar="ÅÅÅÅ-MM-DD", help="Dagens datum (standard: i dag).")
@common_options
def kvalitet_command(case: Path, team: str | None, period: str | None, threshold: int, today: dt.date | None,
                     templates: Path | None, out: Path) -> None:
    """Teamets kvalitetsfil: de fyra frågorna från varje uppföljning, som andelar och diagram.

    En rad per uppföljning (klientens id, aldrig personnummer), andelen Ja/Delvis/Nej per fråga
    och månad och per biståndshandläggare, ett diagram per fråga. Små antal döljs som i bilaga 4.
    Kommentarer och rader som teamet lagt till finns kvar när filen görs om.

    \b
    Exempel:
      formkit kvalitet arenden.yaml
      formkit kvalitet arenden.yaml --team team-norr --period 2026
    """
    options = kvalitet.KvalitetOptions(templates=templates, today=today or dt.date.today(), folder=out, team=team,
                                       period=Period.parse(period) if period else None, threshold=threshold)
    write_and_report(kvalitet.plan(load_case(case), options), out)


@main.command("arshjul")
@CASE_ARGUMENT
@click.option("--year", "year", type=click.IntRange(2000, 2100), metavar="ÅÅÅÅ", help="Vilket år (standard: i år).")
@click.option("--unit", "unit_id", metavar="ID", help="Bara den här enheten (standard: alla enheter som en rutin gäller för).")
@click.option("--pdf", "make_pdf", is_flag=True, help="Gör också PDF av checklistan (kräver LibreOffice).")
@click.option("--date", "today", callback=parse_date, metavar="ÅÅÅÅ-MM-DD", help="Dagens datum (standard: i dag).")
@common_options
def arshjul_command(case: Path, year: int | None, unit_id: str | None, make_pdf: bool, today: dt.date | None,
                    templates: Path | None, out: Path) -> None:
    """Årshjulet: varje rutins steg under året, som kalender (.ics) och checklista (Excel).

    Ett steg per rad och händelse: vad, när (enhetens mötesdag i rutinens månad, eller
    brukarundersökningens datum i ärendefilen), vem som ansvarar, vad som ska förberedas och
    vilket formkit-kommando som gör dokumentet. Kalendern importeras i Outlook med en
    påminnelse per steg; i checklistan väljer ni status, och passerade steg som inte är klara
    blir röda. Status och kommentarer följer med när checklistan görs om.

    \b
    Exempel:
      formkit arshjul arenden.yaml --year 2027
      formkit arshjul arenden.yaml --year 2027 --unit ht-norra --pdf
    """
    options = arshjul.ArshjulOptions(templates=templates, today=today or dt.date.today(), folder=out, year=year,
                                     unit=unit_id, case_name=case.name)
    write_and_report(arshjul.plan(load_case(case), options), out, pdf=make_pdf)


@main.command("web")
@click.argument("target", type=click.Path(exists=True, path_type=Path), default=Path("."), metavar="[ÄRENDEFIL_ELLER_MAPP]")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port på 127.0.0.1 (standard: en ledig).")
@click.option("--no-browser", "no_browser", is_flag=True, help="Öppna inte webbläsaren; skriv bara ut adressen.")
@verbosity_options
def web_command(target: Path, port: int, no_browser: bool) -> None:
    """Samma jobb på en webbsida som bara visas på den här datorn.

    Sidan öppnas i webbläsaren. Adressen innehåller en engångsnyckel; dela den inte. Stäng med
    knappen Stäng på sidan eller Ctrl-C här; sidan stänger sig själv efter två timmar utan
    användning, och de tillfälliga filerna tas bort.

    \b
    Exempel:
      formkit web demo
      formkit web demo/arenden.yaml --port 8765 --no-browser
    """

    def announce(url: str) -> None:
        click.echo(f"formkit: sidan finns på {url}")
        click.echo("formkit: stäng med Ctrl-C (eller knappen Stäng på sidan).")

    try:
        server.serve(target, port=port, open_browser=not no_browser, announce=announce)
    except KeyboardInterrupt:
        click.echo("formkit: sidan är stängd; de tillfälliga filerna är borttagna.")
