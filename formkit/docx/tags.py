"""Template tags read as Word and LibreOffice write them.

A user types ``{{ client.name }}`` once; the XML that Word or LibreOffice saves may hold it
split over runs (formatting, proofing marks, a bookmark, a tracked insertion), with smart
quotes, non-breaking spaces, or XML entities (LibreOffice writes ``&quot;`` and ``&apos;``).
``prepare`` turns a part's XML into the Jinja source that means what the user typed:

* tracked changes are accepted: a tracked deletion is not part of the template, a tracked
  insertion is (``check`` says the template has tracked changes);
* bookmarks and comment ranges that Word put inside a tag are moved just outside it, so that
  joining the tag's runs (docxtpl's ``patch_xml``) keeps them, and a REF still finds its
  bookmark;
* docxtpl's documented forms work: ``{%p %}``, ``{%tr %}``, ``{%tc %}``, ``{%r %}`` and the
  ``{_{ … }_}`` / ``{_% … %_}`` escapes, which print the braces as text; ``{{r x }}`` (for
  docxtpl's RichText objects, which formkit's plain values are not) prints like ``{{ x }}``;
* inside a tag, entities, smart quotes and non-breaking spaces become what Jinja reads;
* Word's paragraph ids (``w14:paraId``/``w14:textId``, optional, unique in a document) are
  dropped: a loop or a second letter would repeat them; so is Word's hidden ``_GoBack``
  bookmark (where the cursor last was).

``broken_tags`` finds what Word broke so that it would not render (a tag not closed, ``{ {``),
so that both ``check`` and every command refuse it instead of printing raw braces.
"""

from __future__ import annotations

import re

from docxtpl import DocxTemplate

# a tracked deletion or move-away holds text that is not in the document any more; the
# opening element is not self-closing (a deleted paragraph mark is <w:del .../> in w:rPr)
DELETED = re.compile(r"<w:(del|moveFrom)\b[^>]*(?<!/)>.*?</w:\1>", re.DOTALL)
INSERTED = re.compile(r"</?w:(?:ins|moveTo)\b[^>]*(?<!/)>")
TRACKED = re.compile(r"<w:(?:ins|del|moveFrom|moveTo)\b[^>]*(?<!/)>")
# a tag whose braces may be split by XML, within one paragraph
TAG_IN_XML = re.compile(r"\{(?:<[^>]*>)*[{%#](?:(?!</w:p>).)*?[}%#](?:<[^>]*>)*\}", re.DOTALL)
MARKER = re.compile(r"<w:(bookmarkStart|bookmarkEnd|commentRangeStart|commentRangeEnd|permStart|permEnd)\b[^>]*/>")
OPENING_MARKERS = {"bookmarkStart", "commentRangeStart", "permStart"}
TAG = re.compile(r"\{[{%#].*?[}%#]\}")
PARAGRAPH_IDS = re.compile(r' w14:(?:paraId|textId)="[^"]*"')
# Word's hidden bookmark for where the cursor last was (Skift+F5), in most documents Word saves
GO_BACK = re.compile(r'<w:bookmarkStart\b(?=[^>]*\bw:name="_GoBack")[^>]*\bw:id="(-?\d+)"[^>]*/>')
IN_TAG = {
    "&quot;": '"', "&#34;": '"', "&apos;": "'", "&#39;": "'", "&#8216;": "'", "&#8217;": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ",
}
IN_TAG_PATTERN = re.compile("|".join(map(re.escape, IN_TAG)) + "|&amp;")
# docxtpl's escapes print braces as text; made Jinja expressions so no value is ever rewritten
ESCAPES = {"{_{": "{{ '{{' }}", "}_}": "{{ '}}' }}", "{_%": "{{ '{%' }}", "%_}": "{{ '%}' }}"}
ESCAPE_PATTERN = re.compile("|".join(map(re.escape, ESCAPES)))
# {{r x }} prints docxtpl's RichText (run XML); formkit's values are plain text, so it prints
# the value as {{ x }} does, in the run the tag stands in
RICH_TEXT = re.compile(r"(\{(?:<[^>]*>)*\{(?:<[^>]*>)*)r(?=\s)")
COLUMN_LOOP = re.compile(r"\{[{%]tc\s")
TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)


def has_tracked_changes(xml: str) -> bool:
    return TRACKED.search(xml) is not None


def accept_tracked_changes(xml: str) -> str:
    """The XML as it reads with every tracked change accepted."""
    if not TRACKED.search(xml):
        return xml
    return INSERTED.sub("", DELETED.sub("", xml))


def move_markers_out_of_tags(xml: str) -> str:
    """Bookmarks, comment ranges and permissions inside a tag, moved just outside the runs the
    tag spans (starts before, ends after), so that joining the tag's runs does not drop them."""
    if "<w:bookmark" not in xml and "<w:commentRange" not in xml and "<w:perm" not in xml:
        return xml
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end
    for tag in TAG_IN_XML.finditer(xml):
        markers = list(MARKER.finditer(tag.group()))
        if not markers:
            continue
        before = "".join(m.group() for m in markers if m.group(1) in OPENING_MARKERS)
        after = "".join(m.group() for m in markers if m.group(1) not in OPENING_MARKERS)
        run_start = max(xml.rfind("<w:r>", 0, tag.start()), xml.rfind("<w:r ", 0, tag.start()))
        run_end = xml.find("</w:r>", tag.end())
        if run_start < 0 or run_end < 0:
            continue
        run_end += len("</w:r>")
        inner = MARKER.sub("", xml[run_start:run_end])
        edits.append((run_start, run_end, before + inner + after))
    for start, end, replacement in reversed(edits):
        xml = xml[:start] + replacement + xml[end:]
    return xml


def clean_tag(match: re.Match[str]) -> str:
    return IN_TAG_PATTERN.sub(lambda m: IN_TAG.get(m.group(), "&"), match.group())


def drop_go_back(xml: str) -> str:
    """The XML without Word's ``_GoBack`` bookmark: it means nothing in a letter, and a bookmark
    in a template sends every letter of a batch the slow way through the print file (its id
    must be made unique per letter)."""
    found = GO_BACK.search(xml)
    if found is None:
        return xml
    end = re.compile(rf'<w:bookmarkEnd\b[^>]*\bw:id="{found.group(1)}"[^>]*/>')
    return end.sub("", xml[: found.start()] + xml[found.end():], count=1)


def join_tags(xml: str) -> str:
    """The part's XML with every tag in one piece of text and written as Jinja reads it (before
    escapes are turned into expressions: ``broken_tags`` reads this form)."""
    xml = RICH_TEXT.sub(r"\1", move_markers_out_of_tags(accept_tracked_changes(drop_go_back(PARAGRAPH_IDS.sub("", xml)))))
    patched = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]  # uses no state
    return TAG.sub(clean_tag, patched)


def paragraph_lines(joined: str) -> str:
    """Each paragraph on a new line, so that Jinja's line numbers point at a paragraph (the
    renderer takes the line breaks out again)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", joined)


def to_source(lined: str) -> str:
    """The Jinja source: docxtpl's escapes made expressions that print the braces."""
    return ESCAPE_PATTERN.sub(lambda m: ESCAPES[m.group()], lined)


def has_column_loop(xml: str) -> bool:
    """Whether the part has a ``{%tc %}`` column loop (its table grid is fixed after rendering)."""
    return "tc" in xml and any(COLUMN_LOOP.search(text) for text in paragraph_texts(accept_tracked_changes(xml)))


def paragraph_texts(xml: str) -> list[str]:
    """The visible text of each paragraph, for messages that say where a problem is."""
    return ["".join(TEXT.findall(para)) for para in PARAGRAPH.findall(xml)]


def line_text(line: str) -> str:
    """The visible text of one line of a source (a paragraph, or a property's XML)."""
    return "".join(TEXT.findall(line)) if "<w:t" in line else re.sub(r"<[^>]+>", " ", line)


def broken_tags(lined: str) -> list[tuple[int, str]]:
    """(line, Swedish message) for each tag Word broke so that it will not render."""
    problems = []
    for lineno, line in enumerate(lined.splitlines(), start=1):
        if "{" not in line and "}" not in line:
            continue
        text = line_text(line)
        plain = ESCAPE_PATTERN.sub("", text)
        if re.search(r"\{\s+[{%]|[}%]\s+\}", plain):
            problems.append((lineno, "en tagg har ett mellanslag mellan klammerparenteserna ('{ {'); skriv '{{' utan mellanslag"))
            continue
        opens, closes = len(re.findall(r"\{\{", plain)), len(re.findall(r"\}\}", plain))
        block_opens, block_closes = len(re.findall(r"\{%", plain)), len(re.findall(r"%\}", plain))
        if opens != closes or block_opens != block_closes:
            problems.append((lineno, "en tagg är inte stängd eller inte öppnad ({{ … }} eller {% … %}); kontrollera klammerparenteserna"))
    return problems
