"""Password hashing with Argon2id (argon2-cffi's RFC 9106 defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(plain: str) -> str:
    """A salted Argon2id hash in the PHC string format (`$argon2id$v=19$...`)."""
    return _hasher.hash(plain)


def verify_password(hashed: str, plain: str) -> bool:
    """Whether `plain` matches `hashed`; a malformed or foreign hash never matches."""
    try:
        return _hasher.verify(hashed, plain)
    except (VerificationError, InvalidHashError):  # a mismatch is a VerificationError too
        return False


def needs_rehash(hashed: str) -> bool:
    """Whether `hashed` was made with other parameters than today's (rehash at next login)."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return True
