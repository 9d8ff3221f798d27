"""Per-character properties of Python source code, for probing what LSTM cells track
(Lab 3, after Karpathy, Johnson and Fei-Fei 2016).

A small hand-written scanner (not ``tokenize``: it must accept any snippet, also one cut
in the middle of a string) labels every character of a text with:

* ``in_string``: 1 inside a string literal (quotes included; ``'``, ``"``, triple quotes,
  backslash escapes), else 0;
* ``in_comment``: 1 from a ``#`` outside a string to the end of its line (the newline
  excluded), else 0;
* ``bracket_depth``: number of open ``(``, ``[``, ``{`` outside strings and comments, counted
  after the character (an opening bracket already counts, a closing one no longer does);
* ``indent``: number of leading spaces of the character's line;
* ``line_position``: column of the character in its line (0 for the first character).
"""

from __future__ import annotations

import numpy as np

CODE_FEATURES = ("in_string", "in_comment", "bracket_depth", "indent", "line_position")


def python_char_features(text: str) -> dict[str, np.ndarray]:
    """Label every character of ``text``; returns ``{name: float64 array of shape (len(text),)}``
    for each name in :data:`CODE_FEATURES` (see the module docstring)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    n = len(text)
    out = {k: np.zeros(n) for k in CODE_FEATURES}
    quote = None          # the open string's delimiter: ', ", ''' or """
    comment = False
    depth = 0
    col = 0
    indent = 0
    at_line_start = True
    i = 0
    while i < n:
        ch = text[i]
        step = 1
        in_str = quote is not None
        if quote is not None:
            if ch == "\\":
                step = 2                                   # the escaped character stays inside
            elif text.startswith(quote, i):
                step = len(quote)
                quote = None
            elif ch == "\n" and len(quote) == 1:
                quote = None                               # unterminated one-line string: stop at the line end
                in_str = False
        elif comment:
            if ch == "\n":
                comment = False
        elif ch == "#":
            comment = True
        elif ch in "'\"":
            q3 = ch * 3
            quote = q3 if text.startswith(q3, i) else ch
            step = len(quote)
            in_str = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        for j in range(i, min(i + step, n)):
            c = text[j]
            if at_line_start:
                k = j
                while k < n and text[k] == " ":
                    k += 1
                indent = k - j
                at_line_start = False
            out["in_string"][j] = in_str
            out["in_comment"][j] = comment and c != "\n"
            out["bracket_depth"][j] = depth
            out["indent"][j] = indent
            out["line_position"][j] = col
            if c == "\n":
                col, at_line_start = 0, True
            else:
                col += 1
        i += step
    return out
