"""Fixtures of the web tests: one test PKI and one certificate host (S3's stand-in) per session,
and `verified_app`, which serves a recording skill behind the real verifiers trusting the test root."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from backcare.config import Config
from backcare.web import create_app
from backcare.webcerts import ChainCache, ChainFetcher, ChainValidator, Clock, utc_now
from backcare.webverify import SignatureVerifier, default_verifiers
from support.web import GOOD_CERT_PATH, CertificateHost, recording_skill, serving
from support.webpki import TestPKI


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI()


@pytest.fixture(scope="session")
def cert_host(pki) -> Iterator[CertificateHost]:
    with CertificateHost() as host:
        host.publish(GOOD_CERT_PATH, pki.chain_pem())
        yield host


@pytest.fixture(scope="session")
def good_url(cert_host) -> str:
    return "https://s3.amazonaws.com" + GOOD_CERT_PATH


@dataclass
class Served:
    base: str
    reached: list[str]
    chains: ChainCache


@pytest.fixture()
def verified_app(pki, cert_host) -> Iterator[Callable[..., Served]]:
    """Start the app with a recording skill and fresh verifiers trusting only the test root:
    `verified_app(skill_id=..., clock=..., trust=another TestPKI or "mozilla", **ChainCache arguments)`."""
    with ExitStack() as stack:

        def start(*, skill_id: str | None = None, clock: Clock = utc_now, trust: TestPKI | str | None = None,
                  **cache_args) -> Served:
            skill, reached = recording_skill()
            roots = None if trust == "mozilla" else [(trust or pki).root.cert]  # type: ignore[union-attr]
            chains = ChainCache(validator=ChainValidator(roots), fetch=ChainFetcher(mirror=cert_host.base),
                                clock=clock, **cache_args)
            verifiers = default_verifiers(SignatureVerifier(chains), clock=clock)
            app = create_app(Config(persistence="none", skill_id=skill_id), verifiers=verifiers, skill=skill)
            return Served(stack.enter_context(serving(app)), reached, chains)

        yield start
