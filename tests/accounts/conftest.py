import pytest
from django_otp.oath import TOTP

from accounts import services


def totp_code(device):
    """The code an authenticator app shows now for ``device``."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.fixture
def olga_authenticator(olga):
    """olga (the DG's office) with a confirmed authenticator and recovery codes."""
    device = services.totp_setup_start(user=olga)
    device, codes = services.totp_setup_confirm(user=olga, code=totp_code(device))
    # A code is accepted once per 30-second step: forget the one just used so a test may log in now.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    device.recovery_codes = codes
    return device
