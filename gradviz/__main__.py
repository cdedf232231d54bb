"""``python -m gradviz`` and the PyInstaller entry point."""

import sys

from gradviz.app import main

if __name__ == "__main__":
    sys.exit(main())
