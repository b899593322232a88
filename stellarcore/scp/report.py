"""Human-readable forms of SCP state, as stellar-core prints them
(SCP::envToStr, SCP::ballotToStr, hexAbbrev) for logs and the /scp report."""
from __future__ import annotations

from stellarcore.scp.statement import CONFIRM, EXTERNALIZE, PREPARE


def hex_abbrev(h: bytes) -> str:
    """The first 3 bytes as hex (stellar-core's hexAbbrev)."""
    return h[:3].hex()


def ballot_to_str(driver, b) -> str:
    if b is None:
        return "(<null_ballot>)"
    return f"({b[0]},{driver.get_value_string(b[1])})"


def env_to_str(scp, st, full_keys: bool = False) -> str:
    d = scp.driver
    node = d.to_str_key(st.node, full_keys)
    out = f"{{ENV@{node} |  i: {st.slot}"
    qh = hex_abbrev(st.qset_hash)
    if st.type == PREPARE:
        out += (f" | PREPARE | D: {qh} | b: {ballot_to_str(d, st.ballot)}"
                f" | p: {ballot_to_str(d, st.prepared)} | p': {ballot_to_str(d, st.prepared_prime)}"
                f" | c.n: {st.nC} | h.n: {st.nH}")
    elif st.type == CONFIRM:
        out += (f" | CONFIRM | D: {qh} | b: {ballot_to_str(d, st.ballot)} | p.n: {st.nPrepared}"
                f" | c.n: {st.nCommit} | h.n: {st.nH}")
    elif st.type == EXTERNALIZE:
        out += f" | EXTERNALIZE | c: {ballot_to_str(d, st.commit)} | h.n: {st.nH} | (lastD): {qh}"
    else:
        votes = " ,".join(f"'{d.get_value_string(v)}'" for v in st.votes)
        acc = " ,".join(f"'{d.get_value_string(v)}'" for v in st.accepted)
        out += f" | NOMINATE | D: {qh} | X: {{{votes}}} | Y: {{{acc}}}"
    return out + " }"
