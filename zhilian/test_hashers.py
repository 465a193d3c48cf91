from django.contrib.auth.hashers import BCryptSHA256PasswordHasher


class FastBCryptSHA256PasswordHasher(BCryptSHA256PasswordHasher):
    """Real bcrypt with the lowest cost factor, for the test suite only."""

    rounds = 4
