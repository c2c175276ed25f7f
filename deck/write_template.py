"""``python -m deck.write_template -o start.pptx``: the deck's default template, as a file.

A start for a city's own template: open it in PowerPoint, restyle the slide master and
keep the layouts' names (see ``deck.template.LAYOUT_NAMES``).
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from deck.template import default_presentation


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the board deck's default template.")
    parser.add_argument("-o", "--output", type=Path, required=True)
    output: Path = parser.parse_args().output
    buffer = io.BytesIO()
    default_presentation().save(buffer)
    output.write_bytes(buffer.getvalue())


if __name__ == "__main__":
    main()
