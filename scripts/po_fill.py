"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr}, then report what is left.

Usage: python scripts/po_fill.py path/to/django.po translations.json
Entries already translated are left alone; fuzzy flags are removed from entries it fills.
"""

from __future__ import annotations

import json
import re
import sys


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _fill_plural(block: str, translations: dict, missing: list[str]) -> str:
    """Plural entries: the JSON value is a list [singular, plural]."""
    m = re.search(r'^msgid ((?:".*"\n?)+)msgid_plural ((?:".*"\n?)+)((?:msgstr\[\d\] (?:".*"\n?)+)+)',
                  block + "\n", re.M)
    if not m:
        return block
    msgid = _unquote(re.findall(r'".*"', m.group(1)))
    plural = _unquote(re.findall(r'".*"', m.group(2)))
    if any(_unquote(re.findall(r'".*"', x)) for x in re.split(r"msgstr\[\d\] ", m.group(3))[1:]):
        return block
    if msgid not in translations:
        missing.append(msgid)
        return block
    one, many = translations[msgid]
    head = block[: m.start()].replace("#, fuzzy\n", "")
    return (head + f"msgid {_quote(msgid)}\nmsgid_plural {_quote(plural)}\n"
            f"msgstr[0] {_quote(one)}\nmsgstr[1] {_quote(many)}")


def fill(po_path: str, translations: dict[str, str]) -> list[str]:
    blocks = open(po_path, encoding="utf-8").read().split("\n\n")
    missing = []
    out = []
    for block in blocks:
        if "msgid_plural" in block:
            block = _fill_plural(block, translations, missing)
            out.append(block)
            continue
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not m:
            out.append(block)
            continue
        msgid = _unquote(re.findall(r'".*"', m.group(1)))
        msgstr = _unquote(re.findall(r'".*"', m.group(2)))
        if re.search(r"^#,.*\bfuzzy\b", block, re.M) and msgid:
            msgstr = ""  # a fuzzy guess by msgmerge is not a translation
        if msgid and not msgstr:
            if msgid in translations:
                head = re.sub(r"^#, fuzzy\n|(?<=^#,) fuzzy,?", "", block[: m.start()], flags=re.M)
                head = re.sub(r"^#, fuzzy, ", "#, ", head, flags=re.M)
                head = re.sub(r"^#\|.*\n", "", head, flags=re.M)
                block = head + f"msgid {_quote(msgid)}\nmsgstr {_quote(translations[msgid])}"
            else:
                missing.append(msgid)
        out.append(block)
    open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
    return missing


if __name__ == "__main__":
    left = fill(sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8")))
    for msgid in left:
        print("untranslated:", msgid)
