"""A second factor: TOTP (RFC 6238) with one-time recovery codes, the
sign-in challenge, and step-up (a recent proof before high-value actions)."""
