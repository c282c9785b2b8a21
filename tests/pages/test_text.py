from pages.text import Block, parse_blocks


def test_blank_lines_separate_paragraphs_and_hash_lines_are_headings():
    """“## ” starts a heading, even with no blank line around it; blank lines end paragraphs."""
    text = "First paragraph\nstill first.\n\n## A heading\nSecond paragraph.\n\n\nThird."
    assert parse_blocks(text) == [
        Block(is_heading=False, text="First paragraph\nstill first."),
        Block(is_heading=True, text="A heading"),
        Block(is_heading=False, text="Second paragraph."),
        Block(is_heading=False, text="Third."),
    ]


def test_windows_line_endings_and_surrounding_space_are_ignored():
    """Text from a browser's textarea (CRLF, stray spaces) reads the same as plain newlines."""
    assert parse_blocks("  ## Heading  \r\n\r\n  Body line  \r\n") == [
        Block(is_heading=True, text="Heading"),
        Block(is_heading=False, text="Body line"),
    ]


def test_only_a_double_hash_and_space_makes_a_heading():
    """“###”, “#tag” and “##x” stay text; an empty “##” line is dropped."""
    assert parse_blocks("### Not a heading\n#tag\n##x\n\n##\n\nEnd") == [
        Block(is_heading=False, text="### Not a heading\n#tag\n##x"),
        Block(is_heading=False, text="End"),
    ]


def test_empty_text_has_no_blocks():
    """An empty body renders nothing."""
    assert parse_blocks("") == []
    assert parse_blocks("\n\n  \n") == []
