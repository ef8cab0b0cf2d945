"""Maintainer tools that are not part of the course's ``helpers`` package.

``tools.decks`` builds the reveal.js decks (``make slides``, ``make slides-hour``)
so that they work offline; ``tools.slidefit`` renders them in headless
Chromium and reports every slide taller or wider than 960x700
(``make slides-fit``).
"""
