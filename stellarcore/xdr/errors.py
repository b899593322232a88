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

    MAX_SHOWN = 24  # segments shown in the message; deeper paths are elided

    @property
    def path(self):
        segs = self.segments
        if len(segs) > self.MAX_SHOWN:
            half = self.MAX_SHOWN // 2
            segs = segs[:half] + [f"...({len(segs) - 2 * half} more)..."] + segs[-half:]
        out = ""
        for seg in segs:
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
