"""StellarMessage helpers: type constants, which types flood, constructors.

`FLOOD_TYPES` is OverlayManager::isFloodMessage (SCP_MESSAGE, TRANSACTION,
FLOOD_DEMAND, FLOOD_ADVERT; the test-only TX_SET batch is not supported):
those are the messages that flow control counts and queues.
"""
from __future__ import annotations

from stellarcore import xdr

MT = xdr.MessageType
FLOOD_TYPES = frozenset({int(MT.SCP_MESSAGE), int(MT.TRANSACTION), int(MT.FLOOD_DEMAND),
                         int(MT.FLOOD_ADVERT)})
ERR_MISC, ERR_DATA, ERR_CONF, ERR_AUTH, ERR_LOAD = (xdr.ErrorCode.ERR_MISC, xdr.ErrorCode.ERR_DATA,
                                                    xdr.ErrorCode.ERR_CONF, xdr.ErrorCode.ERR_AUTH,
                                                    xdr.ErrorCode.ERR_LOAD)
AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED = xdr.AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED


def error_msg(code, text: str):
    return xdr.StellarMessage(error=xdr.Error(code=code, msg=text.encode()[:100]))


def auth_msg():
    return xdr.StellarMessage(auth=xdr.Auth(flags=AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED))


def send_more(num_messages: int, num_bytes: int):
    return xdr.StellarMessage(sendMoreExtendedMessage=xdr.SendMoreExtended(
        numMessages=num_messages, numBytes=num_bytes))


def dont_have(mtype, item: bytes):
    return xdr.StellarMessage(dontHave=xdr.DontHave(type=mtype, reqHash=bytes(item)))


def get_tx_set(h: bytes):
    return xdr.StellarMessage(txSetHash=bytes(h))


def get_qset(h: bytes):
    return xdr.StellarMessage(qSetHash=bytes(h))


def get_scp_state(seq: int):
    return xdr.StellarMessage(getSCPLedgerSeq=seq)


def transaction(env):
    return xdr.StellarMessage(transaction=env)


def scp_message(env):
    return xdr.StellarMessage(envelope=env)


def flood_advert(hashes):
    return xdr.StellarMessage(floodAdvert=xdr.FloodAdvert(txHashes=list(hashes)))


def flood_demand(hashes):
    return xdr.StellarMessage(floodDemand=xdr.FloodDemand(txHashes=list(hashes)))


def summary(msg) -> str:
    try:
        return MT(msg.type).name
    except ValueError:
        return f"UNKNOWN({msg.type})"
