"""Click's own words in Swedish: "Användning:", "Alternativ:", "Visa den här hjälpen och avsluta.",
"Det finns inget alternativ …", "Fel: …".

Why this way: Click marks its strings for gettext (``_("Usage:")``) but ships no Swedish
catalogue, and a ``.mo`` file would have to be installed beside the package and chosen through
the user's locale (an English locale on a Swedish municipal laptop is common). Every Click
module binds ``_``/``ngettext`` from :mod:`gettext` as module globals and looks them up at call
time, so :func:`install` points those globals at this table instead. It works the same in Click
8.1 to 8.5; a string a future Click adds stays English until it is added here, and
``tests/test_cli_swedish.py`` reads Click's own source to fail on any string missing from the
table. Nothing else in formkit changes: only Click's modules are touched.
"""

from __future__ import annotations

import gettext as _gettext
import importlib
import pkgutil
import sys

import click

# Click's message ids (English, exactly as in Click's source) -> Swedish.
MESSAGES: dict[str, str] = {
    # help pages
    "Usage:": "Användning:",
    "Options": "Alternativ",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljövariabel: {var}",
    "required": "krävs",
    "(dynamic)": "(beräknas)",
    "deprecated": "utgår",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Varning: kommandot {name!r} utgår.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Varning: {param_type} {name!r} utgår.{extra_message}",
    "Do you want to continue?": "Vill du fortsätta?",
    "Confirm the action without prompting.": "Bekräfta utan att fråga.",
    # errors
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "Aborted!": "Avbrutet.",
    "Missing command.": "Ange ett kommando.",
    "Missing argument": "Det saknas ett argument:",
    "Missing option": "Det saknas ett alternativ:",
    "Missing parameter": "Värde saknas",
    "Missing parameter: {param_name}": "Värde saknas: {param_name}",
    "Missing {param_type}": "{param_type} saknas",
    "No such option: {name}": "Det finns inget alternativ {name}.",
    "No such option {name!r}.": "Det finns inget alternativ {name!r}.",
    "No such command {name!r}.": "Det finns inget kommando {name!r}.",
    "No such command '{name}'.": "Det finns inget kommando '{name}'.",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Could not open file {filename!r}: {message}": "Kunde inte öppna filen {filename!r}: {message}",
    "unknown error": "okänt fel",
    "Value must be an iterable.": "Värdet ska vara en lista.",
    "Name '{name}' defined twice": "Namnet '{name}' finns två gånger",
    "Could not determine name for option with declarations {decls!r}":
        "Kunde inte bestämma namnet på alternativet {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?":
        "Inga alternativ men ett namn ({name}). Menade du ett argument, eller '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Ett argument ska ha exakt ett namn, men har {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Alternativet {decl!r} kan inte ha samma flagga för sant och falskt.",
    "Invalid start character for option ({option})": "Ogiltigt första tecken i alternativet ({option})",
    "Option {name!r} does not take a value.": "Alternativet {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    # types
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "Choice({choices})": "Val({choices})",
    "{value} is not in the range {range}.": "{value} ligger inte i intervallet {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är inget ja/nej-värde. Giltiga värden: {states}",
    "{value!r} is not a valid {number_type}.": "{value!r} är inget giltigt {number_type}.",
    "{value!r} is not a valid UUID.": "{value!r} är inget giltigt UUID.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva till.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "{name} '{filename}' does not exist.": "{name} '{filename}' finns inte.",
    "{name} '{filename}' is a file.": "{name} '{filename}' är en fil.",
    "{name} '{filename}' is a directory.": "{name} '{filename}' är en mapp.",
    "{name} '{filename}' is not readable.": "{name} '{filename}' går inte att läsa.",
    "{name} '{filename}' is not writable.": "{name} '{filename}' går inte att skriva till.",
    "{name} '{filename}' is not executable.": "{name} '{filename}' går inte att köra.",
    # terminal
    "Press any key to continue...": "Tryck på en tangent för att fortsätta …",
    "Repeat for confirmation": "Upprepa för att bekräfta",
    "Error: The two entered values do not match.": "Fel: de två värdena är inte lika.",
    "Error: invalid input": "Fel: ogiltig inmatning",
    "Unknown color {colour!r}": "Okänd färg {colour!r}",
    "Unknown standard stream '{name}'": "Okänd standardström '{name}'",
    "{editor}: Editing failed": "{editor}: redigeringen misslyckades",
    "{editor}: Editing failed: {e}": "{editor}: redigeringen misslyckades: {e}",
    "Windows error: {error}": "Windows-fel: {error}",
    "d": "d",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Kunde inte avgöra Bash-versionen; komplettering i skalet fungerar inte.",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Komplettering i skalet kräver Bash 4.4 eller senare.",
}

# (singular, plural) -> (Swedish singular, Swedish plural)
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Ett argument för mycket ({args})", "Argument för mycket ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Tar {nargs} värden men fick 1.", "Tar {nargs} värden men fick {len}."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Menade du {possibility}?", "(Menade du något av: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Alternativet {name!r} behöver ett värde.", "Alternativet {name!r} behöver {nargs} värden."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} är inte {choice}.", "{value!r} är inte något av {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} har inte formatet {format}.", "{value!r} har inget av formaten {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} värden krävs, men {len_value} angavs.", "{len_type} värden krävs, men {len_value} angavs."),
}

# The names of Click's value types, which it shows in upper case where an option has no
# metavar of its own (``--threshold INTEGER RANGE``) and in its messages ("… is not a valid integer").
TYPE_NAMES: dict[str, str] = {
    "IntParamType": "heltal", "IntRange": "heltal", "FloatParamType": "decimaltal", "FloatRange": "decimaltal",
    "BoolParamType": "ja/nej", "DateTime": "datum", "File": "fil", "StringParamType": "text",
}

OPTIONS_METAVAR = "[ALTERNATIV]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    swedish = PLURALS.get((singular, plural))
    if swedish is None:
        return singular if n == 1 else plural
    return swedish[0] if n == 1 else swedish[1]


def click_modules() -> list:
    """Every module of the installed Click that can be imported here (``_winconsole`` only on
    Windows)."""
    return [importlib.import_module(f"click.{info.name}") for info in pkgutil.iter_modules(click.__path__)
            if info.name != "_winconsole" or sys.platform == "win32"]


def install() -> None:
    """Point Click's ``_`` and ``ngettext`` at the Swedish table (idempotent)."""
    for class_name, swedish in TYPE_NAMES.items():
        kind = getattr(click.types, class_name, None)
        if isinstance(kind, type) and isinstance(getattr(kind, "name", None), str):
            kind.name = swedish
    for module in click_modules():
        if getattr(module, "_", None) in (_gettext.gettext, gettext):
            module._ = gettext
        if getattr(module, "ngettext", None) in (_gettext.ngettext, ngettext):
            module.ngettext = ngettext


class SwedishCommand(click.Command):
    """A command whose usage line says ``[ALTERNATIV]`` (Click's default is ``[OPTIONS]``,
    a constructor default rather than a translated string)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


class SwedishGroup(click.Group):
    """A group with Swedish usage words whose subcommands are :class:`SwedishCommand`."""

    command_class = SwedishCommand

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
