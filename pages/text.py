"""Plain text that editors write, read as headings and paragraphs without a markdown library.

Nothing here produces HTML: the template renders each block with autoescaping on, so whatever
an editor types (``<script>`` included) reaches the reader as text.
"""

from typing import NamedTuple

HEADING_MARK = "## "


class Block(NamedTuple):
    is_heading: bool
    text: str


def parse_blocks(text: str) -> list[Block]:
    """Split ``text`` into blocks: a line starting with “## ” is a heading, blank lines end paragraphs.

    The lines of one paragraph keep their line breaks (the template shows them with ``linebreaksbr``).
    """
    result: list[Block] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            result.append(Block(is_heading=False, text="\n".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(HEADING_MARK) or stripped == HEADING_MARK.strip():
            end_paragraph()
            if heading := stripped.removeprefix(HEADING_MARK.strip()).strip():
                result.append(Block(is_heading=True, text=heading))
        elif stripped:
            paragraph.append(stripped)
        else:
            end_paragraph()
    end_paragraph()
    return result
