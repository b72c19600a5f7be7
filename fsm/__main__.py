"""Print the generated ``docs/fsm.md``: ``.venv/bin/python -m fsm > docs/fsm.md``."""

import sys

from fsm.diagram import document

sys.stdout.write(document())
