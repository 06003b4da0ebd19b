"""A test PKI that signs like Alexa: a root, an intermediate and an `echo-api.amazon.com` signing
certificate, each of which can be varied (usages, validity, names, hash, key size) to build the
good and bad chains the web tests need. Also used by bench/load_web.py."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNING_NAME = "echo-api.amazon.com"
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH
ANY_USAGE = ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE
CODE_SIGNING = ExtendedKeyUsageOID.CODE_SIGNING

_KEYS: dict[tuple[str, int], rsa.RSAPrivateKey] = {}


def key(name: str, size: int = 2048) -> rsa.RSAPrivateKey:
    """RSA keys are slow to make: one per name and size for the whole test run."""
    if (name, size) not in _KEYS:
        _KEYS[name, size] = rsa.generate_private_key(public_exponent=65537, key_size=size)
    return _KEYS[name, size]


def key_of(certificate: x509.Certificate) -> rsa.RSAPrivateKey:
    """The private key (made here) of a certificate's public key."""
    wanted = certificate.public_key().public_numbers()
    return next(k for k in _KEYS.values() if k.public_key().public_numbers() == wanted)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False, key_encipherment=not ca and sign,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class TestPKI:
    """root -> intermediate (serverAuth + clientAuth, like Amazon's) -> signing certificate."""

    name: str = "Back Care Test"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    __test__ = False  # not a pytest test class

    def __post_init__(self) -> None:
        self.root = self.ca("Root")
        self.intermediate = self.ca("Intermediate", issuer=self.root, path_length=0, eku=[SERVER_AUTH, CLIENT_AUTH])
        self.signing = self.leaf()

    def ca(self, role: str, *, issuer: Issued | None = None, eku: list | None = None, path_length: int | None = None,
           not_before: datetime | None = None, not_after: datetime | None = None,
           hash_algorithm: hashes.HashAlgorithm | None = None, is_ca: bool = True) -> Issued:
        """A CA certificate (a self-signed root when `issuer` is None)."""
        own_key = key(f"{self.name} {role}")
        signer_key = issuer.key if issuer else own_key
        issuer_name = issuer.cert.subject if issuer else _name(f"{self.name} {role}")
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{self.name} {role}"))
            .issuer_name(issuer_name)
            .public_key(own_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - timedelta(days=365))
            .not_valid_after(not_after or self.now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=path_length if is_ca else None), critical=True)
            .add_extension(_key_usage(sign=not is_ca, ca=is_ca), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(own_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
        )
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        return Issued(builder.sign(signer_key, hash_algorithm or hashes.SHA256()), own_key)

    def leaf(self, *, issuer: Issued | None = None, sans: tuple[str, ...] = (SIGNING_NAME,),
             eku: list | None = (SERVER_AUTH,), digital_signature: bool = True,  # type: ignore[assignment]
             not_before: datetime | None = None, not_after: datetime | None = None,
             hash_algorithm: hashes.HashAlgorithm | None = None, key_size: int = 2048,
             is_ca: bool = False) -> Issued:
        """A signing certificate; the defaults match Amazon's (SAN echo-api.amazon.com, serverAuth)."""
        issuer = issuer or self.intermediate
        own_key = key(f"{self.name} signing", key_size)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(sans[0] if sans else SIGNING_NAME))
            .issuer_name(issuer.cert.subject)
            .public_key(own_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - timedelta(days=1))
            .not_valid_after(not_after or self.now + timedelta(days=30))
            .add_extension(_key_usage(sign=digital_signature, ca=False), critical=True)
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]),
                                            critical=False)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        return Issued(builder.sign(issuer.key, hash_algorithm or hashes.SHA256()), own_key)

    def sha1_signed(self, issued: Issued, issuer: Issued) -> Issued:
        """`issued` re-signed by `issuer` with SHA-1, which cryptography no longer signs with.

        sha1WithRSAEncryption and sha256WithRSAEncryption have equally long encodings and an
        RSA-2048 signature is the certificate's last 256 bytes, so the bytes can be swapped in place.
        """
        sha256_rsa, sha1_rsa = bytes.fromhex("06092a864886f70d01010b"), bytes.fromhex("06092a864886f70d010105")
        der = issued.cert.public_bytes(serialization.Encoding.DER)
        tbs = issued.cert.tbs_certificate_bytes.replace(sha256_rsa, sha1_rsa)
        signature = issuer.key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
        assert der.count(sha256_rsa) == 2 and len(signature) == 256, "not an RSA-2048 SHA-256 certificate"
        return Issued(x509.load_der_x509_certificate(der.replace(sha256_rsa, sha1_rsa)[:-256] + signature), issued.key)

    def chain_pem(self, *certificates: Issued) -> bytes:
        """PEM of the given certificates in order; by default the signing certificate and intermediate."""
        return b"".join(c.pem() for c in certificates or (self.signing, self.intermediate))

    def write_root(self, path: Path) -> Path:
        path.write_bytes(self.root.pem())
        return path

    def sign(self, body: bytes, chain: bytes | None = None) -> str:
        """The Signature-256 header value for `body`, as Alexa computes it, with the key of the
        chain's first certificate (default: this PKI's signing certificate)."""
        signer = key_of(x509.load_pem_x509_certificates(chain)[0]) if chain else self.signing.key
        return base64.b64encode(signer.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
