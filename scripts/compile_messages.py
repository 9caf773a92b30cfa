"""Compile every gettext catalogue (``**/locale/<lang>/LC_MESSAGES/*.po``) to its ``.mo``.

Pure Python (polib), so a machine without GNU gettext can run the demo in Hungarian or Slovak;
``manage.py compilemessages`` needs ``msgfmt``. Where ``msgfmt`` is installed it also validates
each catalogue (``msgfmt --check-format``, as ``compilemessages`` does); everywhere, a
translation whose ``%(name)s`` placeholders are not among its source's is an error, because it
raises ``KeyError`` when the page renders.

    python scripts/compile_messages.py           compile catalogues whose .mo is missing or older
    python scripts/compile_messages.py --force   compile all of them

Exit status 1 when a catalogue does not parse or fails a check; no ``.mo`` is written for it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "var", "staticfiles", "artifacts", "build"}

# A printf-style conversion as Python's ``%`` operator reads it; ``%%`` is a literal percent.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # %(name)
    r"[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision, length
    r"(?P<kind>[diouxXeEfFgGcrsa%])"
)


def catalogues(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        path = Path(dirpath)
        if path.name == "LC_MESSAGES" and path.parent.parent.name == "locale":
            found.extend(path / name for name in sorted(filenames) if name.endswith(".po"))
    return found


def _placeholders(text: str) -> tuple[set[str], int]:
    """The named placeholders of ``text`` and the number of unnamed ones."""
    names, unnamed = set(), 0
    for match in PLACEHOLDER.finditer(text):
        if match["kind"] == "%":
            continue
        if match["name"] is not None:
            names.add(match["name"])
        else:
            unnamed += 1
    return names, unnamed


def format_errors(catalogue: polib.POFile) -> list[str]:
    errors = []
    for entry in catalogue.translated_entries():
        if "python-format" not in entry.flags:
            continue
        source_names, source_unnamed = _placeholders(entry.msgid)
        if entry.msgid_plural:
            plural_names, _ = _placeholders(entry.msgid_plural)
            source_names |= plural_names
            translations = list(entry.msgstr_plural.values())
        else:
            translations = [entry.msgstr]
        for translation in translations:
            names, unnamed = _placeholders(translation)
            unknown = names - source_names
            if unknown:
                errors.append(
                    f"line {entry.linenum}: msgstr uses {sorted(unknown)} not in msgid "
                    f"{entry.msgid!r}"
                )
            if not entry.msgid_plural and unnamed != source_unnamed:
                errors.append(
                    f"line {entry.linenum}: msgstr has {unnamed} unnamed placeholder(s), "
                    f"msgid {entry.msgid!r} has {source_unnamed}"
                )
    return errors


def msgfmt_errors(po_path: Path, msgfmt: str | None) -> list[str]:
    if msgfmt is None:
        return []
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", os.devnull, str(po_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    return [line for line in result.stderr.splitlines() if line.strip()] or ["msgfmt failed"]


def write_atomically(catalogue: polib.POFile, mo_path: Path) -> None:
    """A running server never reads a half-written .mo."""
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=".", suffix=".mo")
    os.close(handle)
    try:
        catalogue.save_as_mofile(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="compile even if the .mo is newer")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    paths = catalogues(args.root)
    if not paths:
        print("messages: no .po catalogues under locale/, nothing to compile")
        return 0
    msgfmt = shutil.which("msgfmt")
    compiled = current = 0
    failed = []
    for po_path in paths:
        name = po_path.relative_to(args.root)
        mo_path = po_path.with_suffix(".mo")
        if (
            not args.force
            and mo_path.exists()
            and mo_path.stat().st_mtime >= po_path.stat().st_mtime
        ):
            current += 1
            continue
        try:
            catalogue = polib.pofile(str(po_path), wrapwidth=0)
        except (OSError, ValueError) as error:
            failed.append((name, [str(error)]))
            continue
        errors = format_errors(catalogue) + msgfmt_errors(po_path, msgfmt)
        if errors:
            failed.append((name, errors))
            continue
        write_atomically(catalogue, mo_path)
        compiled += 1
        print(f"messages: {name} -> {mo_path.name} ({catalogue.percent_translated()}% translated)")
    for name, errors in failed:
        print(f"messages: ERROR in {name}:", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
    checked_by = "polib + msgfmt --check-format" if msgfmt else "polib"
    print(
        f"messages: {compiled} compiled, {current} up to date, {len(failed)} failed "
        f"(checked by {checked_by})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
