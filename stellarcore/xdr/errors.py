"""The one exception every XDR failure is reported with."""


class XdrError(ValueError):
    """Malformed XDR input, or a value that cannot be encoded.

    `path` names where it happened, outermost first, e.g.
    ``LedgerCloseMeta.v2.txProcessing[3].result``; `reason` is the bare cause.
    """

    def __init__(self, reason, path=None):
        self.reason = reason
        self.segments = list(path or [])
        super().__init__(reason)

    @property
    def path(self):
        out = ""
        for seg in self.segments:
            if seg.startswith("["):
                out += seg
            else:
                out += ("." if out else "") + seg
        return out

    def push(self, segment):
        """Prepend one step of the path (called while unwinding)."""
        self.segments.insert(0, segment)

    def __str__(self):
        p = self.path
        return f"{p}: {self.reason}" if p else self.reason
