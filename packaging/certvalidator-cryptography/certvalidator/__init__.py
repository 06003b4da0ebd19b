"""certvalidator-compatible path validation built on cryptography's X.509 verifier.

ask-sdk-webservice-support imports ``CertificateValidator`` and the errors ``ValidationError``
and ``PathError`` from certvalidator 0.11.1, whose dependency oscrypto 1.3.0 cannot load
OpenSSL 3.0.10 or newer (wbond/oscrypto#78). This distribution keeps the import name and the
part of the API that callers use, and hands the RFC 5280 path building and checking to
``cryptography.x509.verification`` (maintained, already required by the SDK). No oscrypto.

Differences from certvalidator 0.11.1 (all stricter or equal): the CA side follows the CA/B
Forum web-PKI profile that cryptography enforces; the key-usage extension must be present when
a key usage is asked for; revocation (CRL/OCSP) is not checked, as certvalidator did not check
it without fetching either.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from .errors import InvalidCertificateError, PathBuildingError, PathError, PathValidationError, ValidationError

__all__ = ["CertificateValidator", "PathError", "ValidationContext", "ValidationError"]
__version__ = "0.11.1+cryptography"

CertificateLike = bytes | x509.Certificate

# certvalidator's key-usage names -> attributes of cryptography's KeyUsage
_KEY_USAGE = {
    "digital_signature": "digital_signature",
    "non_repudiation": "content_commitment",
    "key_encipherment": "key_encipherment",
    "data_encipherment": "data_encipherment",
    "key_agreement": "key_agreement",
    "key_cert_sign": "key_cert_sign",
    "crl_sign": "crl_sign",
    "encipher_only": "encipher_only",
    "decipher_only": "decipher_only",
}
_EXTENDED_KEY_USAGE = {
    "server_auth": ExtendedKeyUsageOID.SERVER_AUTH,
    "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "code_signing": ExtendedKeyUsageOID.CODE_SIGNING,
    "email_protection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "time_stamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "ocsp_signing": ExtendedKeyUsageOID.OCSP_SIGNING,
}


def _load(cert: object) -> x509.Certificate:
    """Accept what certvalidator accepted: DER or PEM bytes, asn1crypto or cryptography objects."""
    if isinstance(cert, x509.Certificate):
        return cert
    if hasattr(cert, "dump"):  # asn1crypto.x509.Certificate
        cert = cert.dump()
    if not isinstance(cert, bytes | bytearray):
        raise TypeError(f"expected certificate bytes or object, not {type(cert).__name__}")
    try:
        if bytes(cert).lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(bytes(cert))
        return x509.load_der_x509_certificate(bytes(cert))
    except ValueError as exc:
        raise InvalidCertificateError(f"malformed certificate: {exc}") from exc


@functools.cache
def _default_trust_roots() -> list[x509.Certificate]:
    """Mozilla's root store as packaged by certifi (certvalidator used the OS list).

    Roots that cryptography refuses or warns about (a few old ones have non-positive serial
    numbers) are left out one by one, so a stricter cryptography release cannot empty the list.
    """
    import re

    import certifi

    with open(certifi.where(), "rb") as bundle:
        blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", bundle.read(), re.S)
    roots = []
    for block in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("error", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except (ValueError, CryptographyDeprecationWarning):
                continue
    return roots


class ValidationContext:
    """Trust roots and the moment of validation (certvalidator's other options are refused)."""

    def __init__(
        self,
        trust_roots: Iterable[CertificateLike] | None = None,
        extra_trust_roots: Iterable[CertificateLike] | None = None,
        other_certs: Iterable[CertificateLike] | None = None,
        moment: datetime | None = None,
        **unsupported: object,
    ) -> None:
        if unsupported:
            raise TypeError(f"not supported by this certvalidator: {sorted(unsupported)}")
        roots = [_load(c) for c in trust_roots] if trust_roots is not None else list(_default_trust_roots())
        roots += [_load(c) for c in extra_trust_roots or ()]
        if not roots:
            raise ValueError("at least one trust root is needed")
        self.trust_roots = roots
        self.other_certs = [_load(c) for c in other_certs or ()]
        if moment is not None and moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        self.moment = moment


class CertificateValidator:
    """Validate an end-entity certificate's path to a trust root, then its usage."""

    def __init__(
        self,
        end_entity_cert: CertificateLike,
        intermediate_certs: Iterable[CertificateLike] | None = None,
        validation_context: ValidationContext | None = None,
    ) -> None:
        self._context = validation_context or ValidationContext()
        self._certificate = _load(end_entity_cert)
        self._intermediates = [_load(c) for c in intermediate_certs or ()] + self._context.other_certs

    def _builder(self) -> PolicyBuilder:
        moment = self._context.moment or datetime.now(UTC)
        return PolicyBuilder().store(Store(self._context.trust_roots)).time(moment)

    def _validate_path(self) -> list[x509.Certificate]:
        # Usage is checked separately (below), so the end entity may carry any extended key usage.
        verifier = self._builder().extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=ExtensionPolicy.permit_all(),
        ).build_client_verifier()
        try:
            return list(verifier.verify(self._certificate, self._intermediates).chain)
        except VerificationError as exc:
            raise _path_error(exc) from exc

    def validate_usage(
        self,
        key_usage: set[str],
        extended_key_usage: set[str] | None = None,
        extended_optional: bool = False,
    ) -> list[x509.Certificate]:
        """Validate the path, then that the certificate allows the given usages.

        Returns the validated path, end entity first.
        """
        path = self._validate_path()
        _check_key_usage(self._certificate, key_usage)
        _check_extended_key_usage(self._certificate, extended_key_usage or set(), extended_optional)
        return path


def _path_error(exc: VerificationError) -> ValidationError | PathError:
    message = str(exc)
    if "candidates exhausted" in message or "no path" in message.lower():
        return PathBuildingError(f"unable to build a path to a trust root: {message}")
    return PathValidationError(f"the certificate path is not valid: {message}")


def _check_key_usage(cert: x509.Certificate, wanted: set[str]) -> None:
    if not wanted:
        return
    unknown = set(wanted) - set(_KEY_USAGE)
    if unknown:
        raise ValueError(f"unknown key usage: {sorted(unknown)}")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise InvalidCertificateError("the certificate has no key usage extension") from exc
    missing = sorted(name for name in wanted if not _allows(usage, _KEY_USAGE[name]))
    if missing:
        raise InvalidCertificateError(f"the certificate is not valid for: {', '.join(missing)}")


def _allows(usage: x509.KeyUsage, attribute: str) -> bool:
    try:
        return bool(getattr(usage, attribute))
    except ValueError:  # encipher_only/decipher_only are undefined without key_agreement
        return False


def _check_extended_key_usage(cert: x509.Certificate, wanted: set[str], optional: bool) -> None:
    if not wanted:
        return
    oids = {_EXTENDED_KEY_USAGE.get(name) or x509.ObjectIdentifier(name) for name in wanted}
    try:
        present = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound as exc:
        if optional:
            return
        raise InvalidCertificateError("the certificate has no extended key usage extension") from exc
    missing = sorted(oid.dotted_string for oid in oids - present)
    if missing:
        raise InvalidCertificateError(f"the certificate is not valid for: {', '.join(missing)}")
