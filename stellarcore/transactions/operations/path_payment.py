"""PathPaymentStrictReceive and PathPaymentStrictSend (stellar-core
transactions/PathPaymentOpFrameBase.cpp, PathPaymentStrictReceiveOpFrame.cpp,
PathPaymentStrictSendOpFrame.cpp), protocol 23 and later.

Why one module with a base class: both operations share the balance
updates, the per-hop conversion and the cross-self filter, and differ only
in the direction of the walk and in which end is fixed:

  strict receive  credit the destination with destAmount first, then walk
                  the path backwards (dest asset -> ... -> send asset), each
                  hop receiving exactly what the next one needs
                  (PATH_PAYMENT_STRICT_RECEIVE rounding, maxSend unbounded),
                  prepending each hop's claim atoms so the result lists them
                  in path order; finally check sendMax and debit the source.
  strict send     debit the source with sendAmount first, then walk the path
                  forwards, each hop sending exactly what the previous one
                  received (PATH_PAYMENT_STRICT_SEND rounding, maxReceive
                  unbounded), appending claim atoms; finally check destMin and
                  credit the destination.

Observable consequences of that order (kept on purpose): a strict-receive
self payment of a credit asset from a zero balance succeeds (T7), and
LINE_FULL / NO_TRUST of the destination beat UNDERFUNDED of the source in
strict receive but not in strict send.

MAX_OFFERS_TO_CROSS is one budget for the whole operation (PARITY_TRAPS
D3): each hop may cross MAX_OFFERS_TO_CROSS minus the atoms already in the
result. The issuer checks of checkIssuer are pre-protocol-13 only, so
NO_ISSUER is never produced here (a missing issuer shows up as
TOO_FEW_OFFERS since nobody can hold offers in its asset).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.assets import asset_is_valid, asset_issuer
from stellarcore.ledger.keys import account_key
from stellarcore.ledger.trustline import load_trustline
from stellarcore.transactions import events as E
from stellarcore.transactions.operation_frame import OperationFrame, muxed_to_account_id, register

INT64_MAX = (1 << 63) - 1
_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
_OC = xdr.OperationResultCode


def _ox():
    """The exchange module (helper A's Cython), imported on first use."""
    from stellarcore.transactions import offer_exchange
    return offer_exchange


class PathPaymentOpFrameBase(OperationFrame):
    """PathPaymentOpFrameBase: what both directions share. Subclasses give
    the assets, the destination, the path, `check_transfer`, the rounding
    and the result-code enum; `_C_<NAME>` is `<ROUNDING>_<NAME>` of that
    enum (both enums share the names but UNDER_DESTMIN/OVER_SENDMAX)."""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        prefix = cls._ROUNDING + "_"
        for name, code in cls._CODES.__members__.items():
            setattr(cls, "_C_" + name[len(prefix):], code)

    # -- per-operation accessors (filled by the subclasses) -----------------
    @property
    def source_asset(self):
        return self.body.sendAsset

    @property
    def dest_asset(self):
        return self.body.destAsset

    @property
    def path(self) -> list:
        return self.body.path

    @property
    def dest_muxed(self):
        return self.body.destination

    @property
    def dest_id(self):
        return muxed_to_account_id(self.body.destination)

    @property
    def is_dex_operation(self) -> bool:
        """isDexOperation: any path, or two different assets."""
        return len(self.path) > 0 or self.source_asset != self.dest_asset

    def check_transfer(self, max_send: int, amount_send: int, max_recv: int, amount_recv: int) -> bool:
        raise NotImplementedError

    # -- validity ------------------------------------------------------------
    def _assets_valid(self, ledger_version: int) -> bool:
        b = self.body
        if not asset_is_valid(b.sendAsset, ledger_version) or not asset_is_valid(b.destAsset, ledger_version):
            return False
        return all(asset_is_valid(p, ledger_version) for p in b.path)

    # -- shared pieces of doApply ---------------------------------------------
    def should_bypass_issuer_check(self) -> bool:
        """shouldBypassIssuerCheck: a plain credit payment back to its issuer
        needs no destination account (so credits can always be returned)."""
        dest = self.dest_asset
        return (dest.type != _NATIVE and len(self.path) == 0 and self.source_asset == dest
                and asset_issuer(dest) == self.dest_id)

    def _success(self):
        """The success arm of this op's result (set by set_code(SUCCESS))."""
        return self.inner_result().success

    def _max_offers_to_cross(self) -> int:
        """getMaxOffersToCross minus the atoms already crossed (D3)."""
        return B.MAX_OFFERS_TO_CROSS - len(self._success().offers)

    def convert(self, ltx, max_offers_to_cross: int, send_asset, max_send: int, recv_asset,
                max_recv: int, offer_trail: list):
        """PathPaymentOpFrameBase::convert: one hop send_asset -> recv_asset
        through the book or a pool; our own offers stop the crossing.
        Returns (ok, amount_send, amount_recv); on failure the code is set."""
        ox = _ox()
        round_type = getattr(ox.RoundingType, self._ROUNDING)
        assert not offer_trail
        assert send_asset != recv_asset
        source_id = self.source_id
        keep, stop_self = ox.OfferFilterResult.KEEP, ox.OfferFilterResult.STOP_CROSS_SELF

        def cross_self_filter(offer_le):
            return stop_self if offer_le.data.offer.sellerID == source_id else keep

        r, amount_send, amount_recv = ox.convert_with_offers_and_pools(
            ltx, send_asset, max_send, recv_asset, max_recv, round_type, cross_self_filter,
            offer_trail, max_offers_to_cross)
        if amount_send < 0 or amount_recv < 0:
            raise RuntimeError("amount transferred out of bounds")
        CR = ox.ConvertResult
        if r == CR.FILTER_STOP_CROSS_SELF:
            self.set_code(self._C_OFFER_CROSS_SELF)
            return False, amount_send, amount_recv
        if r == CR.OK and self.check_transfer(max_send, amount_send, max_recv, amount_recv):
            return True, amount_send, amount_recv
        if r in (CR.OK, CR.PARTIAL):
            self.set_code(self._C_TOO_FEW_OFFERS)
            return False, amount_send, amount_recv
        if r == CR.CROSSED_TOO_MANY:
            self.set_op_code(_OC.opEXCEEDED_WORK_LIMIT)
            return False, amount_send, amount_recv
        raise RuntimeError("unexpected convert result")

    def update_source_balance(self, ltx, amount: int) -> bool:
        """updateSourceBalance (p8+: the source account always exists)."""
        asset = self.source_asset
        header = ltx.header
        if asset.type == _NATIVE:
            src = ltx.load(account_key(self.source_id))
            if src is None:
                self.set_code(self._C_MALFORMED)
                return False
            if amount > B.available_balance(header, src):
                self.set_code(self._C_UNDERFUNDED)
                return False
            if not B.add_balance(header, src, -amount):
                raise RuntimeError("addBalance failed after the availability check")
            return True
        line = load_trustline(ltx, self.source_id, asset)
        if line is None:
            self.set_code(self._C_SRC_NO_TRUST)
            return False
        if not line.is_authorized():
            self.set_code(self._C_SRC_NOT_AUTHORIZED)
            return False
        if not line.add_balance(header, -amount):
            self.set_code(self._C_UNDERFUNDED)
            return False
        return True

    def update_dest_balance(self, ltx, amount: int) -> bool:
        """updateDestBalance (p11+: a native overflow is LINE_FULL)."""
        asset = self.dest_asset
        dest_id = self.dest_id
        header = ltx.header
        if asset.type == _NATIVE:
            dest = ltx.load(account_key(dest_id))
            if not B.add_balance(header, dest, amount):
                self.set_code(self._C_LINE_FULL)
                return False
            return True
        line = load_trustline(ltx, dest_id, asset)
        if line is None:
            self.set_code(self._C_NO_TRUST)
            return False
        if not line.is_authorized():
            self.set_code(self._C_NOT_AUTHORIZED)
            return False
        if not line.add_balance(header, amount):
            self.set_code(self._C_LINE_FULL)
            return False
        return True

    def _dest_exists_or_bypass(self, ltx) -> bool:
        """NO_DESTINATION unless the issuer bypass applies (loadAccountWithoutRecord)."""
        if self.should_bypass_issuer_check():
            return True
        if ltx.load_without_record(account_key(self.dest_id)) is None:
            self.set_code(self._C_NO_DESTINATION)
            return False
        return True

    def _emit_events(self, op_meta, amount: int) -> None:
        """Two transfers per claim atom, then the source -> destination
        transfer (mint/burn at the issuer) of the destination asset."""
        ev = op_meta.events
        ev.for_claim_atoms(self.source_account, self._success().offers)
        ev.transfer_with_issuer_check(self.dest_asset, E.muxed_account_address(self.source_account),
                                      E.muxed_account_address(self.dest_muxed), amount, True)




@register(xdr.OperationType.PATH_PAYMENT_STRICT_RECEIVE)
class PathPaymentStrictReceiveOpFrame(PathPaymentOpFrameBase):
    """PathPaymentStrictReceiveOpFrame: the destination gets exactly destAmount."""

    _ROUNDING = "PATH_PAYMENT_STRICT_RECEIVE"
    _CODES = xdr.PathPaymentStrictReceiveResultCode

    def check_transfer(self, max_send, amount_send, max_recv, amount_recv) -> bool:
        return max_recv == amount_recv

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if b.destAmount <= 0 or b.sendMax <= 0 or not self._assets_valid(ledger_version):
            self.set_code(self._C_MALFORMED)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        self.set_code(self._C_SUCCESS)
        if not self._dest_exists_or_bypass(ltx):
            return False
        if not self.update_dest_balance(ltx, b.destAmount):
            return False
        self._success().last = xdr.SimplePaymentResult(destination=self.dest_id, asset=b.destAsset,
                                                        amount=b.destAmount)
        # the full path from the destination, ending with the send asset
        full_path = list(reversed(b.path)) + [b.sendAsset]
        recv_asset = b.destAsset
        max_amount_recv = b.destAmount
        for send_asset in full_path:
            if recv_asset == send_asset:
                continue
            offer_trail: list = []
            ok, amount_send, _ = self.convert(ltx, self._max_offers_to_cross(), send_asset, INT64_MAX,
                                              recv_asset, max_amount_recv, offer_trail)
            if not ok:
                return False
            max_amount_recv = amount_send
            recv_asset = send_asset
            # prepend: the result lists the atoms in path order
            offers = self._success().offers
            offers[0:0] = offer_trail
        if max_amount_recv > b.sendMax:
            self.set_code(self._C_OVER_SENDMAX)
            return False
        if not self.update_source_balance(ltx, max_amount_recv):
            return False
        self._emit_events(op_meta, b.destAmount)
        return True




@register(xdr.OperationType.PATH_PAYMENT_STRICT_SEND)
class PathPaymentStrictSendOpFrame(PathPaymentOpFrameBase):
    """PathPaymentStrictSendOpFrame: the source sends exactly sendAmount."""

    _ROUNDING = "PATH_PAYMENT_STRICT_SEND"
    _CODES = xdr.PathPaymentStrictSendResultCode

    def check_transfer(self, max_send, amount_send, max_recv, amount_recv) -> bool:
        return max_send == amount_send

    def do_check_valid(self, ledger_version: int) -> bool:
        b = self.body
        if b.sendAmount <= 0 or b.destMin <= 0 or not self._assets_valid(ledger_version):
            self.set_code(self._C_MALFORMED)
            return False
        return True

    def do_apply(self, ltx, op_meta) -> bool:
        b = self.body
        self.set_code(self._C_SUCCESS)
        if not self._dest_exists_or_bypass(ltx):
            return False
        if not self.update_source_balance(ltx, b.sendAmount):
            return False
        # the full path to the destination, ending with the dest asset
        full_path = list(b.path) + [b.destAsset]
        send_asset = b.sendAsset
        max_amount_send = b.sendAmount
        for recv_asset in full_path:
            if recv_asset == send_asset:
                continue
            offer_trail: list = []
            ok, _, amount_recv = self.convert(ltx, self._max_offers_to_cross(), send_asset, max_amount_send,
                                              recv_asset, INT64_MAX, offer_trail)
            if not ok:
                return False
            max_amount_send = amount_recv
            send_asset = recv_asset
            self._success().offers.extend(offer_trail)
        if max_amount_send < b.destMin:
            self.set_code(self._C_UNDER_DESTMIN)
            return False
        if not self.update_dest_balance(ltx, max_amount_send):
            return False
        self._success().last = xdr.SimplePaymentResult(destination=self.dest_id, asset=b.destAsset,
                                                        amount=max_amount_send)
        self._emit_events(op_meta, max_amount_send)
        return True
