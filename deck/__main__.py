"""``python -m deck --year 2025 --lang sv --as-of 2024-10 -o deck.pptx``."""

import sys

from deck.cli import main

sys.exit(main())
