import pytest

from utils.data import CODE_FEATURES, python_char_features


def _show(feats, name):
    return "".join(str(int(v))[-1] for v in feats[name])


def test_strings_comments_brackets():
    text = 'f(a, "x#(") # c\ns = \'\'\'doc\n(1)\'\'\'\n'
    feats = python_char_features(text)
    assert set(feats) == set(CODE_FEATURES)
    assert all(v.shape == (len(text),) for v in feats.values())
    #                          f(a, "x#(") # c\n
    assert _show(feats, "in_string")[:11] == "00000111110"
    assert _show(feats, "in_comment")[:16] == "0000000000001110"
    assert _show(feats, "bracket_depth")[:11] == "01111111110"   # '(' inside the string does not count
    second = text.index("s =")
    assert feats["in_string"][second + 4:second + 4 + 13].all()   # the triple-quoted string spans the newline
    assert feats["bracket_depth"][second:].max() == 0             # '(1)' inside it does not count


def test_escape_and_unterminated_string():
    text = 'x = "a\\"b" + y\n"open\nz\n'
    feats = python_char_features(text)
    assert feats["in_string"][text.index("+")] == 0               # the escaped quote did not close the string
    assert feats["in_string"][text.index("z")] == 0               # a one-line string ends at the newline


def test_indent_and_line_position():
    text = "def f():\n    return 1\n"
    feats = python_char_features(text)
    r = text.index("return")
    assert feats["indent"][r] == 4 and feats["indent"][0] == 0
    assert feats["line_position"][r] == 4 and feats["line_position"][text.index("\n") + 1] == 0


def test_bad_input():
    with pytest.raises(ValueError, match="str"):
        python_char_features(b"bytes")
    assert python_char_features("")["indent"].shape == (0,)
