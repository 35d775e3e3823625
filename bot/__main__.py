"""`python -m bot`: see `bot.main`."""

import sys

from bot.main import main

sys.exit(main())
