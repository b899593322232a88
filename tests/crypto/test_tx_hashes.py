"""Transaction hashes, signatures and IDs recomputed from the shared metas.

The metas were written by stellar-core v25.0.1's test "meta stream contains
reasonable meta" on its test network "(V) (;,,;) (V)".  Its accounts come
from txtest::getAccount(name) and the network root.
"""
import pytest

from stellarcore import xdr
from stellarcore.crypto import ids, txhash
from stellarcore.crypto.keys import PublicKey, SecretKey
from tests.xdr.test_ledger_close_meta import NAMES, _all_changes, _envelopes

NETWORK = "(V) (;,,;) (V)"
NID = txhash.network_id(NETWORK)


@pytest.fixture(params=NAMES)
def lcm(request, shared):
    raw = shared("testdata", "ledger-close-meta-xdr", request.param + ".xdr").read_bytes()
    return xdr.LedgerCloseMeta.from_xdr(raw)


def test_every_transaction_hash(lcm):
    """result.transactionHash is the contents hash, fee bumps included."""
    envs = {txhash.contents_hash(e, NID): e for e in _envelopes(lcm)}
    assert len(envs) == len(lcm.v2.txProcessing)
    for p in lcm.v2.txProcessing:
        env = envs[p.result.transactionHash]
        if env.type == xdr.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP:
            inner = p.result.result.result.innerResultPair
            assert inner.transactionHash == txhash.inner_contents_hash(env, NID)


def test_fee_bumps_are_present_in_the_classic_scenarios(lcm):
    kinds = {e.type for e in _envelopes(lcm)}
    if lcm.v2.txSet.v1TxSet.phases[1].v == 0 and not lcm.v2.txSet.v1TxSet.phases[1].v0Components:
        assert xdr.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP in kinds


def _signers(env):
    """The envelopes' signature lists with the key each should be from."""
    if env.type == xdr.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP:
        fb = env.feeBump
        yield fb.signatures, fb.tx.feeSource, env
        inner = xdr.TransactionEnvelope(xdr.EnvelopeType.ENVELOPE_TYPE_TX, fb.tx.innerTx.v1)
        yield from _signers(inner)
    else:
        body = env.xdr_value()
        yield body.signatures, body.tx.sourceAccount, env


def test_every_signature_verifies(lcm):
    """Each signature is by its transaction's source over the contents hash,
    and its hint is that key's last four bytes."""
    count = 0
    for env in _envelopes(lcm):
        for sigs, source, signed in _signers(env):
            pk = PublicKey(source.ed25519 if source.type == xdr.CryptoKeyType.KEY_TYPE_ED25519
                           else source.med25519.ed25519)
            h = txhash.contents_hash(signed, NID)
            for ds in sigs:
                assert ds.hint == pk.hint()
                assert pk.verify(ds.signature, h)
                assert not pk.verify(ds.signature, h[:-1] + bytes([h[-1] ^ 1]))
                count += 1
    assert count >= len(lcm.v2.txProcessing)


def test_test_harness_keys_are_the_scenarios_accounts(lcm):
    """getAccount("acc1") etc. and the root of the test network are the
    accounts that pay fees in these ledgers."""
    payers = set()
    for change in _all_changes(lcm):
        if change.type != xdr.LedgerEntryChangeType.LEDGER_ENTRY_REMOVED:
            data = change.xdr_value().data
            if data.type == xdr.LedgerEntryType.ACCOUNT:
                payers.add(data.account.accountID.ed25519)
    names = ("acc1", "acc2", "acc3", "acc4", "acc5", "issuer")
    ours = {SecretKey.for_test_account(n).public_key.ed25519 for n in names}
    ours.add(SecretKey.root(NID).public_key.ed25519)
    assert payers and payers <= ours


def _txs(lcm):
    for env in _envelopes(lcm):
        if env.type == xdr.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP:
            yield env.feeBump.tx.innerTx.v1.tx
        else:
            yield env.xdr_value().tx


def test_contract_ids_from_their_preimages(lcm):
    """A CreateContract's contract ID, derived from its preimage (address +
    salt, on this network), is the contract whose instance the transaction's
    footprint writes (stellar-core's test harness computed that footprint)."""
    checked = 0
    for tx in _txs(lcm):
        for op in tx.operations:
            if op.body.type != xdr.OperationType.INVOKE_HOST_FUNCTION:
                continue
            hf = op.body.invokeHostFunctionOp.hostFunction
            if hf.type not in (xdr.HostFunctionType.HOST_FUNCTION_TYPE_CREATE_CONTRACT,
                               xdr.HostFunctionType.HOST_FUNCTION_TYPE_CREATE_CONTRACT_V2):
                continue
            cid = ids.contract_id(NID, hf.xdr_value().contractIDPreimage)
            written = {k.contractData.contract.contractId
                       for k in tx.ext.sorobanData.resources.footprint.readWrite
                       if k.type == xdr.LedgerEntryType.CONTRACT_DATA and
                       k.contractData.key.type == xdr.SCValType.SCV_LEDGER_KEY_CONTRACT_INSTANCE}
            assert written == {cid}
            checked += 1
    soroban = any(tx.ext.v == 1 for tx in _txs(lcm))
    assert bool(checked) == soroban


def test_scp_envelope_signature_payload():
    """networkID || ENVELOPE_TYPE_SCP || statement (PARITY_TRAPS C3); the
    bytes-based check agrees with the one that re-encodes."""
    from stellarcore.crypto import payloads
    key = SecretKey.for_test_account("acc1")
    st = xdr.SCPStatement(nodeID=key.public_key.to_xdr_key(), slotIndex=7,
                          pledges=xdr.SCPStatementPledges(xdr.SCPStatementType.SCP_ST_NOMINATE,
                                                          xdr.SCPNomination(votes=[b"v"])))
    env = xdr.SCPEnvelope(statement=st)
    payloads.sign_scp_envelope(key, NID, env)
    assert payloads.scp_statement_payload(NID, st) == NID + b"\0\0\0\1" + st.to_xdr()
    raw = env.to_xdr()
    assert payloads.verify_scp_envelope(NID, env)
    assert payloads.verify_scp_envelope_bytes(NID, env, raw)
    assert not payloads.verify_scp_envelope(txhash.network_id("other"), env)
    env.statement.slotIndex = 8
    assert not payloads.verify_scp_envelope_bytes(NID, env, env.to_xdr())
