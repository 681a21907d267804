"""A small Chrome DevTools Protocol client over `--remote-debugging-pipe` (no dependency).

With `--remote-debugging-pipe` Chromium reads protocol messages on file descriptor 3 and writes
its answers and events on file descriptor 4, each message one JSON text ended by a NUL byte. The
browser is started through a few lines of Python run by this interpreter, which move our two pipe
ends (passed with `pass_fds` at numbers of 10 and up, so neither move overwrites the other) to 3
and 4 and then exec Chromium.

    with Browser.launch() as b:
        b.open(Path("report.html").as_uri())
        b.evaluate("document.title")
        b.set_value("#filter-severity", "high")
        b.screenshot("page.png")
        b.console, b.exceptions, b.requests, b.csp_violations

Every wait has a timeout (`CDPTimeout`); `close()` always ends the process (and is called by the
context manager and at interpreter exit). Nothing here touches the network: the launch flags turn
off the browser's own background traffic, and tests assert on `requests`.
"""
from __future__ import annotations

import atexit
import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import sys
import threading
import time
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",  # running as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)

# Where Debian, Ubuntu and others put it; the first that exists wins ($IACGUARD_CHROMIUM first).
CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "chromium", "chromium-browser",
              "google-chrome", "google-chrome-stable")


# Moves the two pipe ends to 3 and 4 and becomes Chromium (a shell cannot: dash redirects only
# descriptors 0-9, and ours are 10 and up so that neither move overwrites the other).
_TRAMPOLINE = ("import os, sys\n"
               "a, b = int(sys.argv[1]), int(sys.argv[2])\n"
               "os.dup2(a, 3); os.dup2(b, 4); os.close(a); os.close(b)\n"
               "os.execv(sys.argv[3], sys.argv[3:])\n")


class CDPError(RuntimeError):
    """The browser answered a command with an error, or went away."""


class CDPTimeout(CDPError):
    """Nothing arrived in time."""


class JSError(CDPError):
    """Runtime.evaluate threw; `details` is the protocol's exceptionDetails."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.details = details


def find_chromium() -> str | None:
    """The path of a Chromium binary, or None. $IACGUARD_CHROMIUM, when set, is the only one
    looked at (a name or path; IACGUARD_CHROMIUM=none runs as if there were none)."""
    env = os.environ.get("IACGUARD_CHROMIUM")
    for name in ((env,) if env else CANDIDATES):
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _high_fd(fd: int) -> int:
    """`fd` moved to a number >= 10, close-on-exec (so only pass_fds hands it on)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class Browser:
    """One headless Chromium and one page (a target attached with a flat session)."""

    def __init__(self, binary: str, *, timeout: float = 30.0, width: int = 1280, height: int = 900,
                 extra_flags: tuple = ()):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="iacguard-chromium-")
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        child_in, child_out = _high_fd(to_child_r), _high_fd(from_child_w)
        self._write_fd, self._read_fd = to_child_w, from_child_r
        argv = [sys.executable, "-c", _TRAMPOLINE, str(child_in), str(child_out), binary, *FLAGS, "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % (width, height), *extra_flags, "about:blank"]
        self._stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=self._stderr, pass_fds=(child_in, child_out),
                                         start_new_session=True)
        finally:
            os.close(child_in)
            os.close(child_out)
        self._lock = threading.Condition()
        self._next_id = 0
        self._answers: dict = {}
        self._events: list = []  # (method, params, sessionId), all of them, in order
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._reader.start()
        atexit.register(self.close)
        self.session = None
        self.console: list = []  # {"type", "text"}: console API calls and Log entries
        self.exceptions: list = []  # text of each uncaught exception
        self.requests: list = []  # URL of every request the page made
        self.csp_violations: list = []  # {"directive", "blocked"} from securitypolicyviolation
        try:
            self._attach()
        except BaseException:
            self.close()
            raise

    @classmethod
    def launch(cls, binary: str | None = None, **kw) -> "Browser":
        binary = binary or find_chromium()
        if not binary:
            raise CDPError("no chromium found (install Debian's chromium package)")
        return cls(binary, **kw)

    # -- transport -------------------------------------------------------------------------------

    def _read_loop(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._read_fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                with self._lock:
                    if "id" in msg:
                        self._answers[msg["id"]] = msg
                    else:
                        self._on_event(msg)
                    self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def _on_event(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params") or {}
        self._events.append((method, params, msg.get("sessionId")))
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", a.get("type")))) for a in params.get("args", []))
            self.console.append({"type": params.get("type"), "text": text})
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails") or {}
            self.exceptions.append((d.get("exception") or {}).get("description") or d.get("text", ""))
        elif method == "Log.entryAdded":
            e = params.get("entry") or {}
            self.console.append({"type": e.get("level"), "text": e.get("text", ""), "source": e.get("source"),
                                 "url": e.get("url")})
        elif method == "Network.requestWillBeSent":
            self.requests.append((params.get("request") or {}).get("url", ""))
        elif method == "Runtime.bindingCalled" and params.get("name") == "__iacguardCsp":
            try:
                self.csp_violations.append(json.loads(params.get("payload") or "{}"))
            except ValueError:
                self.csp_violations.append({"raw": params.get("payload")})

    def send(self, method: str, params: dict | None = None, *, session: bool = True,
             timeout: float | None = None) -> dict:
        """Send one command and wait for its answer; the result, or CDPError."""
        with self._lock:
            if self._closed:
                raise CDPError("browser has gone away")
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._write_fd, data):]
        except OSError as e:
            raise CDPError("cannot write to the browser: %s" % e) from None
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            while mid not in self._answers:
                left = deadline - time.monotonic()
                if self._closed:
                    raise CDPError("browser went away during %s" % method)
                if left <= 0:
                    raise CDPTimeout("no answer to %s in %.0f s" % (method, timeout or self.timeout))
                self._lock.wait(left)
            answer = self._answers.pop(mid)
        if "error" in answer:
            raise CDPError("%s: %s" % (method, answer["error"].get("message")))
        return answer.get("result") or {}

    def wait_event(self, method: str, *, after: int = 0, timeout: float | None = None) -> dict:
        """The params of the first event `method` of our session at index >= `after`."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            while True:
                for m, params, sid in self._events[after:]:
                    if m == method and sid == self.session:
                        return params
                left = deadline - time.monotonic()
                if self._closed:
                    raise CDPError("browser went away waiting for %s" % method)
                if left <= 0:
                    raise CDPTimeout("no %s in %.0f s" % (method, timeout or self.timeout))
                self._lock.wait(left)

    # -- page ------------------------------------------------------------------------------------

    def _attach(self) -> None:
        self.send("Browser.getVersion", session=False)
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable")
        self.send("Runtime.addBinding", {"name": "__iacguardCsp"})
        # Runs before the page's own script; CDP-added scripts are not subject to the page's CSP.
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " try { __iacguardCsp(JSON.stringify({directive: e.violatedDirective,"
            " blocked: e.blockedURI, sample: e.sample})); } catch (x) {} });")})

    def clear(self) -> None:
        """Forget collected console messages, exceptions, requests and CSP violations."""
        with self._lock:
            for coll in (self.console, self.exceptions, self.requests, self.csp_violations):
                coll.clear()

    def open(self, url: str, *, timeout: float | None = None) -> float:
        """Navigate to `url`, wait for its load event; the seconds it took. Collections restart.

        A URL with a fragment is opened from about:blank, so that it loads afresh even when the
        page shown is the same document (a fragment change alone fires no load event)."""
        if "#" in url and not url.startswith("about:"):
            self.open("about:blank", timeout=timeout)
        self.clear()
        with self._lock:
            mark = len(self._events)
        start = time.monotonic()
        result = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if result.get("errorText"):
            raise CDPError("cannot open %s: %s" % (url, result["errorText"]))
        self.wait_event("Page.loadEventFired", after=mark, timeout=timeout)
        return time.monotonic() - start

    def evaluate(self, expression: str, *, timeout: float | None = None):
        """The value of a JavaScript expression in the page (promises awaited, JSON-like values)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True, "userGesture": True}, timeout=timeout)
        if "exceptionDetails" in result:
            d = result["exceptionDetails"]
            raise JSError((d.get("exception") or {}).get("description") or d.get("text", "error"), d)
        return result.get("result", {}).get("value")

    def click(self, selector: str) -> None:
        """Click the first element matching `selector` (a DOM click event, bubbling)."""
        if not self.evaluate("(function (s) { var e = document.querySelector(s); if (!e) return false;"
                             " e.click(); return true; })(%s)" % json.dumps(selector)):
            raise CDPError("no element %s" % selector)

    def set_value(self, selector: str, value: str) -> None:
        """Set an input's or select's value and fire `input` and `change` as a user would."""
        if not self.evaluate(
                "(function (s, v) { var e = document.querySelector(s); if (!e) return false;"
                " e.value = v;"
                " e.dispatchEvent(new Event('input', {bubbles: true}));"
                " e.dispatchEvent(new Event('change', {bubbles: true})); return true; })(%s, %s)"
                % (json.dumps(selector), json.dumps(value))):
            raise CDPError("no element %s" % selector)

    def screenshot(self, path, *, full_page: bool = True, max_height: int = 16000) -> Path:
        """Save a PNG of the page (all of it, up to `max_height` CSS pixels, when `full_page`)."""
        params: dict = {"format": "png"}
        if full_page:
            m = self.send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m.get("contentSize") or {}
            width = max(1, int(size.get("width", 1280)))
            height = max(1, min(int(size.get("height", 900)), max_height))
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        data = self.send("Page.captureScreenshot", params)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def errors(self) -> list:
        """Console errors, Log errors and uncaught exceptions seen since the last open()."""
        return [c["text"] for c in self.console if c.get("type") in ("error", "assert")] + list(self.exceptions)

    # -- end -------------------------------------------------------------------------------------

    def close(self) -> None:
        """End the browser: ask politely, then kill its process group; remove the profile."""
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            try:
                if not self._closed:
                    self.send("Browser.close", session=False, timeout=3)
            except CDPError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, 9)  # its own session: the renderers and helpers too
                except OSError:
                    proc.kill()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        reader = getattr(self, "_reader", None)
        if reader is not None and reader.is_alive():
            reader.join(timeout=2)  # EOF once the browser has gone
        for fd in ("_write_fd", "_read_fd"):
            value = getattr(self, fd, None)
            if value is not None:
                try:
                    os.close(value)
                except OSError:
                    pass
                setattr(self, fd, None)
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()
            self._stderr = None
        shutil.rmtree(getattr(self, "profile", "") or "/nonexistent", ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
