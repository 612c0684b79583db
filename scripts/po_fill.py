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


def fill(po_path: str, translations: dict[str, str]) -> list[str]:
    blocks = open(po_path, encoding="utf-8").read().split("\n\n")
    missing = []
    out = []
    for block in blocks:
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not m or "msgid_plural" in block:
            out.append(block)
            continue
        msgid = _unquote(re.findall(r'".*"', m.group(1)))
        msgstr = _unquote(re.findall(r'".*"', m.group(2)))
        if msgid and not msgstr:
            if msgid in translations:
                head = block[: m.start()].replace("#, fuzzy\n", "")
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
