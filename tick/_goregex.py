"""Go (RE2) regular expressions in Python's ``re`` dialect.

TICKscript regexes are Go's. Most of the syntax is shared; what differs and is
translated here: ``\\z`` (end of text, Python's ``\\Z``), ``\\Q...\\E`` (a literal
run) and POSIX classes inside brackets (``[[:digit:]]``), which Python would silently
read as a set of punctuation and letters.
"""

from __future__ import annotations

import re

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_POSIX_CLASS = re.compile(r"\[:(\^?)([a-z]+):\]")


def translate(pattern: str) -> str:
    """The Python spelling of a Go regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "Q" and not in_class:
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 : end if end >= 0 else n]
                out.append(re.escape(literal))
                i = end + 2 if end >= 0 else n
                continue
            out.append("\\Z" if nxt == "z" and not in_class else pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            m = _POSIX_CLASS.match(pattern, i)
            if m and not m.group(1) and m.group(2) in _POSIX:
                out.append(_POSIX[m.group(2)])
                i = m.end()
                continue
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            out.append(c)
            i += 1
            # a ']' right after '[' or '[^' is a literal member, not the end
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("\\]")
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)
