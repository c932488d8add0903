# SPDX-License-Identifier: GPL-2.0
"""A WebDriver client (W3C protocol over HTTP) for Debian's chromedriver and
headless Chromium: just what the report's tests use."""
import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, width=1400, height=800):
        self.port = _free_port()
        self.log = open(os.devnull, "w")
        self.driver = subprocess.Popen(
            ["chromedriver", "--port=%d" % self.port], stdout=self.log, stderr=self.log)
        self.base = "http://127.0.0.1:%d" % self.port
        for _ in range(100):
            try:
                self._call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=%d,%d" % (width, height)],
            }}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError("webdriver %s %s: %s" % (method, path, e.read()[:400]))

    def _s(self, method, path, body=None):
        return self._call(method, "/session/%s%s" % (self.session, path), body)

    def open(self, url, timeout=60):
        self._s("POST", "/url", {"url": url})
        end = time.time() + timeout
        while time.time() < end:
            if self.js("return !!(window.itReport && window.itReport.ready)"):
                return
            time.sleep(0.05)
        raise RuntimeError("the page did not get ready in %d s" % timeout)

    def js(self, script, *args):
        return self._s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        el = self._s("POST", "/element", {"using": "css selector", "value": css})
        return list(el.values())[0]

    def click(self, css):
        self._s("POST", "/element/%s/click" % self.find(css), {})

    def resize(self, width, height):
        self._s("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self._s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def close(self):
        try:
            self._s("DELETE", "")
        finally:
            self.driver.terminate()
            self.driver.wait(10)
            self.log.close()
