"""Applying ledger upgrades while a ledger closes (stellar-core
herder/Upgrades.cpp: isValidForApply, applyTo and what they call, and the
upgrade loop of LedgerManagerImpl::applyLedger).

Why it lives in ledger/: this is the part of "upgrades" that changes ledger
state - the header fields, the Soroban settings a protocol or config
upgrade writes, and the offers and liabilities a base-reserve raise
(prepareLiabilities) repairs. The herder side (what to vote for, what to
accept in nomination, the operator's parameters) is herder/upgrades.py,
which builds on the validity check here.

Shape of a close (LedgerManagerImpl::applyLedger, after the transactions
and txSetResultHash): for each upgrade blob of the externalized
StellarValue, in order, `is_valid_for_apply` against the ledger as it is
now (earlier upgrades of the same ledger included); an XDR_INVALID or
INVALID one is skipped; a VALID one is applied in its own child LedgerTxn,
whose `get_changes()` become that upgrade's UpgradeEntryMeta; if applying
raises, the child is rolled back and the upgrade skipped, silently apart
from a log line (PARITY_TRAPS L5). `apply_upgrades` is that loop.

Protocol scope: the ledger is at protocol 23 or later, but a version
upgrade from an older protocol (a fresh network's ledger 2 jumps from 0)
runs every step stellar-core runs for it, except the mainnet-only 15->16
offer fix.
"""
from __future__ import annotations

import enum
import logging
import struct
from dataclasses import dataclass, field

from stellarcore import xdr
from stellarcore.ledger import balances as B
from stellarcore.ledger.assets import is_issuer
from stellarcore.ledger.keys import account_key, trustline_key
from stellarcore.ledger.ledger_txn import LedgerTxn
from stellarcore.ledger.sponsorship import remove_entry_with_possible_sponsorship
from stellarcore.ledger.trustline import load_trustline
from stellarcore.soroban import network_config as nc
from stellarcore.soroban.config_upgrade import ConfigUpgradeSetFrame, UpgradeValidity
from stellarcore.transactions.offer_exchange import (adjust_offer, get_offer_buying_liabilities,
                                                     get_offer_selling_liabilities)

log = logging.getLogger("stellarcore.ledger")

__all__ = [
    "UpgradeValidity", "UpgradeApplyError", "LiabilitiesReport", "UPGRADE_APPLY_ERRORS",
    "MASK_LEDGER_HEADER_FLAGS", "MAINNET_P24_FEE_POOL_CORRECTION",
    "decode_upgrade", "is_valid_for_apply", "apply_upgrade", "apply_upgrades",
    "apply_version_upgrade", "apply_reserve_upgrade", "prepare_liabilities",
    "header_flags", "set_header_flags", "max_soroban_tx_set_size", "in_memory_state_recomputer",
]

_LUT = xdr.LedgerUpgradeType
_NATIVE = xdr.AssetType.ASSET_TYPE_NATIVE
INT64_MAX = B.INT64_MAX
MASK_LEDGER_HEADER_FLAGS = xdr.MASK_LEDGER_HEADER_FLAGS
# The p23 fee burn (3.1879035 XLM) put back into the fee pool when mainnet
# upgrades from 23 to 24 (Upgrades::applyVersionUpgrade).
MAINNET_P24_FEE_POOL_CORRECTION = 31_879_035
_FIRST_FLAGS_VERSION = 18          # ProtocolVersion::V_18: LEDGER_UPGRADE_FLAGS allowed
_LIABILITIES_VERSION = 10          # ProtocolVersion::V_10: liabilities exist
_POSITIVE_DELTA_CHECK_VERSION = 11
_OFFER_PREFIX = struct.pack(">I", xdr.LedgerEntryType.OFFER)
_ACCOUNT_PREFIX = struct.pack(">I", xdr.LedgerEntryType.ACCOUNT)

# What stellar-core's upgrade loop catches (std::runtime_error and the
# rest) maps to these: our ledger, config and XDR errors are RuntimeError
# or ValueError subclasses. TypeError / AttributeError are bugs here and
# are not swallowed.
UPGRADE_APPLY_ERRORS = (RuntimeError, ValueError, ArithmeticError)


class UpgradeApplyError(RuntimeError):
    """An upgrade that cannot be applied to this ledger (stellar-core throws
    std::runtime_error there; the upgrade loop skips the upgrade)."""


# ------------------------------------------------------------------ header


def header_flags(header) -> int:
    """LedgerHeaderUtils::getFlags: ext v1's flags, else 0."""
    return header.ext.v1.flags if header.ext.v == 1 else 0


def set_header_flags(header, flags: int) -> None:
    """setLedgerHeaderFlag: switches the header extension to v1 first
    (that alone changes the header hash, even for flags 0)."""
    if header.ext.v == 0:
        header.ext = xdr.LedgerHeaderExt(1, xdr.LedgerHeaderExtensionV1(
            flags=0, ext=xdr.LedgerHeaderExtensionV1Ext(0)))
    header.ext.v1.flags = flags


def max_soroban_tx_set_size(store) -> int:
    """readMaxSorobanTxSetSize: ledgerMaxTxCount of the execution lanes
    setting (what LEDGER_UPGRADE_MAX_SOROBAN_TX_SET_SIZE changes)."""
    return nc.read_config_setting(
        store, xdr.ConfigSettingID.CONFIG_SETTING_CONTRACT_EXECUTION_LANES).contractExecutionLanes.ledgerMaxTxCount


# ------------------------------------------------------------------ validity


def decode_upgrade(blob) -> "xdr.LedgerUpgrade":
    """A LedgerUpgrade from an UpgradeType blob, strictly (every byte used,
    known type); raises xdr.XdrError (a ValueError) otherwise."""
    return xdr.LedgerUpgrade.from_xdr(bytes(blob))


def is_valid_for_apply(blob, store, max_protocol_version: int):
    """Upgrades::isValidForApply -> (UpgradeValidity, LedgerUpgrade or None).

    `store` is the ledger the upgrade would apply to (a LedgerTxn or a
    root store: its header and entries are read, never recorded);
    `max_protocol_version` is the node's LEDGER_PROTOCOL_VERSION.
    XDR_INVALID: the blob does not decode, or a config upgrade's set is
    malformed; INVALID: decodes but is not safe to apply here."""
    try:
        upgrade = decode_upgrade(blob)
    except xdr.XdrError:
        return UpgradeValidity.XDR_INVALID, None
    version = nc.store_header(store).ledgerVersion
    t = upgrade.type
    if t == _LUT.LEDGER_UPGRADE_VERSION:
        new = upgrade.newLedgerVersion
        ok = version < new <= max_protocol_version
    elif t == _LUT.LEDGER_UPGRADE_BASE_FEE:
        ok = upgrade.newBaseFee != 0
    elif t == _LUT.LEDGER_UPGRADE_MAX_TX_SET_SIZE:
        ok = True  # any size
    elif t == _LUT.LEDGER_UPGRADE_BASE_RESERVE:
        ok = upgrade.newBaseReserve != 0
    elif t == _LUT.LEDGER_UPGRADE_FLAGS:
        ok = version >= _FIRST_FLAGS_VERSION and (upgrade.newFlags & ~MASK_LEDGER_HEADER_FLAGS) == 0
    elif t == _LUT.LEDGER_UPGRADE_CONFIG:
        if version < nc.SOROBAN_PROTOCOL_VERSION:
            return UpgradeValidity.INVALID, upgrade
        frame = ConfigUpgradeSetFrame.make_from_key(store, upgrade.newConfig)
        if frame is None:
            return UpgradeValidity.INVALID, upgrade
        validity = frame.is_valid_for_apply()
        if validity == UpgradeValidity.XDR_INVALID:
            return UpgradeValidity.XDR_INVALID, upgrade
        ok = validity == UpgradeValidity.VALID
    elif t == _LUT.LEDGER_UPGRADE_MAX_SOROBAN_TX_SET_SIZE:
        if version < nc.SOROBAN_PROTOCOL_VERSION:
            return UpgradeValidity.INVALID, upgrade
        ok = True  # any size
    else:  # pragma: no cover - the decoder refuses unknown types
        ok = False
    return (UpgradeValidity.VALID if ok else UpgradeValidity.INVALID), upgrade


# ------------------------------------------------------------------ apply


def in_memory_state_recomputer(state):
    """The `recompute_state_size` callback over an InMemorySorobanState
    (LedgerManagerImpl::handleUpgradeAffectingSorobanInMemoryStateSize):
    recompute every contract code size with the settings now in the
    upgrade's ledger, answer the new total state size."""
    def recompute(config, ledger_version: int) -> int:
        state.recompute_contract_code_size(config, ledger_version)
        return state.get_size()
    return recompute


def apply_upgrade(ltx, upgrade, *, recompute_state_size=None, bucket_list_size=0,
                  is_production_network: bool = False, soroban_overrides=nc.PRODUCTION) -> None:
    """Upgrades::applyTo: apply one decoded, valid LedgerUpgrade to `ltx`
    (the caller's child LedgerTxn for this upgrade; its get_changes() are
    the UpgradeEntryMeta changes). Raises on failure; the caller rolls the
    child back.

    recompute_state_size(config, ledger_version) -> int: the in-memory
        Soroban state's recomputation (see in_memory_state_recomputer),
        needed by version upgrades to 23+ and memory-cost config upgrades;
    bucket_list_size: the live bucket list size (int or a callable), only
        read when protocol 20 starts (it seeds the state-size window);
    is_production_network: stellar-core's gIsProductionNetwork (the
        network passphrase is mainnet's), for the 23->24 fee-pool fix;
    soroban_overrides: test-only initial Soroban settings."""
    t = upgrade.type
    if t == _LUT.LEDGER_UPGRADE_VERSION:
        apply_version_upgrade(ltx, upgrade.newLedgerVersion, recompute_state_size=recompute_state_size,
                              bucket_list_size=bucket_list_size,
                              is_production_network=is_production_network,
                              soroban_overrides=soroban_overrides)
    elif t == _LUT.LEDGER_UPGRADE_BASE_FEE:
        ltx.header.baseFee = upgrade.newBaseFee
    elif t == _LUT.LEDGER_UPGRADE_MAX_TX_SET_SIZE:
        ltx.header.maxTxSetSize = upgrade.newMaxTxSetSize
    elif t == _LUT.LEDGER_UPGRADE_BASE_RESERVE:
        apply_reserve_upgrade(ltx, upgrade.newBaseReserve)
    elif t == _LUT.LEDGER_UPGRADE_FLAGS:
        set_header_flags(ltx.header, upgrade.newFlags)
    elif t == _LUT.LEDGER_UPGRADE_CONFIG:
        frame = ConfigUpgradeSetFrame.make_from_key(ltx, upgrade.newConfig)
        if frame is None:
            raise UpgradeApplyError("Failed to retrieve valid config upgrade set")
        if frame.is_valid_for_apply() != UpgradeValidity.VALID:
            raise UpgradeApplyError("config upgrade set is no longer valid")
        frame.apply_to(ltx, recompute_state_size)
    elif t == _LUT.LEDGER_UPGRADE_MAX_SOROBAN_TX_SET_SIZE:
        le = ltx.load(nc.config_setting_key(xdr.ConfigSettingID.CONFIG_SETTING_CONTRACT_EXECUTION_LANES))
        if le is None:
            raise UpgradeApplyError("no CONFIG_SETTING_CONTRACT_EXECUTION_LANES entry")
        le.data.configSetting.contractExecutionLanes.ledgerMaxTxCount = upgrade.newMaxSorobanTxSetSize
    else:  # pragma: no cover
        raise UpgradeApplyError(f"Unknown upgrade type: {int(t)}")


def apply_version_upgrade(ltx, new_version: int, *, recompute_state_size=None, bucket_list_size=0,
                          is_production_network: bool = False, soroban_overrides=nc.PRODUCTION) -> None:
    """Upgrades::applyVersionUpgrade, in its order: the header's version,
    prepareLiabilities when liabilities start (10), the Soroban settings of
    every protocol crossed (20, 21, 22, 23, 25) and the in-memory state
    size from 23 (network_config.apply_soroban_version_upgrade), then the
    mainnet 23->24 fee pool correction. Protocol 25's switch to
    ed25519-dalek signature checks needs nothing here (crypto/README.md:
    libsodium accepts the same signatures)."""
    prev = ltx.header.ledgerVersion
    ltx.header.ledgerVersion = new_version
    if prev < _LIABILITIES_VERSION <= new_version:
        prepare_liabilities(ltx)
    if prev == 15 and new_version == 16 and is_production_network:
        raise UpgradeApplyError("the mainnet protocol 15->16 offer fix is not implemented")
    size = bucket_list_size
    if callable(size):  # only worth computing when protocol 20 starts here
        size = size() if prev < nc.SOROBAN_PROTOCOL_VERSION <= new_version else 0
    nc.apply_soroban_version_upgrade(ltx, prev, new_version, bucket_list_size=size,
                                     recompute_state_size=recompute_state_size, overrides=soroban_overrides)
    if prev == 23 and new_version == 24 and is_production_network:
        ltx.header.feePool += MAINNET_P24_FEE_POOL_CORRECTION


def apply_reserve_upgrade(ltx, new_reserve: int) -> None:
    """Upgrades::applyReserveUpgrade: set baseReserve; a raise makes some
    offers unaffordable, which prepareLiabilities removes (with the new
    reserve already in the header)."""
    header = ltx.header
    increased = new_reserve > header.baseReserve
    header.baseReserve = new_reserve
    if header.ledgerVersion >= _LIABILITIES_VERSION and increased:
        prepare_liabilities(ltx)


# ------------------------------------------------------------------ prepareLiabilities


class OfferUpdate(enum.Enum):
    """UpdateOfferResult."""
    UNCHANGED = 0
    ADJUSTED = 1
    ADJUSTED_TO_ZERO = 2
    ERASE = 3


@dataclass
class LiabilitiesReport:
    """What prepareLiabilities did (stellar-core logs these counts)."""
    offers: dict = field(default_factory=lambda: {r: 0 for r in OfferUpdate})
    changed_accounts: set = field(default_factory=set)   # AccountID XDR bytes
    changed_trustlines: int = 0


def _asset_key(asset) -> bytes:
    return asset.to_xdr()


def _add_initial_liabilities(totals: dict, seller, asset, delta: int) -> None:
    """addLiabilities: per-asset totals of an account's offers; the
    issuer's own asset counts 0; None marks an int64 overflow."""
    k = _asset_key(asset)
    cur = totals.setdefault(k, 0)
    if asset.type != _NATIVE and is_issuer(seller, asset):
        return
    if cur is not None:
        totals[k] = B.add_balance_raw(cur, delta)


def _selling_capacity(ltx, seller, asset, balance_above_reserve: int) -> int:
    """getAvailableBalanceExcludingLiabilities."""
    if asset.type == _NATIVE:
        return balance_above_reserve
    if is_issuer(seller, asset):
        return INT64_MAX
    tl = ltx.load_without_record(trustline_key(seller, asset))
    if tl is not None and B.is_authorized_to_maintain_liabilities(tl.data.trustLine):
        return tl.data.trustLine.balance
    return 0


def _buying_capacity(ltx, seller, asset, balance: int) -> int:
    """getAvailableLimitExcludingLiabilities."""
    if asset.type == _NATIVE:
        return INT64_MAX - balance
    if is_issuer(seller, asset):
        return INT64_MAX
    tl = ltx.load_without_record(trustline_key(seller, asset))
    if tl is not None and B.is_authorized_to_maintain_liabilities(tl.data.trustLine):
        return tl.data.trustLine.limit - tl.data.trustLine.balance
    return 0


def _should_delete(totals: dict, asset, capacity: int) -> bool:
    """shouldDeleteOffer: the account's total for the asset (from before
    any offer was touched) exceeds what it can cover, or overflowed."""
    k = _asset_key(asset)
    if k not in totals:
        raise UpgradeApplyError("liabilities were not calculated")
    total = totals[k]
    return True if total is None else total > capacity


def _update_offer(ltx, offer_le, balance: int, balance_above_reserve: int, liabilities: dict,
                  initial_buying: dict, initial_selling: dict) -> OfferUpdate:
    """updateOffer: erase an offer whose asset is over-committed, erase one
    too small to trade (adjustOffer -> 0), round the rest with adjustOffer
    and add what it still commits to `liabilities` (asset key -> [asset,
    buying, selling])."""
    offer = offer_le.data.offer
    seller = offer.sellerID
    erase = _should_delete(initial_selling, offer.selling,
                           _selling_capacity(ltx, seller, offer.selling, balance_above_reserve))
    erase = erase or _should_delete(initial_buying, offer.buying,
                                    _buying_capacity(ltx, seller, offer.buying, balance))
    res = OfferUpdate.ERASE if erase else OfferUpdate.UNCHANGED
    if erase:
        return res
    adjusted = adjust_offer(offer.price.n, offer.price.d, offer.amount, INT64_MAX)
    if adjusted == 0:
        return OfferUpdate.ADJUSTED_TO_ZERO
    if adjusted != offer.amount:
        offer.amount = adjusted
        res = OfferUpdate.ADJUSTED
    if offer.buying.type == _NATIVE or not is_issuer(seller, offer.buying):
        slot = liabilities.setdefault(_asset_key(offer.buying), [offer.buying, 0, 0])
        total = B.add_balance_raw(slot[1], get_offer_buying_liabilities(offer_le))
        if total is None:
            raise UpgradeApplyError("could not add buying liabilities")
        slot[1] = total
    if offer.selling.type == _NATIVE or not is_issuer(seller, offer.selling):
        slot = liabilities.setdefault(_asset_key(offer.selling), [offer.selling, 0, 0])
        total = B.add_balance_raw(slot[2], get_offer_selling_liabilities(offer_le))
        if total is None:
            raise UpgradeApplyError("could not add selling liabilities")
        slot[2] = total
    return res


def _erase_offer(ltx, header, offer_key: bytes, offer_le, account_le, report: LiabilitiesReport) -> None:
    """eraseOfferWithPossibleSponsorship: release the reserve (the
    sponsor's, when sponsored) and delete the offer. Liabilities are not
    touched here; the per-asset pass below sets them."""
    if offer_le.ext.v == 1 and offer_le.ext.v1.sponsoringID is not None:
        report.changed_accounts.add(offer_le.ext.v1.sponsoringID.to_xdr())
    remove_entry_with_possible_sponsorship(ltx, header, offer_le, account_le)
    ltx.erase(offer_key)


def _set_liabilities(ltx, header, seller, account_le, asset, buying: int, selling: int,
                     report: LiabilitiesReport) -> None:
    """Move the account's (native) or trustline's liabilities to the totals
    of the offers that remain. Trustline liabilities may only shrink."""
    if asset.type == _NATIVE:
        d_selling = selling - B.selling_liabilities(account_le)
        d_buying = buying - B.buying_liabilities(account_le)
        if not B.add_selling_liabilities(header, account_le, d_selling):
            raise UpgradeApplyError("invalid selling liabilities during upgrade")
        if not B.add_buying_liabilities(header, account_le, d_buying):
            raise UpgradeApplyError("invalid buying liabilities during upgrade")
        return
    tl = load_trustline(ltx, seller, asset)
    if tl is None:
        raise UpgradeApplyError("offer without its trustline during upgrade")
    d_selling = selling - tl.selling_liabilities(header)
    d_buying = buying - tl.buying_liabilities(header)
    if d_selling != 0 or d_buying != 0:
        report.changed_trustlines += 1
    if header.ledgerVersion >= _POSITIVE_DELTA_CHECK_VERSION and (d_selling > 0 or d_buying > 0):
        raise UpgradeApplyError("invalid liabilities delta")
    if not tl.add_selling_liabilities(header, d_selling):
        raise UpgradeApplyError("invalid selling liabilities during upgrade")
    if not tl.add_buying_liabilities(header, d_buying):
        raise UpgradeApplyError("invalid buying liabilities during upgrade")


def prepare_liabilities(ltx) -> LiabilitiesReport:
    """prepareLiabilities: bring every offer and liability in line with the
    (new) reserve. Per account with offers:
      1. total its offers' buying and selling liabilities per asset;
      2. erase every offer selling an asset whose total exceeds the
         account's available balance of it (native: balance above the
         minimum balance taken before any offer is erased), and every
         offer buying an asset whose total exceeds the available limit;
         erase offers adjustOffer rounds to zero, round the others;
      3. set the account's and trustlines' liabilities to the totals of the
         remaining offers - only for assets some remaining offer still
         names: an asset whose offers were all erased keeps its old
         liabilities, exactly as stellar-core does.
    Excess is judged on step 1's totals only, so offer order is irrelevant.

    Like stellar-core's loadAllOffers and loadAccount, every offer and
    every account with offers is loaded for write (each appears in the
    upgrade's meta with a new lastModifiedLedgerSeq, changed or not), and
    so is every trustline whose liabilities step 3 sets. Needs the root's
    keys_with_prefix to answer the bare OFFER prefix (all offers)."""
    header = ltx.header
    report = LiabilitiesReport()
    by_seller: dict = {}
    for k in ltx.keys_with_prefix(_OFFER_PREFIX):
        le = ltx.load(k)
        by_seller.setdefault(k[4:40], []).append((k, le))
    # minimum balances before sponsorship releases of erased offers change them
    min_balances = {}
    for seller_b in sorted(by_seller):
        acc = ltx.load(_ACCOUNT_PREFIX + seller_b)
        if acc is None:
            raise UpgradeApplyError("account does not exist")
        min_balances[seller_b] = B.min_balance(header, acc.data.account)

    for seller_b in sorted(by_seller):
        offers = by_seller[seller_b]
        initial_buying: dict = {}
        initial_selling: dict = {}
        for _, le in offers:
            o = le.data.offer
            _add_initial_liabilities(initial_buying, o.sellerID, o.buying, get_offer_buying_liabilities(le))
            _add_initial_liabilities(initial_selling, o.sellerID, o.selling, get_offer_selling_liabilities(le))
        seller = offers[0][1].data.offer.sellerID
        account_le = ltx.load(account_key(seller))
        if account_le is None:
            raise UpgradeApplyError("account does not exist")
        before = account_le.data.account.copy()
        balance = account_le.data.account.balance
        balance_above_reserve = balance - min_balances[seller_b]

        liabilities: dict = {}
        for k, le in offers:
            res = _update_offer(ltx, le, balance, balance_above_reserve, liabilities,
                                initial_buying, initial_selling)
            if res in (OfferUpdate.ADJUSTED_TO_ZERO, OfferUpdate.ERASE):
                _erase_offer(ltx, header, k, le, account_le, report)
            report.offers[res] += 1
            if res != OfferUpdate.UNCHANGED:
                log.debug("Offer with offerID=%d %s", le.data.offer.offerID, res.name.lower())

        for _, (asset, buying, selling) in sorted(liabilities.items(), key=lambda kv: kv[1][0]):
            _set_liabilities(ltx, header, seller, account_le, asset, buying, selling, report)
        if account_le.data.account != before:
            report.changed_accounts.add(seller_b)

    log.info("prepareLiabilities completed with %d accounts modified, %d trustlines modified, "
             "%d offers adjusted, %d offers adjusted to zero, and %d offers erased",
             len(report.changed_accounts), report.changed_trustlines,
             report.offers[OfferUpdate.ADJUSTED], report.offers[OfferUpdate.ADJUSTED_TO_ZERO],
             report.offers[OfferUpdate.ERASE])
    return report


# ------------------------------------------------------------------ the close loop


def apply_upgrades(ltx, upgrade_blobs, *, max_protocol_version: int, **apply_kw) -> list:
    """The upgrade loop of LedgerManagerImpl::applyLedger over the
    externalized StellarValue's `upgrades` (blobs), applied to `ltx`:
    returns the UpgradeEntryMeta of every upgrade applied, in order (empty:
    no upgrade applied). Invalid upgrades and upgrades whose application
    raises one of UPGRADE_APPLY_ERRORS are skipped, their changes rolled
    back. `apply_kw` are apply_upgrade's keywords."""
    metas = []
    for i, blob in enumerate(upgrade_blobs):
        validity, upgrade = is_valid_for_apply(blob, ltx, max_protocol_version)
        if validity == UpgradeValidity.XDR_INVALID:
            log.error("Unknown upgrade at index %d", i)
            continue
        if validity == UpgradeValidity.INVALID:
            log.error("Invalid upgrade at index %d: %s", i, upgrade)
            continue
        child = LedgerTxn(ltx)
        try:
            apply_upgrade(child, upgrade, **apply_kw)
            changes = child.get_changes()
            child.commit()
        except UPGRADE_APPLY_ERRORS as e:
            child.rollback()
            log.error("Exception during upgrade: %s", e, exc_info=log.isEnabledFor(logging.DEBUG))
            continue
        metas.append(xdr.UpgradeEntryMeta(upgrade=upgrade, changes=changes))
    return metas
