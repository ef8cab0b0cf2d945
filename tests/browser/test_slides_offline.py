"""A deck from ``make slides`` works with no internet: a slideshow, with speaker notes.

The deck is built as ``make slides`` builds it (``tools.decks``: reveal.js and
require.js from ``slides/vendor/``) and opened in headless Chromium with every
request that is not a local file refused, the speaker view's window included.
It must start as a reveal.js slideshow (one slide on screen, not one long
page), ask for nothing from the network, raise no script error while every
slide is shown (nbconvert's own template throws "MathJax is not defined" on
each slide change), and its speaker view (key S) must show the slide's notes.
Run with ``make test-browser``.
"""

from __future__ import annotations

import os

import pytest

from tools import decks, slidefit

pytestmark = [
    pytest.mark.skipif(not os.environ.get("MP_COURSE_BROWSER"),
                       reason="browser test: run it with `make test-browser`"),
    pytest.mark.timeout(120),
]

LOCAL = ("file:", "data:", "blob:", "about:")
# Where nbconvert's own template fetches reveal.js, require.js, jQuery, MathJax,
# mermaid, the widget manager and the "simple" theme's fonts from.
CDNS = ("unpkg.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net", "fonts.googleapis.com")


def lesson_with_notes():
    """The first lesson that has speaker notes (every lesson should)."""
    import nbformat

    for path in decks.lessons():
        nb = nbformat.read(path, as_version=4)
        if any(c.metadata.get("slideshow", {}).get("slide_type") == "notes" for c in nb.cells):
            return path
    pytest.fail("no lesson has speaker notes (markdown cells with slide_type 'notes')")


@pytest.fixture
def offline(browser):
    """The whole browser offline while the test runs (popups included)."""
    browser.route("**/*", slidefit.offline)
    yield browser
    browser.unroute("**/*", slidefit.offline)


def test_deck_is_a_slideshow_offline_with_notes_in_the_speaker_view(offline, tmp_path,
                                                                     screenshots):
    decks.vendor(decks.VENDOR, quiet=True)
    path = lesson_with_notes()
    deck = decks.build([path], tmp_path)[0]
    html = deck.read_text(encoding="utf-8")
    named = [cdn for cdn in CDNS if cdn in html]
    assert not named, f"the deck still loads from {named}"

    page = slidefit.open_offline(offline, deck)
    try:
        shape = page.evaluate("""() => ({
            slides: Reveal.getTotalSlides(),
            present: document.querySelectorAll('.reveal .slides section.present').length,
            pageHeight: document.scrollingElement.scrollHeight,
            window: window.innerHeight,
        })""")
        assert shape["slides"] > 3, shape
        assert shape["present"] >= 1, shape
        assert shape["pageHeight"] <= shape["window"] + 1, (
            f"the deck is one long page ({shape['pageHeight']} px in a "
            f"{shape['window']} px window), not a slideshow")

        # Show every slide once: a slide change must not throw (MathJax, jQuery).
        page.evaluate("""() => { for (const s of Reveal.getSlides()) {
            const at = Reveal.getIndices(s); Reveal.slide(at.h, at.v || 0); } }""")
        # The speaker view of the first slide with notes shows those notes.
        note = page.evaluate("""() => {
            const aside = document.querySelector('.reveal aside.notes');
            const at = Reveal.getIndices(aside.closest('section'));
            Reveal.slide(at.h, at.v || 0);
            return aside.textContent.trim().split(/\\s+/).slice(0, 6).join(' ');
        }""")
        assert note, "the notes are empty"
        page.wait_for_timeout(1000)  # the slide transition
        page.screenshot(path=screenshots / f"slides_offline_{path.stem}.png")
        with page.expect_popup() as opened:
            page.keyboard.press("s")
        speaker = opened.value
        speaker.wait_for_function(
            """(words) => {
                const box = document.querySelector('.speaker-controls-notes');
                return box && box.textContent.replace(/\\s+/g, ' ').includes(words);
            }""", arg=note, timeout=20_000)
        speaker.screenshot(path=screenshots / f"slides_offline_{path.stem}_speaker.png")
        speaker.close()

        remote = [u for u in page.requested if not u.startswith(LOCAL)]
        assert not remote, f"the deck asked the network for {remote}"
        assert not page.errors, f"script errors in the deck: {page.errors}"
    finally:
        page.close()
