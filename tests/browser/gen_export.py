#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A large export, as the daemon writes it with export_events = yes: CONTEXTS
contexts of a VMM each making IOASes, HWPTs, idevs, vIOMMUs and vDEVICEs
and destroying them in order, OBJECTS objects and ten events each.
For the report's responsiveness test.

With --gaps, a loss in every context (a lost record where the events of
two objects went missing) and, in the first, objects the trace meets
mid-life (created before it began: their first event is a removal).

With --hostile, names that are markup: a process name, a VM name, a
device name and a violation's detail that would run script if a page
took them for HTML.

usage: gen_export.py [--gaps] [--hostile] OBJECTS CONTEXTS > EXPORT.ndjson"""
import json
import sys

gaps = hostile = False
while sys.argv[1].startswith("--"):
    gaps |= sys.argv[1] == "--gaps"
    hostile |= sys.argv[1] == "--hostile"
    sys.argv.pop(1)
COMM = "<img src=x onerror=window.pwned=1>" if hostile else "qemu-system-x86"
VM = "</script><script>window.pwned=2</script>" if hostile else None
objects, contexts = int(sys.argv[1]), int(sys.argv[2])
seq = 0
ts = 1_000_000_000
out = sys.stdout


def emit(kind, **kv):
    global seq, ts
    r = {"schema": 2, "kind": kind, "seq": seq, "ts_ns": ts, "cpu": 0, "pid": 1000, "comm": COMM}
    r.update(kv)
    out.write(json.dumps(r, separators=(",", ":")) + "\n")
    if kind == "event":
        seq += 1
    ts += 20_000


def ev(hook, phase, ctx, obj, **kv):
    emit("event", tid=1000, hook=hook, phase=phase, ctx=ctx, obj=obj, **kv)


kinds = ["ioas", "hwpt_paging", "device", "viommu", "vdevice"]
per_ctx = objects // contexts
for c in range(contexts):
    ctx = "%012x" % (0xc0000000 + c)
    emit("event", tid=1000, hook="iommufd_fops_open", phase="return", ctx=ctx,
         obj={"type": "ctx", "handle": ctx}, ret=0, dur_ns=1000)
    emit("owner", ctx=ctx, owner={"pid": 1000, "comm": COMM, "vm": VM or "vm%d" % c})
    live = []
    if gaps and c == 0:
        # two objects created before tracing: first met at their removal
        for i in range(2):
            o = {"type": "ioas", "id": 1000 + i, "handle": "%012x" % (0xfe000000 + i)}
            ev("iommufd_object_remove", "entry", ctx, o, remove_flags="", by_id=True)
            ev("iommufd_ioas_destroy", "entry", ctx, o)
            ev("iommufd_object_remove", "return", ctx, o, ret=0, dur_ns=40000, remove_flags="", by_id=True)
    for i in range(per_ctx):
        if gaps and i == per_ctx // 2:
            # the events of two objects' lives never arrived
            seq += 20
            ts += 400_000
            emit("lost", count=20, why="sequence numbers never delivered")
        t = kinds[i % len(kinds)]
        o = {"type": t, "id": i + 1, "handle": "%012x" % ((c << 20) + i + 1)}
        ev("_iommufd_object_alloc", "return", ctx, o, ret=0, dur_ns=3000, users=1,
           **({"dev": "<svg onload=window.pwned=3>"} if hostile and t == "device" else {}))
        rel = {}
        if t == "vdevice":
            rel = {"device": live[-2], "viommu": live[-1]}
        elif t == "hwpt_paging":
            rel = {"ioas": live[-1]}
        ev("iommufd_object_finalize", "entry", ctx, o, **({"rel": rel} if rel else {}))
        ev("iommufd_device_attach" if t == "device" else "iommufd_object_finalize", "entry", ctx, o)
        # two removals refused while the object is in use
        for _ in range(2):
            ev("iommufd_object_remove", "entry", ctx, o, remove_flags="", by_id=True)
            ev("iommufd_object_remove", "return", ctx, o, ret=-16, dur_ns=20000, remove_flags="", by_id=True)
        live.append(o)
    for o in reversed(live):
        ev("iommufd_object_remove", "entry", ctx, o, remove_flags="", by_id=True)
        ev("iommufd_%s_destroy" % ("hwpt_paging" if o["type"] == "hwpt_paging" else o["type"]), "entry", ctx, o)
        if o["type"] == "vdevice":
            ev("iommufd_vdevice_abort", "entry", ctx, o)
        ev("iommufd_object_remove", "return", ctx, o, ret=0, dur_ns=40000, remove_flags="", by_id=True)
    if hostile:
        o = live[2]
        emit("violation", rule="vdev_outlives_idev", severity="error", meaning="m",
             detail="<iframe srcdoc='<script>parent.pwned=4</script>'>", hook="iommufd_device_destroy",
             objects=[{"role": "idevice", "type": o["type"], "id": o["id"], "handle": o["handle"], "ctx": ctx}],
             chain=[{"seq": 1, "ts_ns": ts, "hook": "<b>x</b>", "obj": "device#3", "pid": 1}],
             stack=["<script>window.pwned=5</script>"])
        emit("lost", count="<img src=x onerror=window.pwned=6>", why="<b onmouseover=window.pwned=7>")
    emit("event", tid=1000, hook="iommufd_fops_release", phase="entry", ctx=ctx, obj={"type": "ctx", "handle": ctx})
    emit("event", tid=1000, hook="iommufd_fops_release", phase="return", ctx=ctx, obj={"type": "ctx", "handle": ctx}, ret=0, dur_ns=1000)
if hostile:
    emit("summary", lost="<img src=x onerror=window.pwned=8>", events=seq)
