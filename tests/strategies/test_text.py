"""Section text: Markdown rendered and sanitised, quotes found as a reader sees the text,
word diffs."""

from app.strategies import text

BODY = """Fylket samordner planene.

- Strategien legges til grunn for [utviklingsmidlene](https://example.no)
- KS bidrar med *nettverk*

1. Regional forankring
2. Hjelpekorps for kommunene"""


def test_markdown_is_rendered_and_sanitised():
    html = str(
        text.render_markdown(BODY + "\n\n<script>alert(1)</script> [x](javascript:alert(1))")
    )
    assert "<li>" in html and "<em>nettverk</em>" in html
    assert 'href="https://example.no"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run
    # a section's own heading is the page's heading: headings in the text start lower
    assert "<h3>" in str(text.render_markdown("# Stor overskrift"))


def test_a_selection_across_list_items_is_found_in_the_section():
    # what a browser's selection gives: no bullets, numbers, emphasis or link addresses
    assert text.quote_found("planene. Strategien legges til grunn for utviklingsmidlene", BODY)
    assert text.quote_found("KS bidrar med nettverk Regional forankring Hjelpekorps", BODY)
    assert text.quote_found("  hjelpekorps  FOR kommunene ", BODY)  # case and spacing aside
    assert not text.quote_found("Hjelpekorps for fylket", BODY)
    assert not text.quote_found("   ", BODY)


def test_word_diff_marks_removed_and_added_words():
    html = str(text.diff_html("Kommunene skal delta", "Små kommuner skal delta mer"))
    assert html == "<del>Kommunene</del><ins>Små kommuner</ins> skal delta <ins>mer</ins>"
    assert str(text.diff_html("<b>", "<i>")) == "<del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>"
    # joined, the pieces of each side give back that text exactly
    pieces = text.word_diff(
        "Fylket skal styrke  samarbeidet.", "Fylket vil styrke samarbeidet mer."
    )
    assert "".join(p.text for p in pieces if p.op != "added") == "Fylket skal styrke  samarbeidet."
    assert (
        "".join(p.text for p in pieces if p.op != "removed") == "Fylket vil styrke samarbeidet mer."
    )
    assert str(text.diff_html("Linje en\nLinje to", "Linje en\nLinje tre")).startswith(
        "Linje en<br>Linje <del>to</del>"
    )
    long = "Felles tekst som ikke endres. " * 20
    short = str(text.diff_html(long + "Slutt.", long + "Ny slutt.", context=40))
    assert short.startswith("[…] ") and "<ins>Ny slutt.</ins>" in short and len(short) < len(long)
