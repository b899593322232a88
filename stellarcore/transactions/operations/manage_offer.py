"""ManageSellOffer, ManageBuyOffer and CreatePassiveSellOffer (stellar-core
transactions/ManageOfferOpFrameBase.cpp, ManageSellOfferOpFrame.cpp,
ManageBuyOfferOpFrame.cpp, CreatePassiveSellOfferOpFrame.cpp), protocol 23+.

Vocabulary: the source sells "sheep" and buys "wheat". A buy offer is a
sell offer at the inverse price whose limit is on the wheat received
instead of the sheep sent; a passive offer is a sell offer with offerID 0
that does not cross offers at exactly its own price.

Why doApply is ordered the way it is (each step is observable in results
or meta):
  1. checkOfferValid in a child LedgerTxn that is always rolled back:
     trustlines exist, the sheep line has a balance, both are authorized.
  2. An existing offer: release its liabilities, remember its flags and
     sponsorship, erase it (the sub-entry count is not touched yet).
     A new offer: take the reserve now (createEntryWithPossibleSponsorship
     on an ID-less placeholder), so everything after is computed with the
     reserve already counted.
  3. computeOfferExchangeParameters, again in a rolled-back child: the
     new offer's liabilities must fit (LINE_FULL / UNDERFUNDED), and the
     crossing is capped by what the account can sell and buy.
  4. Cross the book (convertWithOffersAndPools with NORMAL rounding, so
     pools never trade here, PARITY_TRAPS D1), stopping at a worse price
     (>= for passive offers) or at our own offer (CROSS_SELF).
  5. Move the balances, then size what stays on the book with adjustOffer
     from what the account can still sell and buy.
  6. Amount > 0: (re)create the offer - a new one takes the next idPool
     ID - and acquire its liabilities. Amount 0: DELETED, and the reserve
     taken in 2 (or held by the old offer) is given back with
     removeEntryWithPossibleSponsorship.

CreatePassiveSellOffer applies as a ManageSellOffer, and stellar-core
builds its result from that converted operation: the result's tr arm is
MANAGE_SELL_OFFER (initializeOperationResults uses getOperation()).
"""
from __future__ import annotations

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.assets import asset_is_valid
from stellarcore.ledger.keys import account_key, offer_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.sponsorship import (create_entry_with_possible_sponsorship,
                                            remove_entry_with_possible_sponsorship)
from stellarcore.ledger.trustline import load_trustline, load_trustline_without_record
from stellarcore.transactions.operation_frame import OperationFrame, register

INT64_MAX = (1 << 63) - 1
_OT = xdr.OperationType
_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
_PASSIVE = xdr.OfferEntryFlags.PASSIVE_FLAG
_EFF = xdr.ManageOfferEffect


def _ox():
    """The exchange module (Cython, OfferExchange.cpp), imported on first use."""
    from stellarcore.transactions import offer_exchange
    return offer_exchange


def price_ge(a, b) -> bool:
    """operator>=(Price, Price) of util/types.cpp: a.n*b.d >= a.d*b.n."""
    return a.n * b.d >= a.d * b.n


def price_gt(a, b) -> bool:
    """operator>(Price, Price) of util/types.cpp."""
    return a.n * b.d > a.d * b.n


def _is_native(asset) -> bool:
    return asset.type == _NATIVE


class ManageOfferOpFrameBase(OperationFrame):
    """ManageOfferOpFrameBase. Subclasses set sheep, wheat, offer_id, price
    (the stored offer price: sheep per wheat inverted for buy offers),
    set_passive_on_create, the amount accessors and the result codes
    (`_C` = the op's result-code enum, `_P` = its code-name prefix)."""

    _C = None
    _P = None
    set_passive_on_create = False

    # -- per-op pieces (ManageSellOfferOpFrame / ManageBuyOfferOpFrame) -------
    def is_amount_valid(self) -> bool:
        raise NotImplementedError

    def is_delete_offer(self) -> bool:
        raise NotImplementedError

    def offer_buying_liabilities(self) -> int:
        raise NotImplementedError

    def offer_selling_liabilities(self) -> int:
        raise NotImplementedError

    def apply_operation_specific_limits(self, max_sheep_send, sheep_sent, max_wheat_receive, wheat_received):
        """Returns the limited (max_sheep_send, max_wheat_receive)."""
        raise NotImplementedError

    @property
    def is_dex_operation(self) -> bool:
        """isDexOperation: everything but a deletion."""
        return not self.is_delete_offer()

    def _code(self, name: str):
        return getattr(self._C, self._P + name)

    def _fail(self, name: str) -> bool:
        self.set_code(self._code(name))
        return False

    # -- validity ------------------------------------------------------------
    def do_check_valid(self, ledger_version: int) -> bool:
        """doCheckValid: valid, different assets; amount >= 0, positive price;
        deleting needs an offer ID (v11+); no negative IDs (v15+)."""
        sheep, wheat = self.sheep, self.wheat
        if not asset_is_valid(sheep, ledger_version) or not asset_is_valid(wheat, ledger_version):
            return self._fail("MALFORMED")
        if sheep == wheat:
            return self._fail("MALFORMED")
        p = self.price
        if not self.is_amount_valid() or p.d <= 0 or p.n <= 0:
            return self._fail("MALFORMED")
        if self.offer_id == 0 and self.is_delete_offer():
            return self._fail("MALFORMED")
        if self.offer_id < 0:
            return self._fail("MALFORMED")
        return True

    def _check_offer_valid(self, ltx_outer) -> bool:
        """checkOfferValid (in a child LedgerTxn, always rolled back)."""
        if self.is_delete_offer():
            return True
        ltx = LedgerTxn(ltx_outer)
        try:
            if not _is_native(self.sheep):
                line = load_trustline(ltx, self.source_id, self.sheep)
                if line is None:
                    return self._fail("SELL_NO_TRUST")
                if line.balance == 0:
                    return self._fail("UNDERFUNDED")
                if not line.is_authorized():
                    return self._fail("SELL_NOT_AUTHORIZED")
            if not _is_native(self.wheat):
                line = load_trustline(ltx, self.source_id, self.wheat)
                if line is None:
                    return self._fail("BUY_NO_TRUST")
                if not line.is_authorized():
                    return self._fail("BUY_NOT_AUTHORIZED")
            return True
        finally:
            ltx.rollback()

    # -- the offer entry -------------------------------------------------------
    def build_offer(self, amount: int, flags: int, ext) -> "xdr.LedgerEntry":
        """buildOffer: the entry this op would leave (offerID = the op's)."""
        o = xdr.OfferEntry(sellerID=self.source_id, offerID=self.offer_id, selling=self.sheep,
                           buying=self.wheat, amount=amount, price=self.price, flags=int(flags),
                           ext=xdr.OfferEntryExt(0))
        return xdr.LedgerEntry(lastModifiedLedgerSeq=0, data=xdr.LedgerEntryData(offer=o),
                               ext=ext.copy() if ext is not None else xdr.LedgerEntryExt(0))

    # -- computeOfferExchangeParameters -----------------------------------------
    def _compute_exchange_parameters(self, ltx_outer):
        """computeOfferExchangeParameters (v14+; in a rolled-back child):
        returns (max_sheep_send, max_wheat_receive) or None (code set)."""
        ox = _ox()
        ltx = LedgerTxn(ltx_outer)
        try:
            header = ltx.header
            src = self.load_source_account(ltx)
            sheep_line = None if _is_native(self.sheep) else load_trustline(ltx, self.source_id, self.sheep)
            wheat_line = None if _is_native(self.wheat) else load_trustline(ltx, self.source_id, self.wheat)
            max_wheat_receive = ox.can_buy_at_most(header, src, self.wheat, wheat_line)
            max_sheep_send = ox.can_sell_at_most(header, src, self.sheep, sheep_line)
            available_limit = (B.max_amount_receive(header, src) if _is_native(self.wheat)
                               else wheat_line.max_amount_receive(header))
            if available_limit < self.offer_buying_liabilities():
                self.set_code(self._code("LINE_FULL"))
                return None
            available_balance = (B.available_balance(header, src) if _is_native(self.sheep)
                                 else sheep_line.available_balance(header))
            if available_balance < self.offer_selling_liabilities():
                self.set_code(self._code("UNDERFUNDED"))
                return None
            return self.apply_operation_specific_limits(max_sheep_send, 0, max_wheat_receive, 0)
        finally:
            ltx.rollback()

    # -- doApply ----------------------------------------------------------------
    def do_apply(self, ltx_outer, op_meta) -> bool:
        ltx = LedgerTxn(ltx_outer)
        try:
            ok = self._do_apply(ltx)
            if not ok:
                return False
            ltx.commit()
        finally:
            ltx.rollback()
        op_meta.events.for_claim_atoms(self.source_account, self.inner_result().success.offersClaimed)
        return True

    def _do_apply(self, ltx) -> bool:
        if not self._check_offer_valid(ltx):
            return False
        creating = False
        amount = 0
        if self.offer_id:
            # modifying an old offer: free its liabilities (the assets may
            # change, even swap) and erase it; numSubEntries and the
            # sponsorship stay as they are until the end.
            key = offer_key(self.source_id, self.offer_id)
            old = ltx.load(key)
            if old is None:
                return self._fail("NOT_FOUND")
            _ox().release_liabilities(ltx, ltx.header, old)
            flags = old.data.offer.flags
            passive = bool(flags & _PASSIVE)
            extension = old.ext.copy()
            ltx.erase(key)
        else:
            # creating: take the reserve (possibly sponsored) up front on an
            # ID-less placeholder; no offer is created yet.
            creating = True
            passive = self.set_passive_on_create
            flags = _PASSIVE if passive else 0
            header = ltx.header
            le = self.build_offer(0, 0, None)
            src = ltx.load(account_key(self.source_id))
            res = create_entry_with_possible_sponsorship(ltx, header, le, src)
            if not self.sponsorship_ok(res, self._code("LOW_RESERVE")):
                return False
            extension = le.ext

        self.set_code(self._code("SUCCESS"))
        success = self.inner_result().success

        if not self.is_delete_offer():
            limits = self._compute_exchange_parameters(ltx)
            if limits is None:
                return False
            max_sheep_send, max_wheat_receive = limits
            if max_wheat_receive == 0:
                return self._fail("LINE_FULL")
            amount = self._cross(ltx, success, passive, max_sheep_send, max_wheat_receive)
            if amount is None:
                return False

        header = ltx.header
        ox = _ox()
        if amount > 0:
            new = self.build_offer(amount, flags, extension)
            if creating:
                new.data.offer.offerID = B.generate_id(header)
                success.offer = xdr.ManageOfferSuccessResultOffer(_EFF.MANAGE_OFFER_CREATED,
                                                                 new.data.offer.copy())
            else:
                success.offer = xdr.ManageOfferSuccessResultOffer(_EFF.MANAGE_OFFER_UPDATED,
                                                                 new.data.offer.copy())
            created = ltx.create(new)
            ox.acquire_liabilities(ltx, header, created)
        else:
            success.offer = xdr.ManageOfferSuccessResultOffer(_EFF.MANAGE_OFFER_DELETED)
            src = ltx.load(account_key(self.source_id))
            remove_entry_with_possible_sponsorship(ltx, header, self.build_offer(0, 0, extension), src)
        return True

    def _cross(self, ltx, success, passive, max_sheep_send, max_wheat_receive):
        """Cross the book and move the balances; the amount that stays on
        the book, or None (code set)."""
        ox = _ox()
        sheep, wheat, source_id, my_id = self.sheep, self.wheat, self.source_id, self.offer_id
        max_wheat_price = xdr.Price(n=self.price.d, d=self.price.n)
        F = ox.OfferFilterResult

        def offer_filter(offer_le):
            o = offer_le.data.offer
            if o.offerID == my_id:
                raise RuntimeError("crossing the offer being modified")
            if (passive and price_ge(o.price, max_wheat_price)) or price_gt(o.price, max_wheat_price):
                return F.STOP_BAD_PRICE
            if o.sellerID == source_id:
                return F.STOP_CROSS_SELF
            return F.KEEP

        trail = []
        r, sheep_sent, wheat_received = ox.convert_with_offers_and_pools(
            ltx, sheep, max_sheep_send, wheat, max_wheat_receive, ox.RoundingType.NORMAL, offer_filter,
            trail, B.MAX_OFFERS_TO_CROSS)
        if sheep_sent < 0:
            raise RuntimeError("sheepSent < 0")
        CR = ox.ConvertResult
        if r == CR.OK:
            sheep_stays = False
        elif r in (CR.PARTIAL, CR.FILTER_STOP_BAD_PRICE):
            sheep_stays = True
        elif r == CR.FILTER_STOP_CROSS_SELF:
            self._fail("CROSS_SELF")
            return None
        elif r == CR.CROSSED_TOO_MANY:
            self.set_op_code(xdr.OperationResultCode.opEXCEEDED_WORK_LIMIT)
            return None
        else:
            raise RuntimeError("unexpected ConvertResult")
        success.offersClaimed = list(trail)

        header = ltx.header
        if wheat_received > 0:
            if _is_native(wheat):
                ok = B.add_balance(header, ltx.load(account_key(source_id)), wheat_received)
            else:
                ok = load_trustline(ltx, source_id, wheat).add_balance(header, wheat_received)
            if not ok:
                raise RuntimeError("offer claimed over limit")
            if _is_native(sheep):
                ok = B.add_balance(header, ltx.load(account_key(source_id)), -sheep_sent)
            else:
                ok = load_trustline(ltx, source_id, sheep).add_balance(header, -sheep_sent)
            if not ok:
                raise RuntimeError("offer sold more than balance")

        if not sheep_stays:
            return 0
        src = ltx.load_without_record(account_key(source_id))
        sheep_line = None if _is_native(sheep) else load_trustline_without_record(ltx, source_id, sheep)
        wheat_line = None if _is_native(wheat) else load_trustline_without_record(ltx, source_id, wheat)
        sheep_limit = ox.can_sell_at_most(header, src, sheep, sheep_line)
        wheat_limit = ox.can_buy_at_most(header, src, wheat, wheat_line)
        sheep_limit, wheat_limit = self.apply_operation_specific_limits(sheep_limit, sheep_sent, wheat_limit,
                                                                        wheat_received)
        return ox.adjust_offer(self.price.n, self.price.d, sheep_limit, wheat_limit)


@register(_OT.MANAGE_SELL_OFFER)
class ManageSellOfferOpFrame(ManageOfferOpFrameBase):
    """ManageSellOfferOpFrame: `amount` of sheep at `price` wheat per sheep."""

    _C = xdr.ManageSellOfferResultCode
    _P = "MANAGE_SELL_OFFER_"

    @property
    def sheep(self):
        return self.body.selling

    @property
    def wheat(self):
        return self.body.buying

    @property
    def offer_id(self) -> int:
        return self.body.offerID

    @property
    def price(self):
        return self.body.price

    def is_amount_valid(self) -> bool:
        return self.body.amount >= 0

    def is_delete_offer(self) -> bool:
        return self.body.amount == 0

    def _liabilities(self):
        p = self.body.price
        return _ox().exchange_v10_without_price_error_thresholds(
            p.n, p.d, self.body.amount, INT64_MAX, INT64_MAX, INT64_MAX, _ox().RoundingType.NORMAL)

    def offer_buying_liabilities(self) -> int:
        return self._liabilities()[1]   # numSheepSend

    def offer_selling_liabilities(self) -> int:
        return self._liabilities()[0]   # numWheatReceived

    def apply_operation_specific_limits(self, max_sheep_send, sheep_sent, max_wheat_receive, wheat_received):
        return min(self.body.amount - sheep_sent, max_sheep_send), max_wheat_receive


@register(_OT.MANAGE_BUY_OFFER)
class ManageBuyOfferOpFrame(ManageOfferOpFrameBase):
    """ManageBuyOfferOpFrame: `buyAmount` of wheat at `price` sheep per
    wheat; the stored offer has the inverse price."""

    _C = xdr.ManageBuyOfferResultCode
    _P = "MANAGE_BUY_OFFER_"

    def __init__(self, op, tx, index):
        super().__init__(op, tx, index)
        p = self.body.price
        self._price = xdr.Price(n=p.d, d=p.n)

    @property
    def sheep(self):
        return self.body.selling

    @property
    def wheat(self):
        return self.body.buying

    @property
    def offer_id(self) -> int:
        return self.body.offerID

    @property
    def price(self):
        return self._price

    def is_amount_valid(self) -> bool:
        return self.body.buyAmount >= 0

    def is_delete_offer(self) -> bool:
        return self.body.buyAmount == 0

    def _liabilities(self):
        p = self._price
        return _ox().exchange_v10_without_price_error_thresholds(
            p.n, p.d, INT64_MAX, INT64_MAX, INT64_MAX, self.body.buyAmount, _ox().RoundingType.NORMAL)

    def offer_buying_liabilities(self) -> int:
        return self._liabilities()[1]   # numSheepSend

    def offer_selling_liabilities(self) -> int:
        return self._liabilities()[0]   # numWheatReceived

    def apply_operation_specific_limits(self, max_sheep_send, sheep_sent, max_wheat_receive, wheat_received):
        return max_sheep_send, min(self.body.buyAmount - wheat_received, max_wheat_receive)


@register(_OT.CREATE_PASSIVE_SELL_OFFER)
class CreatePassiveSellOfferOpFrame(ManageSellOfferOpFrame):
    """CreatePassiveSellOfferOpFrame: a ManageSellOffer (offerID 0) built
    from the op (ManageSellOfferOpHolder), passive on creation. The frame
    works on the converted operation, so its result is a MANAGE_SELL_OFFER
    result, as stellar-core's."""

    set_passive_on_create = True

    def __init__(self, op, tx, index):
        b = op.body.createPassiveSellOfferOp
        converted = xdr.Operation(sourceAccount=op.sourceAccount, body=xdr.OperationBody(
            _OT.MANAGE_SELL_OFFER, xdr.ManageSellOfferOp(selling=b.selling, buying=b.buying, amount=b.amount,
                                                         price=b.price, offerID=0)))
        super().__init__(converted, tx, index)
