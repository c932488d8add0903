#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Open an `iommutrace report` page in headless Chromium and check it
against the records it was made from, read here on their own: every
object's row, every vDEVICE's edge to its idev, every violation, in the
page's DOM; a click on an object lists its events; a zoom halves the span
and lands in the link; the link opens the same view; a screenshot is
saved. With --perf, the time to first paint and to a zoom, against bounds.
Prints "ok NAME" / "not ok NAME: why" lines.

usage: report_test.py --html PAGE --records NDJSON --shot PNG [--name N]
       [--wait TYPE:MIN_MS] [--perf FIRST_PAINT_MS:ZOOM_MS]"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser  # noqa: E402

failed = False


def check(name, ok, why=""):
    global failed
    print(("ok %s" % name) if ok else ("not ok %s: %s" % (name, why)), flush=True)
    failed |= not ok


def expected(path):
    """Objects, idev edges and violations, from the records themselves."""
    events, violations, losses = [], [], []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("kind") == "event":
                events.append(r)
            elif r.get("kind") in ("violation", "uncertain"):
                violations.append(r)
            elif r.get("kind") == "lost":
                losses.append(r)
    rows, seen, pre = [], set(), []  # a row per life: per allocation, or per handle first seen
    for e in events:
        o = e.get("obj")
        if not o or o["type"] == "ctx":
            continue
        h = o.get("handle")
        alloc = e["hook"] == "_iommufd_object_alloc" and e["phase"] == "return"
        if alloc and e.get("ret", 0) < 0:
            continue
        if alloc or h not in seen:
            rows.append("%s#%d" % (o["type"], o.get("id", 0)))
            if not alloc:
                pre.append(rows[-1])  # met mid-life: created before tracing
            seen.add(h)
    rows.sort()
    edges = set()
    for e in events:
        rel = e.get("rel") or {}
        if e.get("obj", {}).get("type") == "vdevice" and "device" in rel:
            edges.add("vdevice#%d>device#%d" % (e["obj"]["id"], rel["device"]["id"]))
    return events, rows, sorted(edges), violations, sorted(pre), losses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--html", required=True)
    ap.add_argument("--records", required=True)
    ap.add_argument("--shot", required=True)
    ap.add_argument("--name", default="report")
    ap.add_argument("--wait", action="append", default=[])
    ap.add_argument("--perf")
    a = ap.parse_args()
    n = a.name
    url = "file://" + os.path.abspath(a.html)
    b = Browser(1400, 2000 if not a.perf else 900)
    try:
        b.open(url, timeout=120)
        if a.perf:
            perf(b, n, a.perf)
        else:
            content(b, n, a)
        b.resize(1400, 820)  # what a screen shows, for README
        b.js("window.itReport.draw()")
        size = b.screenshot(a.shot)
        check(n + "/screenshot", size > 10000, "%d bytes" % size)
    finally:
        b.close()
    return 1 if failed else 0


def label(key):
    return key.split(":")[-1].split("~")[0]


def content(b, n, a):
    events, rows, edges, viols, pre, losses = expected(a.records)
    # an edge other than a vDEVICE's to its idev, to an object the trace saw
    handles = {e["obj"].get("handle") for e in events if e.get("obj")}
    others = any(r.get("handle") in handles for e in events for t, r in (e.get("rel") or {}).items()
                 if not (e.get("obj", {}).get("type") == "vdevice" and t == "device") and t != "struct_device")
    dom = b.js("""
        const q = (s) => [...document.querySelectorAll(s)];
        return {
            rows: q('#plot g.row').map((g) => g.dataset.key),
            edges: q('#plot path.edge-idev').map((p) => p.dataset.from + '>' + p.dataset.to),
            viols: q('#violations li.viol').map((li) => li.dataset.rule),
            marks: q('#plot g.row').filter((g) => g.querySelector('.viol-mark')).map((g) => g.dataset.key),
            waits: q('#plot g.row').map((g) => [g.dataset.type, Math.max(0, ...[...g.querySelectorAll('rect.wait')].map((w) => +w.dataset.ms))]),
            total: window.itReport.rows().length,
            pre: q('#plot g.row[data-pre="1"]').map((g) => g.dataset.key),
            gaps: q('#plot rect.lost-gap').length,
        };""")
    # text from the records is text: nothing in them runs
    check(n + "/records_do_not_run", b.js("return window.pwned === undefined"), "a record's script ran")
    got_rows = sorted(label(k) for k in dom["rows"])
    check(n + "/objects", got_rows == rows, "page %s, records %s" % (got_rows, rows))
    got_pre = sorted(label(k) for k in dom["pre"])
    check(n + "/created_before_tracing", got_pre == pre, "page %s, records %s" % (got_pre, pre))
    check(n + "/lost_gaps", dom["gaps"] == len(losses), "%d gaps drawn, %d losses" % (dom["gaps"], len(losses)))
    got_edges = sorted(set(label(e.split(">")[0]) + ">" + label(e.split(">")[1]) for e in dom["edges"]))
    check(n + "/idev_edges", got_edges == edges, "page %s, records %s" % (got_edges, edges))
    check(n + "/violations", dom["viols"] == [v["rule"] for v in viols],
          "page %s, records %s" % (dom["viols"], [v["rule"] for v in viols]))
    want_marks = sorted(set("%s#%d" % (o["type"], o["id"]) for v in viols for o in v.get("objects", [])))
    got_marks = sorted(set(label(k) for k in dom["marks"]))
    check(n + "/violations_marked_on_their_objects", got_marks == want_marks,
          "page %s, records %s" % (got_marks, want_marks))
    for w in a.wait:
        typ, ms = w.split(":")
        longest = max([x[1] for x in dom["waits"] if x[0] == typ] or [0])
        check(n + "/wait_span_%s" % typ, longest >= float(ms),
              "longest wait drawn on a %s is %.1f ms, want >= %s" % (typ, longest, ms))

    # click the first violation's first object (or the first object): its events
    target = None
    if viols and viols[0].get("objects"):
        o = viols[0]["objects"][0]
        target = o["handle"]
    elif events:
        target = next(e["obj"]["handle"] for e in events if e.get("obj", {}).get("type") not in (None, "ctx"))
    key = b.js("""return window.itReport.objects.filter((o) => o.handle === arguments[0]).map((o) => o.key).pop() || null""", target)
    check(n + "/target_drawn", key is not None, "no object with handle %s" % target)
    if key is None:
        return
    b.click('#plot g.row[data-key="%s"]' % key)  # its bar, or a wait drawn over it
    seqs = b.js("return [...document.querySelectorAll('#events tbody tr')].map((tr) => +tr.dataset.seq)")
    # the last life of that handle (an address the kernel gave again after a free)
    want = []
    for e in events:
        if e.get("obj", {}).get("handle") != target:
            continue
        if e["hook"] == "_iommufd_object_alloc" and e["phase"] == "return" and e.get("ret", 0) >= 0:
            want = []
        want.append(e["seq"])
    check(n + "/click_lists_its_events", seqs == want, "page %s, records %s" % (seqs, want))
    check(n + "/click_selects", b.js("return document.querySelector('#plot g.row.selected')?.dataset.key") == key,
          "no selected row")

    # zoom in: half the span, in the link
    span0 = b.js("return window.itReport.state.v1 - window.itReport.state.v0")
    b.click("#z-in")
    span1 = b.js("return window.itReport.state.v1 - window.itReport.state.v0")
    check(n + "/zoom_halves", abs(span1 * 2 - span0) <= 2, "span %s then %s" % (span0, span1))
    href = b.js("return location.href")
    check(n + "/zoom_in_link", "t=" in href and "sel=" in href, href)
    # the link opens the same view
    b._s("POST", "/url", {"url": "about:blank"})
    b.open(href)
    st = b.js("const s = window.itReport.state; return [s.v1 - s.v0, s.sel, document.querySelector('#plot g.row.selected')?.dataset.key]")
    check(n + "/link_restores_view", abs(st[0] - span1) <= 2 and st[1] == key and st[2] == key,
          "got %s, want span %s and %s selected" % (st, span1, key))
    # filters: by type, then back
    typ = label(key).split("#")[0]
    b.js("location.hash = 'types=' + arguments[0]", typ)
    only = b.js("return [...document.querySelectorAll('#plot g.row')].map((g) => g.dataset.type)")
    check(n + "/type_filter", bool(only) and set(only) == {typ}, "rows %s" % only)
    # by id, by context, by rule: the rows left are those
    oid = label(key).split("#")[1]
    b.js("location.hash = 'id=' + arguments[0]", oid)
    ids = b.js("return [...document.querySelectorAll('#plot g.row')].map((g) => g.dataset.id)")
    check(n + "/id_filter", bool(ids) and set(ids) == {oid}, "rows %s" % ids)
    ctx = b.js("return window.itReport.objects.find((o) => o.key === arguments[0]).ctx", key)
    b.js("location.hash = 'ctx=' + arguments[0]", ctx)
    keys = b.js("return [...document.querySelectorAll('#plot g.row')].map((g) => g.dataset.key)")
    check(n + "/context_filter", bool(keys) and all(k.startswith(ctx + ":") for k in keys), "rows %s" % keys[:5])
    if viols:
        rule = viols[0]["rule"]
        b.js("location.hash = 'rule=' + arguments[0]", rule)
        got = sorted(set(label(k) for k in b.js("return [...document.querySelectorAll('#plot g.row')].map((g) => g.dataset.key)")))
        want = sorted(set("%s#%d" % (o["type"], o["id"]) for v in viols if v["rule"] == rule for o in v.get("objects", [])))
        check(n + "/rule_filter", got == want, "rows %s, objects of %s %s" % (got, rule, want))
    # the other edges, on demand
    b.js("location.hash = ''")
    before = b.js("return document.querySelectorAll('#plot path.edge-other').length")
    b.click("#f-edges")
    after = b.js("return document.querySelectorAll('#plot path.edge-other').length")
    check(n + "/other_edges_on_demand", before == 0 and (after > 0) == others,
          "%d before, %d after, records with such edges: %s" % (before, after, others))
    b.click("#f-edges")
    b.js("location.hash = ''")
    back = b.js("return document.querySelectorAll('#plot g.row').length")
    check(n + "/filters_cleared", back == len(rows) or back >= 30, "%d rows, want %d" % (back, len(rows)))
    # the view a bug report wants: the first violation picked, its chain in view
    if viols:
        b.click("#violations li.viol")
        sel = b.js("return window.itReport.state.sel")
        want_sel = "%s#%d" % (viols[0]["objects"][0]["type"], viols[0]["objects"][0]["id"])
        check(n + "/violation_click_selects", label(sel or "") == want_sel, "%s, want %s" % (sel, want_sel))
    # after every view above (events listed, violations shown), still nothing ran
    check(n + "/records_never_run", b.js("return window.pwned === undefined"),
          "a record's script ran: window.pwned = %s" % b.js("return String(window.pwned)"))


def perf(b, n, bounds):
    fp_max, zoom_max = (float(x) for x in bounds.split(":"))
    fp = b.js("return window.itReport.timings.firstPaintMs")
    counts = b.js("return [window.itReport.objects.length, [...window.itReport.objects].reduce((s, o) => s + o.events.length, 0)]")
    zooms = []
    for _ in range(3):
        zooms.append(b.js("const t = performance.now(); document.getElementById('z-in').click(); return performance.now() - t"))
    scroll = b.js("const s = document.getElementById('scroller'); const t = performance.now(); "
                  "s.scrollTop = s.scrollHeight / 2; window.itReport.draw(); return performance.now() - t")
    print("# %s: %d objects, %d events; first paint %.0f ms (bound %.0f), zoom %s ms, scroll %.0f ms (bound %.0f)"
          % (n, counts[0], counts[1], fp, fp_max, ", ".join("%.0f" % z for z in zooms), scroll, zoom_max))
    check(n + "/size", counts[0] >= 10000 and counts[1] >= 100000, "%s" % counts)
    check(n + "/first_paint", fp <= fp_max, "%.0f ms > %.0f ms" % (fp, fp_max))
    check(n + "/zoom", max(zooms) <= zoom_max, "%s ms > %.0f ms" % (zooms, zoom_max))
    check(n + "/scroll", scroll <= zoom_max, "%.0f ms" % scroll)


if __name__ == "__main__":
    sys.exit(main())
