"""The exception hierarchy of certvalidator 0.11.1 (the names callers catch)."""


class PathError(Exception):
    """No path could be built from the certificate to a trust root."""


class PathBuildingError(PathError):
    pass


class DuplicateCertificateError(PathError):
    pass


class ValidationError(Exception):
    """A path was found but is not valid."""


class PathValidationError(ValidationError):
    pass


class RevokedError(PathValidationError):
    pass


class InvalidCertificateError(PathValidationError):
    """The certificate is malformed or not valid for the requested usage."""
