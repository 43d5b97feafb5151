/// The stats page: one self-contained HTML document (no external assets) whose script fetches
/// `stats.json` every second and redraws the cluster (this node's and its peers' VRRP views, with
/// the warnings they make together), VRRP, listeners, pools (with haproxy's error and retry
/// columns, each server's last state change and downtime) and findings in place, so changes appear
/// without a reload. Rows carry `data-*` attributes (pool, server, state; listener; instance, state;
/// node, reachable; finding kind) for scripts and tests; every text goes through `textContent`, never HTML.
public enum StatsPage {
    public static let contentType = "text/html; charset=utf-8"

    /// How often the page polls `stats.json`, in milliseconds.
    public static let pollMilliseconds = 1000

    /// The page.
    public static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>vipd stats</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; background: #fafafa; }
        h1 { font-size: 1.4em; margin: 0; } h2 { font-size: 1.15em; margin: 1.4em 0 .4em; } h3 { font-size: 1em; margin: 1em 0 .3em; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
        th { background: #f0f0f0; font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .sub { color: #666; font-size: .85em; } .sub.held { color: #8a6d00; font-weight: 600; }
        .state { font-weight: 700; }
        .admin { color: #8a6d00; }
        tr.up .state, tr.state-master .state { color: #0a7d28; }
        tr.down .state, tr.state-fault .state { color: #b3261e; }
        tr.down { background: #fdecea; }
        tr.stale td { color: #888; } tr.stale .state { color: #b3261e; }
        tr.unknown .state, tr.state-init .state { color: #8a6d00; }
        tr.state-backup .state { color: #1f5fbf; }
        ul { margin: 0; padding-left: 1.1em; }
        .finding { background: #fff; border-left: 4px solid #8a6d00; padding: .5em .8em; margin: .5em 0; }
        .finding.critical { border-color: #b3261e; } .finding.notice { border-color: #1f5fbf; }
        .fix { font-family: ui-monospace, monospace; font-size: .9em; }
        #status.stale { color: #b3261e; font-weight: 700; }
        .empty { color: #666; }
        </style>
        </head>
        <body>
        <header><h1>vipd <span id="node"></span></h1><p id="status" role="status">loading…</p></header>
        <noscript><p>This page updates itself with JavaScript. The same data is at <a href="stats.json">stats.json</a>, <a href="metrics">metrics</a> and <a href="stats.csv">stats.csv</a>.</p></noscript>
        <p class="sub">Also as <a href="stats.json">JSON</a>, <a href="stats.csv">CSV</a> (haproxy's columns) and <a href="metrics">Prometheus metrics</a>.</p>
        <section id="cluster-section" hidden><h2>Cluster</h2><div id="cluster"></div></section>
        <section><h2>VRRP</h2><div id="vrrp"></div></section>
        <section><h2>Listeners</h2><div id="listeners"></div></section>
        <section><h2>Pools</h2><div id="pools"></div></section>
        <section><h2>Monitor findings</h2><div id="findings"></div></section>
        <script>
        "use strict";
        const POLL_MS = \(pollMilliseconds);
        // stats.json next to the page, without the user and password of an address like
        // scheme://user:password@host/ (fetch refuses those; the browser sends the credentials it was given for the page).
        const STATS_URL = (() => { const u = new URL("stats.json", location.href); u.username = ""; u.password = ""; return u.href; })();
        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
          for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
          return node;
        }
        function table(headers, rows) {
          return el("table", {}, el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {}, h)))), el("tbody", {}, ...rows));
        }
        function ago(now, at) {
          const s = Math.max(0, now - at);
          return s < 90 ? s.toFixed(0) + " s ago" : s < 5400 ? (s / 60).toFixed(0) + " min ago" : (s / 3600).toFixed(1) + " h ago";
        }
        function seconds(s) { return s < 1 ? (s * 1000).toFixed(1) + " ms" : s.toFixed(2) + " s"; }
        function bytes(n) {
          const units = ["B", "KiB", "MiB", "GiB", "TiB"];
          let i = 0;
          while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
          return (i ? n.toFixed(1) : n) + " " + units[i];
        }
        function rate(n, unit) { return n.toFixed(n < 10 ? 1 : 0) + " " + unit + "/s"; }
        function renderVRRP(s) {
          if (!s.vrrp.length) return el("p", {class: "empty"}, "No VRRP instance on this node.");
          return table(["instance", "state", "priority", "effective", "VIP holder", "virtual addresses", "last transitions"],
            s.vrrp.map(v => el("tr", {class: "vrrp state-" + v.state.toLowerCase(), "data-instance": v.name, "data-state": v.state, "data-held": String(!!v.held)},
              el("td", {}, v.name, el("div", {class: "sub"}, v.interface + " VRID " + v.routerID + " v" + v.version)),
              el("td", {class: "state"}, v.state, v.faultReason ? el("div", {class: "sub"}, v.faultReason) : "", held(v), moved(v),
                v.syncGroup ? el("div", {class: "sub sync-group"}, "sync group " + v.syncGroup + ": " + v.syncGroupState) : ""),
              el("td", {class: "num"}, v.priority),
              el("td", {class: "num"}, v.effectivePriority),
              el("td", {class: "holder"}, v.masterAddress ? v.masterAddress + (v.masterIsThisNode ? " (this node)" : "") : "unknown"),
              el("td", {}, v.virtualAddresses.join(", ")),
              el("td", {}, v.recentTransitions.length
                ? el("ul", {}, ...v.recentTransitions.slice(0, 3).map(t =>
                    el("li", {}, ago(s.generatedAt, t.at) + ": " + t.from + " → " + t.to, el("div", {class: "sub"}, t.reason))))
                : "none"))));
        }
        function moved(v) {
          const parts = [];
          if (v.movedSessions) parts.push(v.movedSessions + " moved session(s) still served here");
          if (v.forwardingTo) parts.push("forwarding to " + v.forwardingTo + " (" + (v.forwardedSegments || 0) + " segments)");
          return parts.length ? el("div", {class: "sub moved"}, parts.join("; ")) : "";
        }
        function held(v) {
          return v.held ? el("div", {class: "sub held"}, "HELD by vipd ctl handover until vipd ctl ready") : "";
        }
        function clusterRow(s, node, v, peer) {
          const here = !peer;
          const reachable = here || peer.reachable;
          const answered = here ? "this page" : peer.reachable ? "now" : peer.lastSeen ? "last " + ago(s.generatedAt, peer.lastSeen) : "never";
          return el("tr", {class: "peer-row state-" + (v ? v.state.toLowerCase() : "unknown") + (reachable ? "" : " stale"),
              "data-node": node, "data-instance": v ? v.name : "", "data-state": v ? v.state : "", "data-held": String(!!(v && v.held)), "data-reachable": String(reachable)},
            el("td", {}, node, el("div", {class: "sub"}, here ? "this node" : peer.address)),
            el("td", {}, v ? v.name : "–"),
            el("td", {class: "state"}, v ? v.state : "–", v ? held(v) : "", reachable ? "" : el("div", {class: "sub"}, "does not answer: " + peer.error)),
            el("td", {class: "num"}, v ? v.priority : "–"),
            el("td", {class: "num"}, v ? v.effectivePriority : "–"),
            el("td", {}, v && v.masterAddress ? v.masterAddress + (v.masterIsThisNode ? " (itself)" : "") : "unknown"),
            el("td", {}, answered));
        }
        function renderCluster(s) {
          const rows = s.vrrp.map(v => clusterRow(s, s.node || "this node", v, null));
          for (const p of s.peers) {
            if (p.vrrp.length) rows.push(...p.vrrp.map(v => clusterRow(s, p.node, v, p)));
            else rows.push(clusterRow(s, p.node, null, p));
          }
          return el("div", {},
            ...s.clusterWarnings.map(w => el("div", {class: "finding cluster-warning" + (w.kind === "held" ? "" : " critical"), "data-kind": w.kind, "data-instance": w.instance},
              el("strong", {}, {"two-masters": "TWO MASTERS", "no-master": "NO MASTER", "held": "HELD"}[w.kind] || w.kind), el("div", {}, w.text))),
            table(["node", "instance", "state", "priority", "effective", "VIP holder", "answered"], rows));
        }
        function lastCheck(now, c) {
          if (!c) return "–";
          return el("span", {}, (c.passed ? "passed: " : "failed: ") + c.detail,
            el("div", {class: "sub"}, "took " + seconds(c.durationSeconds) + ", " + ago(now, c.at)));
        }
        function responses(r) {
          const shown = Object.keys(r || {}).sort().filter(k => r[k] > 0).map(k => k + " " + r[k]);
          return shown.length ? shown.join(" · ") : "–";
        }
        function renderListeners(s) {
          if (!s.listeners.length) return el("p", {class: "empty"}, "No listener.");
          return table(["listener", "pool", "connections", "refused: no server", "bad requests", "request timeouts", "HTTP responses"],
            s.listeners.map(l => el("tr", {class: "listener", "data-listener": l.name},
              el("td", {}, l.name, el("div", {class: "sub"}, l.bind + " · " + l.mode)),
              el("td", {}, l.pool),
              el("td", {class: "num"}, l.connections),
              el("td", {class: "num no-server"}, l.noServer),
              el("td", {class: "num bad-requests"}, l.mode === "http" ? l.badRequests : "–"),
              el("td", {class: "num request-timeouts"}, l.mode === "http" ? l.requestTimeouts : "–"),
              el("td", {class: "responses"}, responses(l.httpResponses)))));
        }
        function duration(s) {
          return s < 90 ? s.toFixed(0) + " s" : s < 5400 ? (s / 60).toFixed(0) + " min" : (s / 3600).toFixed(1) + " h";
        }
        // What vipd ctl status counts: up and not drained or in maintenance.
        function takesNew(x) { return x.state === "UP" && x.adminState === "ready"; }
        function renderPools(s) {
          if (!s.pools.length) return el("p", {class: "empty"}, "No pool.");
          return el("div", {}, ...s.pools.map(p => el("div", {class: "pool", "data-pool": p.name},
            el("h3", {}, p.name + " ", el("span", {class: "sub pool-summary"},
              p.servers.filter(takesNew).length + "/" + p.servers.length + " take new connections · " + p.balance + " · check " + p.check +
              (p.listeners.length ? " · listeners " + p.listeners.join(", ") : "") +
              " · refused (no server) " + s.listeners.filter(l => l.pool === p.name).reduce((n, l) => n + l.noServer, 0))),
            table(["server", "state", "last check", "last change", "active", "total", "new/s", "in", "out", "errors conn/resp", "retries/redisp", "HTTP responses"],
              p.servers.map(x => el("tr", {class: "server " + x.state.toLowerCase() + " admin-" + x.adminState,
                  "data-pool": p.name, "data-server": x.name, "data-state": x.state, "data-admin": x.adminState},
                el("td", {}, x.name, el("div", {class: "sub"}, x.address + " · weight " + x.weight +
                  (x.weight !== x.configuredWeight ? " (configured " + x.configuredWeight + ")" : "") + (x.backup ? " · backup" : ""))),
                el("td", {class: "state"}, x.state, x.adminState !== "ready" ? el("span", {class: "admin"}, " " + x.adminState.toUpperCase()) : "",
                  el("div", {class: "sub"}, x.adminState === "maint" ? "checks stopped" : x.progress)),
                el("td", {class: "check"}, lastCheck(s.generatedAt, x.lastCheck)),
                el("td", {class: "last-change"}, x.lastChange == null ? "–" : ago(s.generatedAt, x.lastChange),
                  el("div", {class: "sub downtime"}, "down " + x.downCount + "×, " + duration(x.downtimeSeconds) + " in all")),
                el("td", {class: "num"}, x.activeConnections),
                el("td", {class: "num"}, x.totalConnections + x.totalRequests, x.totalRequests ? el("div", {class: "sub"}, x.totalRequests + " requests") : ""),
                el("td", {class: "num"}, rate(x.connectionRate, "conn")),
                el("td", {class: "num"}, bytes(x.bytesIn), el("div", {class: "sub"}, rate(x.bytesInRate / 1024, "KiB"))),
                el("td", {class: "num"}, bytes(x.bytesOut), el("div", {class: "sub"}, rate(x.bytesOutRate / 1024, "KiB"))),
                el("td", {class: "num errors"}, x.connectErrors + " / " + (x.responseErrors + x.timeouts),
                  x.timeouts ? el("div", {class: "sub"}, x.timeouts + " timeouts") : ""),
                el("td", {class: "num retries"}, x.retries + " / " + x.redispatches),
                el("td", {class: "responses"}, responses(x.httpResponses))))))));
        }
        function renderFindings(s) {
          if (!s.monitorRunning) return el("p", {class: "empty monitor-off"}, "The advertisement monitor is not running on this node" + (s.monitorNotRunningReason ? ": " + s.monitorNotRunningReason : "") + ".");
          if (!s.findings.length) return el("p", {class: "empty"}, "No findings: the VRRP traffic seen on the wire is healthy.");
          return el("div", {}, ...s.findings.map(f => el("div", {class: "finding " + f.severity, "data-kind": f.kind},
            el("strong", {}, f.severity.toUpperCase() + " " + f.kind + (f.group ? " on " + f.group : "")),
            el("div", {}, f.summary, el("span", {class: "sub"}, " (since " + ago(s.generatedAt, f.since) + ")")),
            el("ul", {}, ...f.evidence.map(e => el("li", {}, "evidence: " + e))),
            el("div", {class: "fix"}, "fix: " + f.fix))));
        }
        let updates = 0;
        async function refresh() {
          const status = document.getElementById("status");
          try {
            const response = await fetch(STATS_URL, {cache: "no-store"});
            if (!response.ok) throw new Error("HTTP " + response.status);
            const s = await response.json();
            document.getElementById("node").textContent = s.node ? "on " + s.node : "";
            document.getElementById("cluster-section").hidden = !s.peers.length;
            document.getElementById("cluster").replaceChildren(renderCluster(s));
            document.getElementById("vrrp").replaceChildren(renderVRRP(s));
            document.getElementById("listeners").replaceChildren(renderListeners(s));
            document.getElementById("pools").replaceChildren(renderPools(s));
            document.getElementById("findings").replaceChildren(renderFindings(s));
            updates += 1;
            status.dataset.updates = String(updates);
            status.className = "";
            status.textContent = "updated " + new Date(s.generatedAt * 1000).toLocaleTimeString() + " · up " + ago(s.generatedAt, s.generatedAt - s.uptimeSeconds).replace(" ago", "");
          } catch (error) {
            status.className = "stale";
            status.textContent = "cannot reach vipd (" + error.message + "); showing the last data, retrying";
          } finally {
            setTimeout(refresh, POLL_MS);
          }
        }
        refresh();
        </script>
        </body>
        </html>

        """
}
