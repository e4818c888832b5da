"""What the offline engine knows about the process it runs in."""

from __future__ import annotations

#: True in the `lz` command (`lz.cli.run`), whose process ends with the command and skips interpreter
#: teardown: the runner then freezes what a program allocated (`gc.freeze`) instead of collecting it.
#: False for a long-lived process (the test suite, a library user), which collects after every plan.
ENDS_WITH_COMMAND = False
