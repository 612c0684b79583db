"""``python -m chorus_sandbox`` — same options as ``chorusbat sandbox``."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
