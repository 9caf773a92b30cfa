"""The Hungarian and Slovak catalogues against the strings the code and the templates use.

Read from the sources themselves (Python's ``ast`` and Django's template parser), so no GNU
gettext is needed: every msgid in use has a non-empty translation in hu and sk, a plural msgid
has every plural form its language's ``Plural-Forms`` asks for, a number next to a counted
noun goes through ngettext or ``{% blocktranslate count %}``, and no sentence is glued together
from translated fragments and values ("due" + date, ``_("a") + name``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("hu", "sk")
NPLURALS = {"hu": 2, "sk": 3}
# Not shipped to users: tests, benchmarks, migrations (their verbose names repeat the models').
SKIP_DIRS = {".git", ".venv", "node_modules", "var", "tests", "bench", "migrations", "static"}

SINGULAR = {"gettext", "gettext_lazy", "gettext_noop", "_"}
CONTEXT = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}
TRANSLATING = SINGULAR | CONTEXT | PLURAL | CONTEXT_PLURAL


@dataclass(frozen=True)
class Use:
    msgid: str
    plural: str | None
    context: str | None
    where: str


def _python_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts[:-1])
    )


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _python_uses(path: Path, tree: ast.AST) -> list[Use]:
    uses = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called(node) not in TRANSLATING:
            continue
        name, args = _called(node), [_text(arg) for arg in node.args]
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if name in SINGULAR and args and args[0] is not None:
            uses.append(Use(args[0], None, None, where))
        elif name in CONTEXT and len(args) >= 2 and None not in args[:2]:
            uses.append(Use(args[1], None, args[0], where))
        elif name in PLURAL and len(args) >= 2 and None not in args[:2]:
            uses.append(Use(args[0], args[1], None, where))
        elif name in CONTEXT_PLURAL and len(args) >= 3 and None not in args[:3]:
            uses.append(Use(args[1], args[2], args[0], where))
    return uses


def _templates() -> list[Path]:
    return sorted(path for path in (ROOT / "templates").rglob("*") if path.is_file())


FILTER_ARGUMENT = re.compile(r'_\("([^"\\]*)"\)')


def _template_uses(path: Path) -> list[Use]:
    source = path.read_text(encoding="utf-8")
    template = engines["django"].from_string(source).template
    where = str(path.relative_to(ROOT))
    uses = []
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        msgid = node.filter_expression.var.literal
        if isinstance(msgid, str):
            context = node.message_context.var if node.message_context else None
            uses.append(Use(str(msgid), None, context and str(context), where))
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        singular, _vars = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.countervar else None
        context = node.message_context.var if node.message_context else None
        uses.append(Use(singular, plural, context and str(context), where))
    # A translated literal as a filter argument: {{ value|default:_("the system") }}.
    uses.extend(Use(match[1], None, None, where) for match in FILTER_ARGUMENT.finditer(source))
    return uses


def _all_uses() -> list[Use]:
    uses = []
    for path in _python_files():
        uses.extend(_python_uses(path, ast.parse(path.read_text(encoding="utf-8"))))
    for path in _templates():
        uses.extend(_template_uses(path))
    return uses


@pytest.fixture(scope="module")
def uses() -> list[Use]:
    found = _all_uses()
    assert len(found) > 1000, "the scan found too few strings to be reading the sources"
    return found


@pytest.fixture(scope="module")
def catalogues() -> dict[str, polib.POFile]:
    return {
        language: polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        for language in LANGUAGES
    }


# --- the catalogues themselves ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_declares_the_plural_forms_of_its_language(catalogues, language):
    header = catalogues[language].metadata["Plural-Forms"]
    assert f"nplurals={NPLURALS[language]};" in header.replace(" ", "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_with_every_plural_form(catalogues, language):
    problems = []
    for entry in catalogues[language]:
        if entry.obsolete:
            continue
        label = f"line {entry.linenum}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{label} is fuzzy")
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if sorted(forms) != list(range(NPLURALS[language])):
                problems.append(f"{label} has plural forms {sorted(forms)}")
            problems.extend(f"{label} form {n} is empty" for n, text in forms.items() if not text)
        elif not entry.msgstr:
            problems.append(f"{label} is not translated")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_msgid_appears_twice_in_a_catalogue(language):
    # polib keeps duplicates apart only by line, so count the raw keys.
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    keys = [(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


# --- the sources against the catalogues ------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_use_has_its_translation(uses, catalogues, language):
    catalogue = catalogues[language]
    entries = {(entry.msgctxt, entry.msgid): entry for entry in catalogue if not entry.obsolete}
    missing = []
    for use in uses:
        entry = entries.get((use.context, use.msgid))
        if entry is None:
            missing.append(f"{use.where}: {use.msgid!r} (context {use.context!r}) is missing")
        elif use.plural and entry.msgid_plural != use.plural:
            missing.append(f"{use.where}: {use.msgid!r} is plural in the code, not in the .po")
        elif not use.plural and entry.msgid_plural:
            missing.append(f"{use.where}: {use.msgid!r} is singular in the code, plural in the .po")
    assert missing == []


# A placeholder followed by an English plural noun: "%(n)s characters", "%(days)s days".
COUNTED = re.compile(r"%\(\w+\)[sd] (?P<noun>[a-z][a-z-]*s)\b")
# Words after a placeholder that end in "s" and are not counted nouns.
NOT_NOUNS = {"is", "was", "has", "as", "its", "this", "plus"}


def counted_without_plural(uses: list[Use]) -> list[str]:
    """Singular-only messages where a number placeholder counts a noun."""
    found = []
    for use in uses:
        if use.plural:
            continue
        for match in COUNTED.finditer(use.msgid):
            if match["noun"] not in NOT_NOUNS:
                found.append(f"{use.where}: {use.msgid!r}")
    return found


def test_a_count_with_a_noun_goes_through_a_plural_form(uses):
    assert counted_without_plural(uses) == []


def test_the_count_check_finds_a_counted_noun_without_plural():
    assert counted_without_plural(
        [
            Use("Overdue for %(days)s days", None, None, "a"),
            Use("%(name)s is invited", None, None, "b"),
            Use("%(n)s character", "%(n)s characters", None, "c"),
        ]
    ) == ["a: 'Overdue for %(days)s days'"]


# --- glued fragments -------------------------------------------------------------------------

TRANSLATE_TAG = r'\{%\s*(?:trans|translate)\s+"(?P<text>[^"]*)"(?P<rest>[^%]*)%\}'
VARIABLE = r"\{\{[^}]*\}\}"
# A translated fragment and a value side by side in running text, with nothing but spaces
# between them: "{% translate "due" %} {{ date }}", "{{ n }} {% translate "cases" %}".
FRAGMENT_THEN_VALUE = re.compile(TRANSLATE_TAG + r"[ \t]*" + VARIABLE)
VALUE_THEN_FRAGMENT = re.compile(VARIABLE + r"[ \t]*" + TRANSLATE_TAG)


def glued_in_template(source: str) -> list[str]:
    """Fragments glued to a value. A label that ends in a colon ("stage:" or "Stage" + ": ")
    is a label and its value, not a sentence, so it is allowed."""
    glued = []
    for pattern in (FRAGMENT_THEN_VALUE, VALUE_THEN_FRAGMENT):
        for match in pattern.finditer(source):
            if " as " in match["rest"] or match["text"].rstrip().endswith(":"):
                continue
            glued.append(match.group(0))
    return glued


def test_no_template_glues_a_translated_fragment_to_a_value():
    glued = {}
    for path in _templates():
        found = glued_in_template(path.read_text(encoding="utf-8"))
        if found:
            glued[str(path.relative_to(ROOT))] = found
    assert glued == {}


def test_the_template_scan_finds_glue():
    source = (
        '{% translate "due" %} {{ follow_up.due_on|date:"SHORT_DATE_FORMAT" }}\n'
        '{{ n }} {% translate "cases" %}\n'
        '{% translate "stage" %}: {{ case.stage }}\n'
        '{% translate "All your notifications:" %} {{ inbox_url }}\n'
    )
    assert glued_in_template(source) == [
        '{% translate "due" %} {{ follow_up.due_on|date:"SHORT_DATE_FORMAT" }}',
        '{{ n }} {% translate "cases" %}',
    ]


def _is_translation(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _called(node) in TRANSLATING


def glued_in_python(tree: ast.AST) -> list[int]:
    """Lines where a translated string is joined to something else with ``+`` or inside an
    f-string: the translator sees a fragment, and the word order is fixed in English."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if _is_translation(node.left) or _is_translation(node.right):
                lines.append(node.lineno)
        elif isinstance(node, ast.JoinedStr):
            values = [part.value for part in node.values if isinstance(part, ast.FormattedValue)]
            if any(_is_translation(value) for value in values):
                lines.append(node.lineno)
    return sorted(lines)


def test_no_python_glues_a_translated_string_to_another():
    glued = {}
    for path in _python_files():
        found = glued_in_python(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            glued[str(path.relative_to(ROOT))] = found
    assert glued == {}


def test_the_python_scan_finds_glue():
    source = (
        'a = _("Assigned to") + " " + name\n'
        "b = f\"{_('due')} {day}\"\n"
        'c = _("Assigned to %(name)s") % {"name": name}\n'
    )
    assert glued_in_python(ast.parse(source)) == [1, 2]
