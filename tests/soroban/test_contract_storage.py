"""Contract data and state archival: stellar-core's InvokeHostFunctionTests.cpp
"contract storage" and "state archival" (protocol 23+ values), with the
contract-data test contract (ContractStorageTestClient) on SorobanTest's
configuration with the rent fee raised as those tests do
(rentFee1KBSorobanStateSizeLow 20,000, high 1,000,000).

Expected: stellar-core's result codes, TTLs (minPersistentTTL / minTemporaryTTL
arithmetic relative to the last closed ledger) and the refundable fees it
hard-codes for restores and extensions (8,793 / 199 / 8,991 rent plus
20,000 per entry written; 20,194 for one restored entry; 40,599 for the
three-key extension), checked the way SorobanTest::checkRefundableFee does.
"""
import pytest

from stellarcore import xdr
from stellarcore.ledger.keys import account_key
from tests.soroban.sorobantest import PERSISTENT, TEMPORARY, ContractStorageClient, SorobanTest, skip_reason

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))

_R = xdr.InvokeHostFunctionResultCode
OK = _R.INVOKE_HOST_FUNCTION_SUCCESS
UINT64_MAX = 2**64 - 1


def _raise_rent(cfg):
    cfg.rent_fee_1kb_soroban_state_size_low = 20_000
    cfg.rent_fee_1kb_soroban_state_size_high = 1_000_000


@pytest.fixture
def env():
    test = SorobanTest(modify_config=_raise_rent)
    return test, ContractStorageClient(test)


# -- "contract storage" -------------------------------------------------------------------
def test_successful_storage_operations(env):
    _, c = env
    assert c.put("key1", PERSISTENT, 0) == OK
    assert c.get("key1", PERSISTENT, 0) == OK
    assert c.put("key2", PERSISTENT, 21) == OK
    assert c.get("key2", PERSISTENT, 21) == OK
    assert c.put("key1", PERSISTENT, 9) == OK
    assert c.get("key1", PERSISTENT, 9) == OK
    assert c.put("key2", PERSISTENT, UINT64_MAX) == OK
    assert c.get("key2", PERSISTENT, UINT64_MAX) == OK
    assert c.delete("key1", PERSISTENT) == OK
    assert c.has("key1", PERSISTENT, False) == OK
    assert c.delete("key2", PERSISTENT) == OK
    assert c.has("key2", PERSISTENT, False) == OK


def test_deleted_entry_and_ttl_are_gone(env):
    test, c = env
    assert c.put("key", PERSISTENT, 5) == OK
    key = c.key("key")
    assert test.entry(key) is not None and test.ttl_of(key) is not None
    assert c.delete("key", PERSISTENT) == OK
    assert test.entry(key) is None and test.ttl_of(key) is None


def test_live_entries_are_not_metered_after_p23(env):
    """"read bytes limit enforced": a 5 KB live entry reads with 0 read bytes."""
    _, c = env
    assert c.resize_and_extend("key", 5, 1, 1) == OK
    assert c.has("key", PERSISTENT, None, c.read_spec("key").set(read_bytes=0)) == OK


def test_write_bytes_limit_enforced(env):
    _, c = env
    spec = c.write_spec("key").set(write_bytes=5000)
    assert c.resize_and_extend("key", 5, 1, 1, spec) == _R.INVOKE_HOST_FUNCTION_RESOURCE_LIMIT_EXCEEDED
    assert c.resize_and_extend("key", 5, 1, 1, spec.set(write_bytes=10_000)) == OK


def test_same_key_different_durability(env):
    _, c = env
    assert c.put("key", PERSISTENT, 1) == OK
    assert c.put("key", TEMPORARY, 2) == OK
    assert c.get("key", PERSISTENT, 1) == OK
    assert c.get("key", TEMPORARY, 2) == OK


def test_unused_read_write_key(env):
    """An account in the read-write footprint that the contract does not
    touch stays as it was (only lastModifiedLedgerSeq moves)."""
    test, c = env
    assert c.put("key", PERSISTENT, 0) == OK
    acc = test.root.create("acc", test.min_balance(1))
    before = acc.entry()
    lk = c.key("key")
    spec = c.default_spec().set(rw=[lk, xdr.LedgerKey.from_xdr(account_key(acc.id))], write_bytes=5000)
    assert c.put("key", PERSISTENT, 0, spec) == OK
    after = acc.entry()
    before.lastModifiedLedgerSeq += 1
    assert after.to_xdr() == before.to_xdr()


def test_no_footprint_traps(env):
    _, c = env
    assert c.put("key", PERSISTENT, 0) == OK
    spec = c.default_spec()
    trapped = _R.INVOKE_HOST_FUNCTION_TRAPPED
    assert c.put("key", PERSISTENT, 88, spec) == trapped
    assert c.get("key", PERSISTENT, None, spec) == trapped
    assert c.has("key", PERSISTENT, None, spec) == trapped
    assert c.delete("key", PERSISTENT, spec) == trapped


def test_read_only_footprint_for_read_write_entry_traps(env):
    _, c = env
    assert c.put("key", PERSISTENT, 0) == OK
    spec = c.default_spec().set(ro=[c.key("key")])
    assert c.put("key", PERSISTENT, 88, spec) == _R.INVOKE_HOST_FUNCTION_TRAPPED
    assert c.delete("key", PERSISTENT, spec) == _R.INVOKE_HOST_FUNCTION_TRAPPED


# -- "state archival": contract instance and Wasm archival ------------------------------------
RENT_WASM, RENT_INSTANCE, RENT_BOTH = 8_793, 199, 8_991  # protocol 23+
WRITE_FEE = 20_000  # one ledger entry write


@pytest.fixture
def expired(env):
    """Close ledgers until the contract's code and instance expired."""
    test, c = env
    min_persistent = test.config.state_archival_settings.minPersistentTTL
    original = test.lcl_seq + min_persistent - 1
    test.advance(original + 2 - test.header.ledgerSeq)
    keys = c.contract.keys
    assert not test.is_entry_live(keys[0], test.lcl_seq)
    assert not test.is_entry_live(keys[1], test.lcl_seq)
    # Wasm is created one ledger before the instance
    assert test.get_ttl(keys[0]) == original - 1
    assert test.get_ttl(keys[1]) == original
    assert c.put("temp", TEMPORARY, 0) == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED
    return test, c, original


def test_restore_instance_and_wasm(expired):
    test, c, _ = expired
    keys = c.contract.keys
    test.invoke_restore_op(keys, RENT_BOTH + 2 * WRITE_FEE)
    new = test.lcl_seq + test.config.state_archival_settings.minPersistentTTL - 1
    assert c.put("temp", TEMPORARY, 0) == OK
    assert test.get_ttl(keys[0]) == new
    assert test.get_ttl(keys[1]) == new


def test_restore_instance_not_wasm(expired):
    test, c, original = expired
    keys = c.contract.keys
    test.invoke_restore_op([keys[1]], RENT_INSTANCE + WRITE_FEE)
    new = test.lcl_seq + test.config.state_archival_settings.minPersistentTTL - 1
    assert c.put("temp", TEMPORARY, 0) == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED
    assert test.get_ttl(keys[0]) == original - 1
    assert test.get_ttl(keys[1]) == new


def test_restore_wasm_not_instance(expired):
    test, c, original = expired
    keys = c.contract.keys
    test.invoke_restore_op([keys[0]], RENT_WASM + WRITE_FEE)
    new = test.lcl_seq + test.config.state_archival_settings.minPersistentTTL - 1
    assert c.put("temp", TEMPORARY, 0) == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED
    assert test.get_ttl(keys[0]) == new
    assert test.get_ttl(keys[1]) == original


def test_lifetime_extensions(expired):
    test, c, _ = expired
    keys = c.contract.keys
    test.invoke_restore_op(keys, RENT_BOTH + 2 * WRITE_FEE)
    test.invoke_extend_op([keys[0]], 10_000)
    test.invoke_extend_op([keys[1]], 15_000)
    assert test.get_ttl(keys[0]) == test.lcl_seq + 10_000 - 1
    assert test.get_ttl(keys[1]) == test.lcl_seq + 15_000


def test_restored_from_hot_archive(expired):
    """The same restore once eviction moved both entries to the hot
    archive: same rent (old size 0 either way), entries back with their
    code and TTL."""
    test, c, _ = expired
    keys = c.contract.keys
    code = test.entry(keys[0]).data.contractCode.code
    for k in keys:
        test.evict(k)
        assert test.expiration_status(k) == "HOT_ARCHIVE"
    test.invoke_restore_op(keys, RENT_BOTH + 2 * WRITE_FEE)
    for k in keys:
        assert test.expiration_status(k) == "LIVE"
    assert test.entry(keys[0]).data.contractCode.code == code
    assert c.put("temp", TEMPORARY, 0) == OK


# -- "state archival": contract storage archival -------------------------------------------------
@pytest.fixture
def storage(env):
    test, c = env
    sa = test.config.state_archival_settings
    test.invoke_extend_op(c.contract.keys, 10_000)
    assert c.put("persistent", PERSISTENT, 10) == OK
    assert c.extend("persistent", PERSISTENT, 20, 32) == OK
    persistent_until = test.lcl_seq + 32
    assert c.put("temp", TEMPORARY, 0) == OK
    temp_until = test.lcl_seq + sa.minTemporaryTTL - 1
    assert c.ttl("persistent") == persistent_until
    assert c.ttl("temp", TEMPORARY) == temp_until
    test.advance(temp_until - 1 - test.lcl_seq)
    assert test.lcl_seq == temp_until - 1
    return test, c, persistent_until, temp_until


def test_entry_accessible_when_current_ledger_is_live_until(storage):
    _, c, _, _ = storage
    assert c.has("temp", TEMPORARY, True) == OK


def test_persistent_accessible_when_current_ledger_is_live_until(storage):
    test, c, persistent_until, _ = storage
    test.advance(persistent_until - 1 - test.lcl_seq)
    assert c.has("persistent", PERSISTENT, True) == OK


def test_write_does_not_increase_ttl(storage):
    _, c, _, temp_until = storage
    assert c.put("temp", TEMPORARY, 42) == OK
    assert c.ttl("temp", TEMPORARY) == temp_until


def test_extend_op_when_current_ledger_is_live_until(storage):
    test, c, _, _ = storage
    test.invoke_extend_op([c.key("temp", TEMPORARY)], 10_000)
    assert c.ttl("temp", TEMPORARY) == test.lcl_seq + 10_000


def test_ttl_enforcement(storage):
    test, c, persistent_until, temp_until = storage
    sa = test.config.state_archival_settings
    test.advance(1)
    assert test.lcl_seq == temp_until
    assert not c.is_entry_live("temp", TEMPORARY, test.lcl_seq + 1)
    # an expired temporary entry reads as absent
    assert c.get("temp", TEMPORARY) == _R.INVOKE_HOST_FUNCTION_TRAPPED
    assert c.has("temp", TEMPORARY, False) == OK
    assert c.is_entry_live("persistent", PERSISTENT, test.lcl_seq)
    assert c.has("persistent", PERSISTENT, True) == OK
    # a write recreates it with the minimum TTL
    assert c.put("temp", TEMPORARY, 42) == OK
    assert c.ttl("temp", TEMPORARY) == test.lcl_seq + sa.minTemporaryTTL - 1
    assert c.get("temp", TEMPORARY, 42) == OK

    test.advance(persistent_until - 1 - test.lcl_seq)
    lk = c.key("persistent")
    # restore skips an entry live in the closing ledger: nothing charged
    test.invoke_restore_op([lk], 0)
    assert c.ttl("persistent") == persistent_until
    test.advance(persistent_until - test.lcl_seq)
    assert test.lcl_seq == persistent_until
    assert not c.is_entry_live("persistent", PERSISTENT, test.lcl_seq + 1)
    assert c.put("persistent", PERSISTENT, 42) == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED
    assert c.has("persistent", PERSISTENT) == _R.INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED

    assert c.put("persistent2", PERSISTENT, 0) == OK
    lk2 = c.key("persistent2")
    until2 = test.lcl_seq + sa.minPersistentTTL - 1
    assert c.ttl("persistent2") == until2
    # charged for the one archived entry only
    test.invoke_restore_op([lk, lk2], 20_194)
    assert c.ttl("persistent2") == until2
    assert c.ttl("persistent") == test.lcl_seq + sa.minPersistentTTL - 1
    assert c.get("persistent", PERSISTENT, 10) == OK


# -- "state archival": TTL extensions ------------------------------------------------------------
@pytest.fixture
def extended(env):
    test, c = env
    assert c.put("key", PERSISTENT, 0) == OK
    assert c.extend("key", PERSISTENT, 10_000, 10_000) == OK
    original = test.lcl_seq + 10_000
    assert c.ttl("key") == original
    # below the threshold: no extension
    assert c.extend("key", PERSISTENT, 5_000, 5_000) == OK
    assert c.ttl("key") == original
    assert c.put("key2", PERSISTENT, 0) == OK
    assert c.extend("key2", PERSISTENT, 10_000, 10_000) == OK
    assert c.ttl("key2") == test.lcl_seq + 10_000
    assert c.put("key3", PERSISTENT, 0) == OK
    assert c.extend("key3", PERSISTENT, 50_000, 50_000) == OK
    key3_until = test.lcl_seq + 50_000
    assert c.ttl("key3") == key3_until
    return test, c, [c.key("key"), c.key("key2"), c.key("key3")], key3_until


def test_extension_refund_computed(extended):
    test, c, keys, key3_until = extended
    test.invoke_extend_op(keys, 10_100)
    assert c.ttl("key") == test.lcl_seq + 10_100
    assert c.ttl("key2") == test.lcl_seq + 10_100
    assert c.ttl("key3") == key3_until


def test_extension_absolute_refund(extended):
    test, c, keys, key3_until = extended
    test.invoke_extend_op(keys, 10_100, 40_599)
    assert c.ttl("key") == test.lcl_seq + 10_100
    assert c.ttl("key2") == test.lcl_seq + 10_100
    assert c.ttl("key3") == key3_until


def test_ttl_threshold(env):
    test, c = env
    sa = test.config.state_archival_settings
    assert c.put("key", PERSISTENT, 0) == OK
    initial = test.lcl_seq + sa.minPersistentTTL - 1
    assert c.ttl("key") == initial
    current_ttl = sa.minPersistentTTL - 2
    assert c.extend("key", PERSISTENT, current_ttl - 1, 50_000) == OK
    assert c.ttl("key") == initial
    assert c.extend("key", PERSISTENT, current_ttl - 1, 50_000) == OK
    assert c.ttl("key") == test.lcl_seq + 50_000
    # threshold above extend_to is a contract error
    assert c.extend("key", PERSISTENT, 60_001, 60_000) == _R.INVOKE_HOST_FUNCTION_TRAPPED


def test_max_ttl_extension_op(env):
    test, c = env
    sa = test.config.state_archival_settings
    assert c.put("key", PERSISTENT, 0) == OK
    lk = c.key("key")
    test.invoke_extend_op([lk], sa.maxEntryTTL - 1)
    assert test.get_ttl(lk) == test.lcl_seq + sa.maxEntryTTL - 1


def test_max_ttl_extend_host_function_persistent(env):
    test, c = env
    sa = test.config.state_archival_settings
    assert c.put("key", PERSISTENT, 0) == OK
    lk = c.key("key")
    assert c.extend("key", PERSISTENT, 100, 100) == OK
    assert test.get_ttl(lk) == 100 + test.lcl_seq
    # persistent extensions are clamped to the maximum
    assert c.extend("key", PERSISTENT, sa.maxEntryTTL + 10, sa.maxEntryTTL + 10,
                    c.read_spec("key").set(refundable_fee=10_000_000)) == OK
    assert test.get_ttl(lk) == test.lcl_seq + sa.maxEntryTTL - 1


def test_max_ttl_extend_host_function_temporary(env):
    test, c = env
    sa = test.config.state_archival_settings
    assert c.put("key", TEMPORARY, 0) == OK
    lk = c.key("key", TEMPORARY)
    seq = test.lcl_seq
    # temporary extensions past the maximum fail
    assert c.extend("key", TEMPORARY, sa.maxEntryTTL, sa.maxEntryTTL) == _R.INVOKE_HOST_FUNCTION_TRAPPED
    assert test.get_ttl(lk) == seq + sa.minTemporaryTTL - 1
    assert c.extend("key", TEMPORARY, sa.maxEntryTTL - 1, sa.maxEntryTTL - 1,
                    c.read_spec("key", TEMPORARY).set(refundable_fee=10_000_000)) == OK
    assert test.get_ttl(lk) == test.lcl_seq + sa.maxEntryTTL - 1
