"""Progress lines on stderr for long builds, validations and loads."""

import sys
import time


class Progress:
    """Prints "<label>: N rows" at most every ``interval`` seconds, and a final count.

    Silent for small jobs: nothing is printed before ``interval`` seconds have passed.
    """

    def __init__(self, stream=None, *, interval=2.0, enabled=True):
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = self.started
        self.printed = False

    def update(self, label, count, *, final=False):
        if not self.enabled:
            return
        now = time.monotonic()
        if final and not self.printed:
            return
        if final or now - self.last >= self.interval:
            elapsed = now - self.started
            self.stream.write(f"{label}: {count:,} rows ({elapsed:.0f}s)\n")
            self.stream.flush()
            self.last = now
            self.printed = True

    def message(self, text):
        if self.enabled and self.printed:
            self.stream.write(text + "\n")
            self.stream.flush()


SILENT = Progress(enabled=False)
