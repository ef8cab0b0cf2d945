"""Worked solutions to the exercises, one module per lesson (``lesson01`` ...).

A lesson's solution cell (collapsed) runs its check on the function here, so
that opening a solution never writes to, or replaces, the learner's own
``my_*.py`` file.
"""
