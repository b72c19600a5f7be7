"""Leaf helpers every package may use: redaction, ids, wording and the role vocabulary.

``core`` imports nothing of ours (``tests/test_layers.py`` holds it to that), so any layer
can depend on it without pulling in another:

- :mod:`core.redaction`: keeping secrets out of text, logs and transcripts;
- :mod:`core.ids`: prefixed, sortable ids (``src_01J...``);
- :mod:`core.wording`: counted nouns, lists and sizes as people write them;
- :mod:`core.roles`: what a data source does (bring data in, take results out).
"""
