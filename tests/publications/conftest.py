"""Fixtures of the publications tests."""

import os
import shutil

import pytest


@pytest.fixture
def biber() -> str:
    """Debian's biber, which reads BibTeX as LaTeX users' documents do. Without it the test is
    skipped and says so, unless REQUIRE_EXPORT_VALIDATORS=1 (the CI sets it and installs biber):
    then a missing biber fails the build."""
    path = shutil.which("biber")
    if path is None:
        if os.environ.get("REQUIRE_EXPORT_VALIDATORS") == "1":
            pytest.fail("REQUIRE_EXPORT_VALIDATORS=1 but biber is missing: apt-get install biber")
        pytest.skip("biber is not installed (apt-get install biber)")
    return path
