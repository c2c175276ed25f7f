"""``python -m cli``: the ``roadmap`` command, from a checkout without installing it."""

import sys

from cli import main

sys.exit(main())
