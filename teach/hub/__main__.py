"""``python -m teach.hub`` = ``python -m teach hub``."""

import sys

from teach.hub.cli import main

if __name__ == "__main__":
    sys.exit(main())
