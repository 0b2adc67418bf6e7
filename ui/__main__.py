"""``python -m ui [COMMAND]``: the same as the installed ``enclave`` command."""

import sys

from ui.launcher import main

sys.exit(main())
