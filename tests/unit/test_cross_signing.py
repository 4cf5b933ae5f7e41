"""Signing as the Matrix spec does it, checked against the spec's own example vectors."""

import base64
import json
import os
import stat

import pytest

from scorebot.matrix.cross_signing import (
    CrossSigningError,
    Identity,
    SigningKey,
    unpadded,
)
from scorebot.matrix.device_trust import cross_signed_devices, verify

# The spec's appendix, "Signing JSON": this seed signs {} and {"one": 1, "two": "Two"} so.
SPEC_SEED = base64.b64decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1=")


def test_signatures_match_the_spec_vectors():
    key = SigningKey(SPEC_SEED)
    assert key.public == "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"
    assert key.sign({}) == "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"
    assert key.sign({"one": 1, "two": "Two"}) == ("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZ"
                                                  "hG6kYdD13EIMJpvhJI+6Bw")
    # What is already signed, and what is unsigned, is not part of what is signed.
    assert key.sign({"one": 1, "two": "Two", "signatures": {"x": {}}, "unsigned": {"age": 3}}) == \
        key.sign({"one": 1, "two": "Two"})
    assert "=" not in key.public and "=" not in unpadded(b"\x00")


def test_a_signature_verifies_and_a_tampered_value_does_not():
    key = SigningKey.new()
    value = {"user_id": "@bot:x", "keys": {"ed25519:D": "abc"}}
    assert verify(key.public, value, key.sign(value))
    assert not verify(key.public, {**value, "user_id": "@mallory:x"}, key.sign(value))
    assert not verify(SigningKey.new().public, value, key.sign(value))


def test_cross_signed_devices_need_the_whole_chain():
    identity = Identity.new()
    keys = identity.public_keys("@ann:x")
    signed_device = identity.self_signing.signed({"user_id": "@ann:x", "device_id": "GOOD"}, "@ann:x")
    answer = {"master_keys": {"@ann:x": keys["master_key"]},
              "self_signing_keys": {"@ann:x": keys["self_signing_key"]},
              "device_keys": {"@ann:x": {"GOOD": signed_device, "BARE": {"user_id": "@ann:x", "device_id": "BARE"}}}}
    assert cross_signed_devices(answer, "@ann:x") == {"GOOD"}
    forged = {**answer, "self_signing_keys": {"@ann:x": Identity.new().public_keys("@ann:x")["self_signing_key"]}}
    assert cross_signed_devices(forged, "@ann:x") == frozenset()  # not signed by ann's master key
    assert cross_signed_devices(answer, "@bob:x") == frozenset()  # no identity at all


def test_the_identity_file_is_private_and_round_trips(tmp_path):
    identity = Identity.new()
    path = tmp_path / "cross_signing.json"
    identity.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = Identity.load(path)
    assert loaded == identity
    # The public keys are kept beside the seeds, so a start needs no key arithmetic; a file from
    # before they were kept still loads, and works them out.
    assert loaded.master.saved_public == identity.master.public
    older = {name: value for name, value in json.loads(path.read_text()).items() if name != "public"}
    path.write_text(json.dumps(older))
    assert Identity.load(path).self_signing.saved_public is None
    assert Identity.load(path).self_signing.public == identity.self_signing.public
    assert Identity.load(tmp_path / "missing.json") is None
    path.write_text("{not json")
    with pytest.raises(CrossSigningError, match="restore it from a backup"):
        Identity.load(path)
