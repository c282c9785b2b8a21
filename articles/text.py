"""What the text people type may hold: one line, or several lines; never a control character.

Text that becomes a page title or an e-mail header (a question, a heading, a name, a reference's
title) is one line: a line break in a subject makes every notice about it fail. Longer text (a
claim, an intro, a comment) may break lines (LF or CRLF) and hold tabs. Neither holds NUL, which
PostgreSQL refuses, or any other control character. The validators sit on the model fields, so
model forms, the admin and ``full_clean()`` all apply them; `config.control_characters` refuses
at the door what no field accepts.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The ASCII names of the C0 control characters, U+0000 to U+001F.
C0_NAMES = (
    *("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR", "SO", "SI"),
    *("DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"),
)
LINE_BREAKS = frozenset("\r\n\u2028\u2029")

# Unicode's control characters (category Cc: C0, DEL and C1), and the line and paragraph separators.
NOT_IN_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Control characters except tab, line feed and CR; a CR only as part of CRLF.
NOT_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
# What no text field accepts: the control characters except tab, line feed and carriage return.
NOT_IN_ANY_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def character_name(char: str) -> str:
    """Name a character so a person can find it: “U+0000 (NUL)”, “U+2028 (LINE SEPARATOR)”, “U+0085”."""
    code = ord(char)
    if code < 0x20:
        name = C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    else:
        name = unicodedata.name(char, "")
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def one_line(text: str) -> str:
    """Collapse line breaks, tabs and runs of spaces to single spaces, dropping control characters."""
    return " ".join(CONTROL.sub(" ", text).split())


def refused_in_any_text(text: str) -> str | None:
    """The first character no text field accepts, or None."""
    found = NOT_IN_ANY_TEXT.search(text)
    return found.group() if found else None


def refused_in_one_line(text: str) -> str | None:
    """The first line break or control character, or None."""
    found = NOT_IN_ONE_LINE.search(text)
    return found.group() if found else None


def _control_character_error(char: str, label) -> ValidationError:
    return ValidationError(
        _("Remove the control character %(character)s from the %(label)s."),
        code="control_character",
        params={"character": character_name(char), "label": label},
    )


@deconstructible(path="articles.text.SingleLineValidator")
class SingleLineValidator:
    """Refuse line breaks and control characters in text that is shown or sent as one line.

    ``label`` names the field in the message, as a reader of the form calls it ("question").
    """

    def __init__(self, label):
        self.label = label

    def __call__(self, value: str) -> None:
        char = refused_in_one_line(str(value))
        if char is None:
            return
        if char in LINE_BREAKS:
            raise ValidationError(
                _("The %(label)s must be on one line."), code="line_break", params={"label": self.label}
            )
        raise _control_character_error(char, self.label)

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLineValidator) and str(self.label) == str(other.label)

    def __hash__(self) -> int:
        return hash((type(self), str(self.label)))


@deconstructible(path="articles.text.MultiLineValidator")
class MultiLineValidator:
    """Refuse control characters in long text; line feeds, CRLF and tabs stay."""

    def __init__(self, label):
        self.label = label

    def __call__(self, value: str) -> None:
        found = NOT_IN_LINES.search(str(value))
        if found:
            raise _control_character_error(found.group(), self.label)

    def __eq__(self, other) -> bool:
        return isinstance(other, MultiLineValidator) and str(self.label) == str(other.label)

    def __hash__(self) -> int:
        return hash((type(self), str(self.label)))
