import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Previews keep the uploaded file under MEDIA_ROOT/imports: one folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
