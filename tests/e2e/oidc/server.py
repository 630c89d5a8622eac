"""A real OpenID provider (oidc-provider from npm, tests/e2e/oidc/provider.js) on a free loopback port, and a
scripted walk through its development login form for the tests that need no browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from ...live import free_port

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "tunewise", "tunewise-test-secret"
# The accounts of provider.js: the development form takes any password.
ALLOWED_EMAIL = "ada@example.test"  # on the allow-list the tests configure
GROUP_MEMBER = "grace"  # grace@example.test, in the tunewise-admins group
OUTSIDER = "mallory"  # mallory@example.test: neither
UNVERIFIED = "eve"  # in the admin group, but her email is not verified
ADMIN_GROUP = "tunewise-admins"
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def node_ready() -> None:
    """Skip (fail in CI) unless node and the provider's npm packages are installed (`make test` installs them)."""
    missing = ("node is not installed" if shutil.which("node") is None
               else "run `npm ci --prefix tests/e2e/oidc`" if not (HERE / "node_modules" / "oidc-provider").exists()
               else "")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the OpenID provider cannot start: {missing}")
        pytest.skip(f"the OpenID provider cannot start: {missing}")


class Provider:
    """oidc-provider with one client (PKCE required) whose redirect URI is the app's callback."""

    def __init__(self, redirect_uri: str, *, log: Path, claims_in_id_token: bool = True) -> None:
        self.port = free_port()
        self.claims_in_id_token = claims_in_id_token
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.redirect_uri, self.log_path = redirect_uri, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20) -> None:
        """Start node and wait until the discovery document answers."""
        node_ready()
        env = {**os.environ, "ISSUER": self.issuer, "REDIRECT_URI": self.redirect_uri,
               "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
               "CLAIMS_IN_ID_TOKEN": "yes" if self.claims_in_id_token else "no"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(["node", "provider.js"], cwd=HERE, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oidc-provider exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("oidc-provider did not answer its discovery URL")

    def stop(self) -> None:
        """Terminate node, then make sure it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def settings(self, origin: str) -> dict[str, str]:
        """The TUNEWISE_OIDC_* settings (lower-case names) that point an app at this provider."""
        return {"oidc_issuer": self.issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
                "oidc_scopes": "openid email groups", "oidc_admin_emails": ALLOWED_EMAIL,
                "oidc_admin_group": ADMIN_GROUP, "public_origin": origin}


def sign_in_at_provider(authorization_url: str, login: str, redirect_uri: str) -> str:
    """Walk the provider's development login and consent forms like a browser would; the callback URL it sends
    the browser back to (with the code and state)."""
    browser = requests.Session()
    answer = browser.get(authorization_url, allow_redirects=True, timeout=10)
    fields = {"prompt": "login", "login": login, "password": "any password"}
    for _ in range(10):
        action = FORM_ACTION.search(answer.text)
        assert action, f"no form at {answer.url}: {answer.text[:300]}"
        answer = browser.post(urljoin(answer.url, unescape(action.group(1))), data=fields, allow_redirects=False,
                              timeout=10)
        while answer.is_redirect:
            target = urljoin(answer.url, answer.headers["location"])
            if target.startswith(redirect_uri):
                return target
            answer = browser.get(target, allow_redirects=False, timeout=10)
        fields = {"prompt": "consent"}
    raise AssertionError("the provider never sent the browser back")
