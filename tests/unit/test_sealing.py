"""Secrets sealed at rest open only with the deployment's secret key (kernel/sealing.py)."""

from __future__ import annotations

import pytest

from yimen.platform.kernel import sealing


@pytest.fixture
def restore():
    saved = sealing._ring
    yield
    sealing._ring = saved


def test_a_sealed_secret_opens_with_its_key_and_with_no_other(restore):
    sealing.configure(["key-of-this-deployment"])
    token = sealing.seal("machine-client-secret")
    assert "machine-client-secret" not in token
    assert sealing.unseal(token) == "machine-client-secret"
    sealing.configure(["another-deployment"])
    assert sealing.unseal(token) is None


def test_a_rotated_key_still_opens_what_the_one_before_sealed(restore):
    sealing.configure(["old-key"])
    token = sealing.seal("secret")
    sealing.configure(["new-key", "old-key"])
    assert sealing.unseal(token) == "secret"
    assert sealing.unseal(sealing.seal("secret")) == "secret"
    sealing.configure(["new-key"])
    assert sealing.unseal(sealing.seal("secret")) == "secret"
