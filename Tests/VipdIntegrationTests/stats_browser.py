#!/usr/bin/python3
"""Drives headless Chromium through the DevTools protocol on a pipe (--remote-debugging-pipe) for
StatsPageTests: loads one page once and answers commands about its DOM, never reloading it.

Usage: stats_browser.py URL PROFILE_DIR CHROMIUM_LOG
Commands on stdin, one per line; one JSON line answers each:
  wait-server POOL SERVER STATE SECONDS  -> {"ok": bool, "elapsed": s, "page": {...}}
  wait-admin POOL SERVER ADMIN SECONDS   -> the same, for the admin state (ready, drain, maint)
  wait-peer NODE REACHABLE SECONDS       -> the same, for a cluster row (REACHABLE: true or false)
  wait-warning KIND INSTANCE SECONDS     -> the same, for a cluster warning (two-masters, no-master, held)
  page                                   -> {"page": {...}}  (server rows, updates, load marker)
  screenshot PATH                        -> {"ok": true, "bytes": n}
  quit
Every wait is bounded; a DevTools call without an answer in 30 s ends the script with an error.
"""
import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import time

PAGE_STATE = """JSON.stringify({
  servers: [...document.querySelectorAll("tr.server")].map(r => [r.dataset.pool, r.dataset.server, r.dataset.state]),
  admins: [...document.querySelectorAll("tr.server")].map(r => [r.dataset.pool, r.dataset.server, r.dataset.admin]),
  peers: [...document.querySelectorAll("tr.peer-row")].map(r => [r.dataset.node, r.dataset.reachable]),
  peerTexts: [...document.querySelectorAll("tr.peer-row")].map(r => r.textContent),
  clusterShown: !document.getElementById("cluster-section").hidden,
  warnings: [...document.querySelectorAll(".cluster-warning")].map(w => [w.dataset.kind, w.dataset.instance]),
  warningTexts: [...document.querySelectorAll(".cluster-warning")].map(w => w.textContent),
  stateTexts: [...document.querySelectorAll("tr.server td.state")].map(c => c.textContent),
  checks: [...document.querySelectorAll("tr.server td.check")].map(c => c.textContent),
  poolSummaries: [...document.querySelectorAll("div.pool")].map(p => [p.dataset.pool, p.querySelector(".pool-summary").textContent]),
  serverCells: [...document.querySelectorAll("tr.server")].map(r => ({pool: r.dataset.pool, server: r.dataset.server,
    errors: r.querySelector("td.errors").textContent, retries: r.querySelector("td.retries").textContent,
    lastChange: r.querySelector("td.last-change").textContent})),
  listenerCells: [...document.querySelectorAll("tr.listener")].map(r => ({listener: r.dataset.listener,
    noServer: r.querySelector("td.no-server").textContent})),
  monitorText: (document.querySelector(".monitor-off") || {}).textContent || null,
  updates: Number(document.getElementById("status").dataset.updates || 0),
  status: document.getElementById("status").textContent,
  marker: window.vipdTestMarker || null,
  navigations: performance.getEntriesByType("navigation").length
})"""


class Browser:
    def __init__(self, profile, log):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Keep the ends away from 3 and 4, where Chromium expects them.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_chrome_r, from_chrome_w)]
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)

        def child_fds():
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        self.process = subprocess.Popen(
            ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "--window-size=1280,900", "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        for fd in ends:
            os.close(fd)
        self.writer = to_chrome_w
        self.reader = from_chrome_r
        self.buffer = b""
        self.next_id = 0

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.reader], [], [], remaining)[0]:
                raise RuntimeError(f"{method}: no answer from Chromium within 30 s")
            chunk = os.read(self.reader, 1 << 20)
            if not chunk:
                raise RuntimeError(f"{method}: Chromium closed the pipe")
            self.buffer += chunk

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main():
    url, profile, log_path = sys.argv[1:4]
    with open(log_path, "ab") as log:
        browser = Browser(profile, log)
        try:
            target = browser.call("Target.createTarget", {"url": url})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

            def page():
                result = browser.call("Runtime.evaluate", {"expression": PAGE_STATE, "returnByValue": True}, session)
                value = result["result"].get("value")
                return json.loads(value) if value else {}

            for line in sys.stdin:
                words = line.split()
                if not words:
                    continue
                if words[0] == "quit":
                    break
                if words[0] == "page":
                    answer = {"page": page()}
                elif words[0] == "mark":
                    browser.call("Runtime.evaluate", {"expression": "window.vipdTestMarker = 'set once'"}, session)
                    answer = {"ok": True}
                elif words[0] in ("wait-server", "wait-admin", "wait-peer", "wait-warning"):
                    wanted, seconds = words[1:-1], float(words[-1])
                    rows = {"wait-server": "servers", "wait-admin": "admins", "wait-peer": "peers", "wait-warning": "warnings"}[words[0]]
                    started = time.monotonic()
                    ok = False
                    while True:
                        current = page()
                        if wanted in current.get(rows, []):
                            ok = True
                            break
                        if time.monotonic() - started > seconds:
                            break
                        time.sleep(0.1)
                    answer = {"ok": ok, "elapsed": time.monotonic() - started, "page": current}
                elif words[0] == "screenshot":
                    data = base64.b64decode(browser.call("Page.captureScreenshot", {"format": "png"}, session)["data"])
                    with open(words[1], "wb") as file:
                        file.write(data)
                    answer = {"ok": True, "bytes": len(data)}
                else:
                    answer = {"error": f"unknown command {words[0]}"}
                print(json.dumps(answer), flush=True)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
