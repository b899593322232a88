"""IDs no shared meta holds a preimage for, checked against stellar-sdk's own
derivations (an independent implementation) or built with its XDR classes."""
import hashlib
import os

import pytest

from stellarcore import xdr
from stellarcore.crypto import ids, txhash
from stellarcore.crypto.keys import SecretKey

sdk = pytest.importorskip("stellar_sdk")
from stellar_sdk import Asset, LiquidityPoolAsset, Network  # noqa: E402
from stellar_sdk import xdr as sx  # noqa: E402

ISSUER = SecretKey.for_test_account("issuer").public_key


def _ours(asset):
    if asset.is_native():
        return xdr.Asset(xdr.AssetType.ASSET_TYPE_NATIVE)
    code = asset.code.encode()
    pk = xdr.PublicKey(ed25519=ISSUER.ed25519)
    if len(code) <= 4:
        return xdr.Asset(alphaNum4=xdr.AlphaNum4(assetCode=code.ljust(4, b"\0"), issuer=pk))
    return xdr.Asset(alphaNum12=xdr.AlphaNum12(assetCode=code.ljust(12, b"\0"), issuer=pk))


ASSETS = [Asset.native(), Asset("USD", ISSUER.strkey()), Asset("LONGASSET", ISSUER.strkey())]


@pytest.mark.parametrize("asset", ASSETS, ids=lambda a: a.code)
def test_asset_contract_ids(asset):
    for passphrase in (Network.PUBLIC_NETWORK_PASSPHRASE, Network.TESTNET_NETWORK_PASSPHRASE):
        ours = ids.contract_id_from_asset(txhash.network_id(passphrase), _ours(asset))
        assert _strkey_c(ours) == asset.contract_id(passphrase)   # sdk gives a C... strkey


def _strkey_c(raw):
    from stellarcore.crypto import strkey
    return strkey.encode("C", raw)


def test_liquidity_pool_ids():
    a, b = ASSETS[0], ASSETS[1]
    lp = LiquidityPoolAsset(a, b, 30)
    assert ids.constant_product_pool_id(_ours(a), _ours(b), 30).hex() == lp.liquidity_pool_id


def test_claimable_balance_id_matches_an_sdk_built_preimage():
    src = SecretKey.for_test_account("acc1").public_key
    for seq, op in ((1, 0), (2**62, 5), (55834574849, 99)):
        theirs = sx.HashIDPreimage(
            type=sx.EnvelopeType.ENVELOPE_TYPE_OP_ID,
            operation_id=sx.HashIDPreimageOperationID(
                source_account=sx.AccountID(sx.PublicKey(
                    sx.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, sx.Uint256(src.ed25519))),
                seq_num=sx.SequenceNumber(sx.Int64(seq)), op_num=sx.Uint32(op)))
        want = hashlib.sha256(theirs.to_xdr_bytes()).digest()
        assert ids.claimable_balance_id(src.to_xdr_key(), seq, op).v0 == want


def test_soroban_authorization_payload_is_what_sdk_signs():
    """stellar-sdk's authorize_entry signs the payload; the signature it makes
    must verify over our payload hash."""
    from stellar_sdk import Keypair
    from stellar_sdk.auth import authorize_entry
    signer = SecretKey.for_test_account("acc2")
    kp = Keypair.from_raw_ed25519_seed(signer.seed)
    inv = xdr.SorobanAuthorizedInvocation(function=xdr.SorobanAuthorizedFunction(
        xdr.SorobanAuthorizedFunctionType.SOROBAN_AUTHORIZED_FUNCTION_TYPE_CONTRACT_FN,
        xdr.InvokeContractArgs(contractAddress=xdr.SCAddress(
            xdr.SCAddressType.SC_ADDRESS_TYPE_CONTRACT, os.urandom(32)),
            functionName=b"transfer", args=[])), subInvocations=[])
    entry = xdr.SorobanAuthorizationEntry(
        credentials=xdr.SorobanCredentials(
            xdr.SorobanCredentialsType.SOROBAN_CREDENTIALS_ADDRESS,
            xdr.SorobanAddressCredentials(
                address=xdr.SCAddress(xdr.SCAddressType.SC_ADDRESS_TYPE_ACCOUNT,
                                      signer.public_key.to_xdr_key()),
                nonce=123456789, signatureExpirationLedger=0,
                signature=xdr.SCVal(xdr.SCValType.SCV_VOID))),
        rootInvocation=inv)
    signed = authorize_entry(sx.SorobanAuthorizationEntry.from_xdr_bytes(entry.to_xdr()),
                             kp, 5000, Network.TESTNET_NETWORK_PASSPHRASE)
    ours = xdr.SorobanAuthorizationEntry.from_xdr(signed.to_xdr_bytes())
    cred = ours.credentials.address
    assert cred.signatureExpirationLedger == 5000
    sig_map = cred.signature.vec[0].map
    sig = next(e.val.bytes for e in sig_map if e.key.sym == b"signature")
    payload = ids.soroban_authorization_payload(
        txhash.network_id(Network.TESTNET_NETWORK_PASSPHRASE), 123456789, 5000, inv)
    assert signer.public_key.verify(sig, payload)
