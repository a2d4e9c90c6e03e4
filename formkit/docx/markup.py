"""What a template's own text tells about every document rendered from it.

A print file can do some of its work on a letter's bytes, by pattern, and trust a letter's XML
without parsing it, only where nothing a letter holds can surprise the patterns. That is
decided once per template, from the Jinja source of a part (``render.Source``): values are
escaped, so where no field is printed unescaped (``CompiledTemplate.verbatim``) and every "<"
of the source starts a tag with fields only inside its attribute values, every tag of every
letter is one written in the source (``markup_in_source``).
"""

from __future__ import annotations

import re

from formkit.docx.render import CompiledTemplate

# a tag's attributes, each value quoted ("<" cannot stand in one)
ATTRIBUTES = rb"""(?:\s+[^\s=/<>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*"""
# in a template's body, what the patterns could misread: a namespace declared inside the body
# (another prefix for w:), a tracked change of a paragraph's or section's properties (a second
# pPr or sectPr inside one), a text box (paragraphs inside a paragraph)
UNREAD = ("xmlns", "PrChange", "txbxContent")
# a template's markup: every "<" of its source starts one of these, with fields only inside
# attribute values (a comment, CDATA or processing instruction, or a field in a tag's name,
# does not match: that template goes the parsed way)
MARKUP = re.compile(r"<(?:\?xml\b[^<>]*\?>|/?[\w.-]+(?::[\w.-]+)?" + ATTRIBUTES.decode() + r"/?>)")
PREFIX_USED = re.compile(r"</?([\w.-]+):|\s([\w.-]+):[\w.-]+\s*=\s*[\"']")
PREFIX_DECLARED = re.compile(r"\sxmlns:([\w.-]+)\s*=")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
FIELD = re.compile(r"\{\{.*?\}\}", re.DOTALL)
BLOCK = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# an "&" that starts no entity or character reference
BROKEN_REFERENCE = re.compile(r"&(?![A-Za-z_][\w.-]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)")


def readable_by_pattern(template: CompiledTemplate) -> bool:
    """Whether every letter of ``template`` can be prepared on its bytes: its body's source has
    nothing the patterns could misread (``UNREAD``) and all its markup is written in it
    (``markup_in_source``)."""
    source = template.sources.get("word/document.xml")
    if source is None or not markup_in_source(template, source.part):
        return False
    opening = re.search(r"<(?:[\w.-]+:)?body\b", source.text)
    return opening is not None and not any(marker in source.text[opening.start():] for marker in UNREAD)


def markup_in_source(template: CompiledTemplate, part: str, prefixes: bool = True) -> bool:
    """Whether every tag a rendered ``part`` can hold is written in its source (and, with
    ``prefixes``, its namespace prefix declared on the part's root): every "<" in the source
    starts a tag (``MARKUP``: fields only inside attribute values), and no field is printed
    unescaped, so no value can add one."""
    source = template.sources.get(part)
    if source is None or part in template.verbatim:
        return False
    text = source.text
    position = text.find("<")
    while position >= 0:
        markup = MARKUP.match(text, position)
        if markup is None:
            return False
        position = text.find("<", markup.end())
    if not prefixes:
        return True
    root = MARKUP.search(text, text.find("?>") + 1 if text.startswith("<?") else 0)
    declared = set(PREFIX_DECLARED.findall(root.group() if root else "")) | {"xml"}
    used = {element or attribute for element, attribute in PREFIX_USED.findall(text)} - {"xmlns"}
    return used <= declared


def template_tags_outside_markup(template: CompiledTemplate, part: str) -> bool:
    """Whether a value always lands where any escaped text leaves the XML well-formed, whatever
    way the letter takes through the template (``render.skeleton``): in a text inside the root
    element, or in a quoted attribute value. So no ``{% %}`` or ``{# #}`` stands inside an XML
    tag, and a field stands in one only in an attribute's value (not in its name, nor in the
    XML declaration); none stands before the root element or after it; no "&" of the source
    is one a value could complete into a reference (``&{{ n }};``), and no text holds a ">" (a
    value ending in "]]" would make the "]]>" a text cannot hold)."""
    source = template.sources.get(part)
    if source is None:
        return False
    text = source.text
    tags = MARKUP.findall(text)
    if any("{%" in tag or "{#" in tag or "{{" in tag and (tag.startswith("<?") or "{{" in QUOTED.sub("", tag)) for tag in tags):
        return False
    elements = [m for m in MARKUP.finditer(text) if not m.group().startswith("<?")]
    if not elements or "{" in text[: elements[0].start()] or "{" in text[elements[-1].end():]:
        return False
    plain = BLOCK.sub("", FIELD.sub("\x00", text))  # a field as a character no reference holds
    return BROKEN_REFERENCE.search(plain) is None and ">" not in MARKUP.sub("", plain)
