"""Which slides of a deck do not fit reveal's 960x700 slide, and by how much.

``make slides-fit NB=notebooks/03_executors.ipynb`` (or ``python -m
tools.slidefit notebooks/03_executors.ipynb``) builds the lesson's deck from
its stored outputs, opens it in headless Chromium (Debian's, driven by
Playwright; the network is blocked, so the deck must work offline), visits
every slide and subslide and prints each one whose content is taller or wider
than the slide:

    03_executors: slide 7.2 (#/6/1) 'Wait for the first result': 212 px too tall

The number is the one the deck shows in its corner (``h.v``, from 1); the
address ``#/h/v`` after the deck's name opens that slide (counted from 0). "Too wide" counts the
widest thing on the slide, including a code block or output that scrolls
sideways inside its box. ``--execute`` runs the notebook first (into a
temporary folder; the lesson is not changed), to check a lesson whose stored
outputs are out of date. Exit status 1 if a slide overflows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools import decks

CHROMIUM = "/usr/bin/chromium"
# As in tests/browser/conftest.py: root (--no-sandbox), no GPU, no background
# connections (the network here is closed, and a deck must not need it anyway).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# A window in which reveal draws the 960x700 slide at scale 1 (its margin is 4%).
VIEWPORT = {"width": 1000, "height": 730}
TOLERANCE_PX = 1  # sub-pixel rounding

# Runs in the deck: visits every slide, returns what sticks out of it.
MEASURE_JS = """
async ([W, H]) => {
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  const firstLine = (s) => {
    const h = s.querySelector('h1, h2, h3, h4, h5, h6');
    const text = (h ? h.textContent : s.innerText) || '';
    const line = text.split('\\n').map(x => x.trim()).find(x => x) || '';
    return line.replace(/\\s*¶$/, '').slice(0, 70);
  };
  // What a box that sticks out holds, in the words of a lesson's author.
  const kind = (el) => el.closest('.jp-InputArea-editor') ? 'code line'
      : el.closest('.jp-OutputArea-output') ? (el.querySelector('img') || el.tagName === 'IMG'
          ? 'figure' : 'output') : el.closest('table') ? 'table' : 'text';
  const out = [];
  for (const s of Reveal.getSlides()) {
    const at = Reveal.getIndices(s);
    Reveal.slide(at.h, at.v || 0);
    const box = s.getBoundingClientRect();
    const scale = box.width / s.offsetWidth || 1;
    let tall = s.scrollHeight - H, wide = s.scrollWidth - W;
    const why = new Set();
    for (const el of s.querySelectorAll('*')) {
      if (el.closest('aside.notes')) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none') continue;
      const r = el.getBoundingClientRect();
      if ((r.right - box.left) / scale > W + 1) why.add(kind(el));
      if (cs.overflowX !== 'visible' && el.clientWidth > 0
          && el.scrollWidth - el.clientWidth > 1) {
        wide = Math.max(wide, el.scrollWidth - el.clientWidth);
        why.add(kind(el));
      }
      if (cs.overflowY !== 'visible' && el.clientHeight > 0
          && el.scrollHeight - el.clientHeight > 1) {
        tall = Math.max(tall, el.scrollHeight - el.clientHeight);
      }
    }
    out.push({h: at.h, v: at.v || 0, title: firstLine(s), tall, wide, why: [...why].sort(),
              height: s.scrollHeight, width: s.scrollWidth});
  }
  Reveal.slide(0, 0);
  return out;
}
"""


@dataclass(frozen=True)
class Slide:
    deck: str
    h: int  # reveal's indices, from 0 (the deck's address #/h/v)
    v: int
    title: str
    tall: int  # px beyond 700 (negative: room left)
    wide: int  # px beyond 960, or scrolled sideways inside a box
    height: int
    width: int
    why: tuple[str, ...] = ()  # what sticks out sideways: code line, output, figure, ...

    @property
    def number(self) -> str:
        """The slide number reveal shows (format h.v, from 1; every slide is in a stack)."""
        return f"{self.h + 1}.{self.v + 1}"

    @property
    def overflows(self) -> bool:
        return self.tall > TOLERANCE_PX or self.wide > TOLERANCE_PX

    def __str__(self) -> str:
        what = []
        if self.tall > TOLERANCE_PX:
            what.append(f"{self.tall} px too tall")
        if self.wide > TOLERANCE_PX:
            what.append(f"{self.wide} px too wide"
                        + (f" ({', '.join(self.why)})" if self.why else ""))
        return (f"{self.deck}: slide {self.number} (#/{self.h}/{self.v}) "
                f"{self.title!r}: {', '.join(what) or 'fits'}")


class DeckError(RuntimeError):
    """The deck did not load as a slideshow (reveal.js missing, a script error)."""


def launch(playwright):
    """Debian's headless Chromium (never a browser Playwright downloads)."""
    if not Path(CHROMIUM).is_file():
        raise FileNotFoundError(
            f"{CHROMIUM} is missing: `make test-browser` installs it (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def offline(route) -> None:
    """A Playwright route handler that lets local files through and refuses the rest."""
    url = route.request.url
    if url.startswith(("file:", "data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort()


def open_offline(browser, deck: Path, viewport: dict | None = None):
    """A new tab showing ``deck``, every request that is not a local file refused.

    ``browser`` is a Playwright Browser or BrowserContext. The page records the
    URLs it asked for (``page.requested``) and its script errors
    (``page.errors``). Raises DeckError if reveal.js does not start.
    """
    page = browser.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", offline)
    page.set_viewport_size(viewport or VIEWPORT)
    page.goto(deck.resolve().as_uri())
    try:
        page.wait_for_function("() => window.Reveal && window.Reveal.isReady()",
                               timeout=20_000)
    except Exception as error:  # noqa: BLE001 - re-raised with what the page said
        page.close()
        remote = [u for u in requested if not u.startswith(("file:", "data:"))]
        raise DeckError(f"{deck.name} did not start as a reveal.js slideshow "
                        f"(refused: {remote}; errors: {errors})") from error
    page.requested, page.errors = requested, errors  # type: ignore[attr-defined]
    return page


def measure(browser, deck: Path, name: str | None = None) -> list[Slide]:
    """Every slide and subslide of ``deck``, with how far it sticks out."""
    page = open_offline(browser, deck)
    try:
        rows = page.evaluate(MEASURE_JS, [decks.WIDTH, decks.HEIGHT])
    finally:
        page.close()
    label = name or deck.name.removesuffix(".slides.html")
    return [Slide(label, r["h"], r["v"], r["title"], int(r["tall"]), int(r["wide"]),
                  int(r["height"]), int(r["width"]), tuple(r["why"])) for r in rows]


def _execute(path: Path, into: Path) -> Path:
    """Run a notebook into ``into`` (the lesson itself is not changed)."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    nb = nbformat.read(path, as_version=4)
    ExecutePreprocessor(timeout=60, extra_arguments=["--IPKernelApp.capture_fd_output=False"]
                        ).preprocess(nb, {"metadata": {"path": str(path.parent)}})
    out = into / path.name
    nbformat.write(nb, out)
    return out


def check(paths: list[Path], *, execute: bool = False, hour: bool = False) -> list[Slide]:
    """Build and measure the decks of ``paths``; return every slide."""
    from playwright.sync_api import sync_playwright

    decks.vendor(decks.VENDOR, quiet=True)
    with tempfile.TemporaryDirectory(prefix="slidefit-") as tmp:
        out = Path(tmp)
        if execute:
            paths = [_execute(p, out) for p in paths]
        built: list[tuple[str, Path]] = []
        if hour:
            nb = decks.hour_notebook(paths)
            if nb is not None:
                built.append((decks.HOUR_DECK, decks.write_deck(nb, decks.HOUR_DECK, out)))
        else:
            for p in paths:
                built.append((p.stem, decks.build([p], out)[0]))
        slides: list[Slide] = []
        with sync_playwright() as pw:
            browser = launch(pw)
            try:
                for name, deck in built:
                    slides.extend(measure(browser, deck, name))
            finally:
                browser.close()
    return slides


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.slidefit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="lessons to check (default: every lesson)")
    parser.add_argument("--execute", action="store_true",
                        help="run each notebook first (into a temporary folder)")
    parser.add_argument("--hour", action="store_true",
                        help="check the one-hour deck instead (cells tagged one-hour)")
    parser.add_argument("--all", action="store_true", help="print every slide, not only "
                        "those that overflow")
    args = parser.parse_args(argv)
    paths = args.notebooks or decks.lessons()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    slides = check(paths, execute=args.execute, hour=args.hour)
    bad = [s for s in slides if s.overflows]
    for s in slides if args.all else bad:
        print(s if s.overflows else f"{s}  ({s.height}x{s.width} px)")
    names = sorted({s.deck for s in slides})
    for name in names:
        mine = [s for s in slides if s.deck == name]
        over = [s for s in mine if s.overflows]
        print(f"{name}: {len(over)} of {len(mine)} slides overflow 960x700"
              if over else f"{name}: all {len(mine)} slides fit 960x700")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
