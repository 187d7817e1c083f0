"""``python -m wabot_desktop``: see :mod:`wabot_desktop.app`."""

import sys

from wabot_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
