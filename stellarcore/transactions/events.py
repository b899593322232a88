"""Classic (CAP-67) contract events: what stellar-core's OpEventManager
and TxEventManager emit (transactions/EventManager.cpp) and the SCVal /
SCAddress helpers of TransactionUtils.cpp they use.

Why: from protocol 23, with EMIT_CLASSIC_EVENTS, every classic value
movement appears in TransactionMetaV4 as a Stellar Asset Contract event
(transfer / mint / burn / clawback / set_authorized), and fees as "fee"
events at transaction level. Disabled managers record nothing, so callers
never branch on the configuration.
"""
from __future__ import annotations

from functools import lru_cache

from stellarcore import xdr
from stellarcore.crypto import ids
from stellarcore.crypto.strkey import encode as strkey_encode
from stellarcore.ledger.assets import asset_issuer

_SCV = xdr.SCValType
_ADDR = xdr.SCAddressType
_AT = xdr.AssetType
_CONTRACT = xdr.ContractEventType.CONTRACT
STAGE_BEFORE_ALL_TXS = xdr.TransactionEventStage.TRANSACTION_EVENT_STAGE_BEFORE_ALL_TXS
STAGE_AFTER_TX = xdr.TransactionEventStage.TRANSACTION_EVENT_STAGE_AFTER_TX
STAGE_AFTER_ALL_TXS = xdr.TransactionEventStage.TRANSACTION_EVENT_STAGE_AFTER_ALL_TXS
_MASK64 = (1 << 64) - 1


# -- SCVal / SCAddress builders --------------------------------------------
def symbol(s: str) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_SYMBOL, s.encode())


def string(s) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_STRING, s if isinstance(s, bytes) else s.encode())


def u64(v: int) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_U64, v)


def i128(v: int) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_I128, xdr.Int128Parts(hi=-1 if v < 0 else 0, lo=v & _MASK64))


def address_val(addr) -> "xdr.SCVal":
    return xdr.SCVal(_SCV.SCV_ADDRESS, addr)


def account_address(account_id) -> "xdr.SCAddress":
    return xdr.SCAddress(_ADDR.SC_ADDRESS_TYPE_ACCOUNT, account_id)


def muxed_account_address(m) -> "xdr.SCAddress":
    """makeMuxedAccountAddress."""
    if m.type == xdr.CryptoKeyType.KEY_TYPE_ED25519:
        return xdr.SCAddress(_ADDR.SC_ADDRESS_TYPE_ACCOUNT, xdr.PublicKey(ed25519=m.ed25519))
    med = m.med25519
    return xdr.SCAddress(_ADDR.SC_ADDRESS_TYPE_MUXED_ACCOUNT,
                         xdr.MuxedEd25519Account(id=med.id, ed25519=med.ed25519))


def claimable_balance_address(balance_id) -> "xdr.SCAddress":
    return xdr.SCAddress(_ADDR.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, balance_id)


def liquidity_pool_address(pool_id: bytes) -> "xdr.SCAddress":
    return xdr.SCAddress(_ADDR.SC_ADDRESS_TYPE_LIQUIDITY_POOL, pool_id)


def drop_muxed_info(addr) -> "xdr.SCAddress":
    if addr.type == _ADDR.SC_ADDRESS_TYPE_MUXED_ACCOUNT:
        return xdr.SCAddress(_ADDR.SC_ADDRESS_TYPE_ACCOUNT, xdr.PublicKey(ed25519=addr.muxedAccount.ed25519))
    return addr


def asset_code_str(code: bytes) -> str:
    return bytes(code).split(b"\0", 1)[0].decode("latin-1")


def sep11_asset_string(asset) -> "xdr.SCVal":
    """makeSep0011AssetStringSCVal: "native" or "CODE:G..."."""
    if asset.type == _AT.ASSET_TYPE_NATIVE:
        return string("native")
    a = asset.alphaNum4 if asset.type == _AT.ASSET_TYPE_CREDIT_ALPHANUM4 else asset.alphaNum12
    return string(asset_code_str(a.assetCode) + ":" + strkey_encode("G", a.issuer.ed25519))


def classic_memo_val(memo) -> "xdr.SCVal":
    t = memo.type
    if t == xdr.MemoType.MEMO_TEXT:
        return string(memo.text)
    if t == xdr.MemoType.MEMO_ID:
        return u64(memo.id)
    if t == xdr.MemoType.MEMO_HASH:
        return xdr.SCVal(_SCV.SCV_BYTES, memo.hash)
    if t == xdr.MemoType.MEMO_RETURN:
        return xdr.SCVal(_SCV.SCV_BYTES, memo.retHash)
    raise RuntimeError("Memo type cannot be `None`")


def is_issuer(addr, asset) -> bool:
    issuer = asset_issuer(asset)
    if issuer is None:
        return False
    if addr.type == _ADDR.SC_ADDRESS_TYPE_ACCOUNT:
        return addr.accountId == issuer
    if addr.type == _ADDR.SC_ADDRESS_TYPE_MUXED_ACCOUNT:
        return addr.muxedAccount.ed25519 == issuer.ed25519
    return False


@lru_cache(maxsize=4096)
def _asset_contract_id(network_id: bytes, asset_xdr: bytes) -> bytes:
    return ids.contract_id_from_asset(network_id, xdr.Asset.from_xdr(asset_xdr))


def asset_contract_id(network_id: bytes, asset) -> bytes:
    return _asset_contract_id(bytes(network_id), asset.to_xdr())


def possible_muxed_data(to, amount: int, memo, allow_muxed_id_or_memo: bool) -> "xdr.SCVal":
    """getPossibleMuxedData: the amount, or {amount, to_muxed_id}."""
    amount_val = i128(amount)
    is_to_mux = to.type == _ADDR.SC_ADDRESS_TYPE_MUXED_ACCOUNT
    is_to_account_with_memo = to.type == _ADDR.SC_ADDRESS_TYPE_ACCOUNT and memo.type != xdr.MemoType.MEMO_NONE
    if not allow_muxed_id_or_memo or (not is_to_mux and not is_to_account_with_memo):
        return amount_val
    to_val = u64(to.muxedAccount.id) if is_to_mux else classic_memo_val(memo)
    return xdr.SCVal(_SCV.SCV_MAP, [xdr.SCMapEntry(key=symbol("amount"), val=amount_val),
                                    xdr.SCMapEntry(key=symbol("to_muxed_id"), val=to_val)])


def contract_event(contract_id: bytes, topics: list, data) -> "xdr.ContractEvent":
    return xdr.ContractEvent(ext=xdr.ExtensionPoint(0), contractID=contract_id, type=_CONTRACT,
                             body=xdr.ContractEventBody(0, xdr.ContractEventV0(topics=topics, data=data)))


class OpEventManager:
    """The events of one operation (stellar-core OpEventManager)."""

    __slots__ = ("enabled", "network_id", "memo", "events")

    def __init__(self, enabled: bool, network_id: bytes, memo):
        self.enabled = enabled
        self.network_id = network_id
        self.memo = memo
        self.events: list = []

    def _cid(self, asset) -> bytes:
        return asset_contract_id(self.network_id, asset)

    def transfer_with_issuer_check(self, asset, from_addr, to_addr, amount: int, allow_muxed: bool) -> None:
        """eventForTransferWithIssuerCheck: issuer-sent is mint, issuer-received is burn."""
        if not self.enabled:
            return
        from_issuer = is_issuer(from_addr, asset)
        to_issuer = is_issuer(to_addr, asset)
        if from_issuer and not to_issuer:
            self.mint(asset, to_addr, amount, allow_muxed)
        elif to_issuer and not from_issuer:
            self.burn(asset, from_addr, amount)
        else:
            self.transfer(asset, from_addr, to_addr, amount, allow_muxed)

    def transfer(self, asset, from_addr, to_addr, amount: int, allow_muxed: bool) -> None:
        if not self.enabled:
            return
        topics = [symbol("transfer"), address_val(drop_muxed_info(from_addr)),
                  address_val(drop_muxed_info(to_addr)), sep11_asset_string(asset)]
        self.events.append(contract_event(self._cid(asset), topics,
                                          possible_muxed_data(to_addr, amount, self.memo, allow_muxed)))

    def mint(self, asset, to_addr, amount: int, allow_muxed: bool, at_beginning: bool = False) -> None:
        if not self.enabled:
            return
        topics = [symbol("mint"), address_val(drop_muxed_info(to_addr)), sep11_asset_string(asset)]
        ev = contract_event(self._cid(asset), topics, possible_muxed_data(to_addr, amount, self.memo, allow_muxed))
        if at_beginning:
            self.events.insert(0, ev)
        else:
            self.events.append(ev)

    def burn(self, asset, from_addr, amount: int) -> None:
        if not self.enabled:
            return
        topics = [symbol("burn"), address_val(drop_muxed_info(from_addr)), sep11_asset_string(asset)]
        self.events.append(contract_event(self._cid(asset), topics, i128(amount)))

    def clawback(self, asset, from_addr, amount: int) -> None:
        if not self.enabled:
            return
        topics = [symbol("clawback"), address_val(drop_muxed_info(from_addr)), sep11_asset_string(asset)]
        self.events.append(contract_event(self._cid(asset), topics, i128(amount)))

    def set_authorized(self, asset, account_id, authorize: bool) -> None:
        if not self.enabled:
            return
        topics = [symbol("set_authorized"), address_val(account_address(account_id)), sep11_asset_string(asset)]
        self.events.append(contract_event(self._cid(asset), topics, xdr.SCVal(_SCV.SCV_BOOL, bool(authorize))))

    def for_claim_atoms(self, source_muxed, claim_atoms) -> None:
        """eventsForClaimAtoms: two transfers per atom crossed."""
        if not self.enabled:
            return
        src = muxed_account_address(source_muxed)
        CT = xdr.ClaimAtomType
        for atom in claim_atoms:
            if atom.type == CT.CLAIM_ATOM_TYPE_V0:
                a = atom.v0
                other = account_address(xdr.PublicKey(ed25519=a.sellerEd25519))
            elif atom.type == CT.CLAIM_ATOM_TYPE_ORDER_BOOK:
                a = atom.orderBook
                other = account_address(a.sellerID)
            else:
                a = atom.liquidityPool
                other = liquidity_pool_address(a.liquidityPoolID)
            self.transfer_with_issuer_check(a.assetBought, src, other, a.amountBought, False)
            self.transfer_with_issuer_check(a.assetSold, other, src, a.amountSold, False)


class TxEventManager:
    """Transaction-level fee events (stellar-core TxEventManager)."""

    __slots__ = ("enabled", "network_id", "events")

    def __init__(self, enabled: bool, network_id: bytes):
        self.enabled = enabled
        self.network_id = network_id
        self.events: list = []

    def fee_event(self, fee_source_id, amount: int, stage) -> None:
        """newFeeEvent; zero amounts are not emitted."""
        if not self.enabled or amount == 0:
            return
        native = xdr.Asset(_AT.ASSET_TYPE_NATIVE)
        ev = contract_event(asset_contract_id(self.network_id, native),
                            [symbol("fee"), address_val(account_address(fee_source_id))], i128(amount))
        self.events.append(xdr.TransactionEvent(stage=stage, event=ev))
