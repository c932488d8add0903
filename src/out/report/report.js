// SPDX-License-Identifier: GPL-2.0
// iommutrace report: object lifetimes on a time axis, from the records of
// the page (the export's schema). What an event does to an object comes
// from the program's own hook table (#it-hooks); the verdicts are the
// program's (violation records), never made here.
"use strict";
(function () {

const ROW = 18;
const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
// a record's word as part of a class name
const word = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, "_");

// --- the records -------------------------------------------------------------
const meta = JSON.parse($("it-meta").textContent);
const hooks = JSON.parse($("it-hooks").textContent);
const records = [];
let badLines = 0;
for (const line of $("it-records").textContent.split("\n")) {
	if (!line.trim()) continue;
	try { records.push(JSON.parse(line)); } catch (e) { badLines++; }
}

// --- the model: contexts, objects and their lives ---------------------------
const ctxs = new Map(); // handle -> context
const objects = []; // every object's one life
const current = new Map(); // handle (or ctx/type#id) -> its latest life
const violations = [];
const losses = [];
let tMin = Infinity, tMax = -Infinity, nEvents = 0, summary = null, prevTs = null;

function ctxOf(h) {
	if (!h) h = "-";
	let c = ctxs.get(h);
	if (!c) {
		c = { handle: h, born: null, end: null, owner: null, pid: null, comm: "", objects: [], pre: true };
		ctxs.set(h, c);
	}
	return c;
}
function objName(o) { return o.type + "#" + o.id; }
function newObject(ref, ctxh, ts, pre, e) {
	const c = ctxOf(ctxh);
	const o = {
		n: objects.length, type: ref.type, id: ref.id ?? 0, handle: ref.handle || "", ctx: c.handle,
		start: pre ? null : ts, end: null, fate: "alive", pre: pre, tomb: false, dev: "",
		virt_id: null, events: [], waits: [], holds: [], viols: [], rel: {}, pid: e.pid, comm: e.comm,
	};
	const same = c.objects.filter((x) => x.type === o.type && x.id === o.id).length;
	o.key = c.handle + ":" + objName(o) + (same ? "~" + same : "");
	objects.push(o);
	c.objects.push(o);
	return o;
}
function refKey(ref, ctxh) { return ref.handle || (ctxh + "/" + ref.type + "#" + ref.id); }
function lookup(ref, ctxh) { return current.get(refKey(ref, ctxh)); }

function onEvent(e, i) {
	const label = e.hook + (e.phase === "return" ? ":ret" : "");
	const act = hooks[label] || "none";
	nEvents++;
	if (act === "open") { const c = ctxOf(e.ctx); c.born = e.ts_ns; c.pre = false; c.pid = e.pid; c.comm = e.comm; return; }
	if (act === "release_ret") { ctxOf(e.ctx).end = e.ts_ns; }
	if (!e.obj || e.obj.type === "ctx") return;
	const key = refKey(e.obj, e.ctx);
	let o = current.get(key);
	if (act === "alloc") {
		if (e.ret && e.ret < 0) return;
		o = newObject(e.obj, e.ctx, e.ts_ns, false, e);
		current.set(key, o);
	} else if (!o) {
		// first seen after its birth; a later event on an ended life is
		// still that life's (a new one would have been allocated)
		o = newObject(e.obj, e.ctx, e.ts_ns, true, e);
		current.set(key, o);
	}
	if (e.obj.id && !o.id) o.id = e.obj.id;
	o.events.push(i);
	if (e.dev) o.dev = e.dev;
	if (e.virt_id !== undefined) o.virt_id = e.virt_id;
	if (e.rel) for (const [t, r] of Object.entries(e.rel)) {
		const target = lookup(r, e.ctx);
		if (target && target !== o) o.rel[t] = target;
	}
	const ending = () => { if (o.end === null) o.end = e.ts_ns; };
	switch (act) {
	case "hold": o.holds.push({ ts: e.ts_ns, pid: e.pid, tid: e.tid, comm: e.comm }); break;
	case "obj_abort": o.fate = "aborted"; ending(); break;
	// a type's abort after its destroy is the destroy's own (7.x vDEVICE)
	case "abort_and_destroy": case "abort": if (o.end === null) o.fate = "aborted"; break;
	case "destroy": if (o.fate !== "aborted") o.fate = o.tomb ? "tombstoned" : "destroyed"; ending(); break;
	case "remove":
		if ((e.remove_flags || "").includes("tombstone")) o.tomb = true;
		o.waits.push({ start: e.ts_ns, end: null, ret: null });
		break;
	case "remove_ret": {
		const w = o.waits.length ? o.waits[o.waits.length - 1] : null;
		if (w && w.end === null) { w.end = e.ts_ns; w.ret = e.ret; }
		else if (e.dur_ns) o.waits.push({ start: e.ts_ns - e.dur_ns, end: e.ts_ns, ret: e.ret });
		if (e.ret === 0 && o.end === null && o.fate === "alive") { o.fate = o.tomb ? "tombstoned" : "destroyed"; ending(); }
		break;
	}
	}
}

records.forEach((r, i) => {
	const ts = r.ts_ns;
	if (typeof ts === "number" && ts > 0 && r.kind !== "summary") {
		tMin = Math.min(tMin, ts); tMax = Math.max(tMax, ts);
	}
	switch (r.kind) {
	case "event": onEvent(r, i); prevTs = ts; break;
	case "owner": { const c = ctxOf(r.ctx); c.owner = r.owner; if (!c.pid) { c.pid = r.pid; c.comm = r.comm; } break; }
	case "violation": violations.push(r); break;
	case "uncertain": r.uncertain = true; violations.push(r); break;
	case "lost": losses.push({ start: prevTs ?? ts, end: ts, count: r.count, why: r.why }); break;
	case "summary": summary = r; break;
	case "graph": for (const c of r.contexts || []) { const x = ctxOf(c.ctx); x.owner = x.owner || c.owner; x.pid = x.pid ?? c.pid; x.comm = x.comm || c.comm; } break;
	}
});
if (!isFinite(tMin)) { tMin = 0; tMax = 1; }
if (tMax <= tMin) tMax = tMin + 1e6;
for (const o of objects) {
	if (o.start === null) o.start = tMin;
	for (const w of o.waits) if (w.end === null) w.end = tMax;
}
// a violation's objects: the life of each handle alive (or last) at its time
violations.forEach((v, vi) => {
	v.lives = [];
	for (const ref of v.objects || []) {
		let best = null;
		for (const o of objects)
			if ((ref.handle ? o.handle === ref.handle : o.type === ref.type && o.id === ref.id) &&
			    o.start <= v.ts_ns && (!best || o.start >= best.start)) best = o;
		if (best) { best.viols.push(vi); v.lives.push(best); }
	}
});

// --- the view's state, kept in the URL fragment -----------------------------
const allTypes = [...new Set(objects.map((o) => o.type))].sort();
const state = { v0: tMin, v1: tMax, types: new Set(allTypes), ids: "", ctx: "", rule: "", sel: "", edges: false };
function readHash() {
	const p = new URLSearchParams(location.hash.slice(1));
	state.v0 = tMin; state.v1 = tMax; state.types = new Set(allTypes);
	if (p.has("t")) {
		const [a, b] = p.get("t").split(",").map(Number);
		if (isFinite(a) && isFinite(b) && b > a) { state.v0 = tMin + a; state.v1 = tMin + b; }
	}
	if (p.has("types")) state.types = new Set(p.get("types").split(",").filter(Boolean));
	state.ids = p.get("id") || "";
	state.ctx = p.get("ctx") || "";
	state.rule = p.get("rule") || "";
	state.sel = p.get("sel") || "";
	state.edges = p.get("edges") === "all";
}
function writeHash() {
	const p = new URLSearchParams();
	p.set("t", Math.round(state.v0 - tMin) + "," + Math.round(state.v1 - tMin));
	if (state.types.size !== allTypes.length) p.set("types", [...state.types].join(","));
	if (state.ids) p.set("id", state.ids);
	if (state.ctx) p.set("ctx", state.ctx);
	if (state.rule) p.set("rule", state.rule);
	if (state.sel) p.set("sel", state.sel);
	if (state.edges) p.set("edges", "all");
	const h = "#" + p.toString();
	$("permalink").href = h;
	if (location.hash !== h) history.replaceState(null, "", h);
}

// --- rows: a context's header, then its objects in order of birth -----------
let rows = [];
function buildRows() {
	const ids = new Set(state.ids.split(/[\s,]+/).filter(Boolean).map(Number));
	const byRule = state.rule === "*" ? (o) => o.viols.length > 0
		: state.rule ? (o) => o.viols.some((vi) => violations[vi].rule === state.rule) : () => true;
	rows = [];
	const cs = [...ctxs.values()].sort((a, b) => (a.born ?? tMin) - (b.born ?? tMin));
	for (const c of cs) {
		if (state.ctx && c.handle !== state.ctx) continue;
		const os = c.objects.filter((o) => state.types.has(o.type) && (!ids.size || ids.has(o.id)) && byRule(o))
			.sort((a, b) => a.start - b.start || a.id - b.id);
		if (!os.length && (ids.size || state.rule || state.types.size !== allTypes.length)) continue;
		rows.push({ ctx: c });
		for (const o of os) rows.push({ obj: o });
	}
	rows.forEach((r, i) => { if (r.obj) r.obj.row = i; });
	objects.forEach((o) => { if (rows[o.row]?.obj !== o) o.row = -1; });
	$("canvas").style.height = rows.length * ROW + "px";
}

// --- drawing ----------------------------------------------------------------
const fmtT = (ns) => {
	const s = (ns - tMin) / 1e9;
	return Math.abs(s) >= 1 ? s.toFixed(3) + " s" : (s * 1e3).toFixed(3) + " ms";
};
const fmtDur = (ns) => ns >= 1e9 ? (ns / 1e9).toFixed(2) + " s" : ns >= 1e6 ? (ns / 1e6).toFixed(1) + " ms" : (ns / 1e3).toFixed(1) + " µs";
function ownerText(c) {
	const o = c.owner || {};
	const parts = [];
	if (o.vm) parts.push("VM " + o.vm);
	parts.push((o.comm || c.comm || "?") + "[" + (o.pid ?? c.pid ?? "?") + "]");
	if (o.unit) parts.push(o.unit);
	return parts.join(" ");
}
let W = 800;
const X = (t) => (t - state.v0) / (state.v1 - state.v0) * W;
const clampX = (x) => Math.max(-10, Math.min(W + 10, x));

function drawAxis() {
	const svg = $("axis");
	W = Math.max(200, svg.clientWidth || $("scroller").clientWidth - 210);
	const span = state.v1 - state.v0;
	const raw = span / 8;
	const p = Math.pow(10, Math.floor(Math.log10(raw)));
	const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw;
	let s = "";
	for (let t = Math.ceil((state.v0 - tMin) / step) * step + tMin; t <= state.v1; t += step)
		s += `<line x1="${X(t)}" x2="${X(t)}" y1="14" y2="24"/><text x="${X(t) + 2}" y="11">${fmtT(t)}</text>`;
	for (const v of violations)
		s += `<path class="viol-mark" d="M${X(v.ts_ns)},14 l4,5 l-4,5 l-4,-5z"><title>${esc(v.rule)}</title></path>`;
	svg.innerHTML = s;
}

function draw() {
	const t = performance.now();
	drawAxis();
	const sc = $("scroller");
	const first = Math.max(0, Math.floor(sc.scrollTop / ROW) - 5);
	const last = Math.min(rows.length, Math.ceil((sc.scrollTop + sc.clientHeight) / ROW) + 5);
	const plot = $("plot");
	plot.setAttribute("width", W);
	plot.setAttribute("height", rows.length * ROW);
	let s = `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="rgba(0,0,0,.35)"/></pattern>` +
		`<linearGradient id="fade"><stop offset="0" stop-color="#fff" stop-opacity=".9"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></linearGradient></defs>`;
	let labels = "";
	const selKeys = new Set(selection());
	for (let i = first; i < last; i++) {
		const r = rows[i], y = i * ROW;
		if (r.ctx) {
			const c = r.ctx;
			s += `<rect class="ctxband" x="0" y="${y}" width="${W}" height="${ROW}"/>`;
			if (c.born !== null) s += `<line class="tick" x1="${X(c.born)}" x2="${X(c.born)}" y1="${y + 3}" y2="${y + ROW - 3}"><title>opened</title></line>`;
			if (c.end !== null) s += `<line class="tick" x1="${X(c.end)}" x2="${X(c.end)}" y1="${y + 3}" y2="${y + ROW - 3}"><title>released</title></line>`;
			labels += `<div class="lab ctx" style="top:${y}px" data-ctx="${esc(c.handle)}" title="context ${esc(c.handle)}">ctx ${esc(c.handle)} · ${esc(ownerText(c))}${c.pre ? " (before tracing)" : ""}</div>`;
			continue;
		}
		const o = r.obj;
		const x0 = clampX(X(o.start)), x1 = clampX(X(o.end ?? tMax));
		const cls = `row${selKeys.has(o.key) ? (o.key === state.sel ? " selected" : " hl") : ""}`;
		s += `<g class="${cls}" data-key="${esc(o.key)}" data-type="${esc(o.type)}" data-id="${esc(o.id)}" data-fate="${o.fate}"${o.pre ? ' data-pre="1"' : ""}>`;
		s += `<rect class="bar t-${word(o.type)} fate-${o.fate}${o.pre ? " pre" : ""}${o.end === null ? " alive" : ""}" x="${x0}" y="${y + 3}" width="${Math.max(2, x1 - x0)}" height="${ROW - 6}"/>`;
		if (o.pre) s += `<rect class="preedge" x="${x0}" y="${y + 3}" width="${Math.min(24, Math.max(2, x1 - x0))}" height="${ROW - 6}"/>`;
		if (o.tomb) s += `<rect class="tomb" x="${x0}" y="${y + 3}" width="${Math.max(2, x1 - x0)}" height="${ROW - 6}"/>`;
		for (const w of o.waits) {
			const wx0 = clampX(X(w.start)), wx1 = clampX(X(w.end)), d = w.end - w.start;
			const long = d >= (meta.long_wait_ms || 100) * 1e6;
			s += `<rect class="wait${long ? " long" : ""}" data-ms="${(d / 1e6).toFixed(1)}" x="${wx0}" y="${y + 6}" width="${Math.max(1.5, wx1 - wx0)}" height="${ROW - 12}"><title>removal waited ${fmtDur(d)}${w.ret ? " (returned " + w.ret + ")" : ""}</title></rect>`;
			if (long && wx1 - wx0 > 60) s += `<text class="waitlabel" x="${wx0 + 4}" y="${y + ROW - 6}">wait ${fmtDur(d)}</text>`;
		}
		for (const h of o.holds) {
			const hx = X(h.ts);
			if (hx >= 0 && hx <= W) s += `<path class="hold" d="M${hx},${y + ROW - 2} l-3,-5 l6,0z"><title>a reference taken by ${esc(h.comm)}[${esc(h.tid)}] while the removal waited</title></path>`;
		}
		if (o.key === state.sel)
			for (const ei of o.events) { const ex = X(records[ei].ts_ns); if (ex >= 0 && ex <= W) s += `<line class="tick" x1="${ex}" x2="${ex}" y1="${y + 1}" y2="${y + 4}"/>`; }
		for (const vi of o.viols) {
			const v = violations[vi], vx = X(v.ts_ns);
			s += `<path class="viol-mark" data-viol="${vi}" d="M${vx},${y + 1} l6,8 l-6,8 l-6,-8z"><title>${esc(v.rule)}: ${esc(v.detail || "")}</title></path>`;
		}
		s += `</g>`;
		labels += `<div class="lab${selKeys.has(o.key) ? (o.key === state.sel ? " selected" : " hl") : ""}" style="top:${y}px" data-key="${esc(o.key)}">${esc(objName(o))}${o.dev ? ` <span class="dev">${esc(o.dev)}</span>` : ""}</div>`;
	}
	s += drawEdges(first, last);
	for (const l of losses) {
		const lx0 = clampX(X(l.start)), lx1 = clampX(X(l.end));
		s += `<rect class="lost-gap" x="${lx0}" y="${first * ROW}" width="${Math.max(3, lx1 - lx0)}" height="${(last - first) * ROW}"><title>${esc(l.count)} event(s) lost: ${esc(l.why || "")}</title></rect>`;
	}
	plot.innerHTML = s;
	$("labels").innerHTML = labels;
	window.itReport.timings.lastDrawMs = performance.now() - t;
	window.itReport.draws++;
}

// the idev of each vDEVICE always; the other edges when asked, between the rows shown
function drawEdges(first, last) {
	let s = "";
	const seen = (o) => o && o.row >= 0;
	for (let i = first; i < last; i++) {
		const o = rows[i] && rows[i].obj;
		if (!o) continue;
		for (const [t, target] of Object.entries(o.rel)) {
			const idev = o.type === "vdevice" && t === "device";
			if (!idev && !state.edges) continue;
			if (!seen(target)) continue;
			const x = clampX(X(Math.max(o.start, target.start))) + (idev ? 0 : 3);
			const y0 = o.row * ROW + ROW / 2, y1 = target.row * ROW + ROW / 2;
			s += `<path class="edge ${idev ? "edge-idev" : "edge-other"}" data-from="${esc(o.key)}" data-to="${esc(target.key)}" data-rel="${esc(t)}" d="M${x},${y0} C${x - 14},${y0} ${x - 14},${y1} ${x},${y1}"/>`;
		}
	}
	return s;
}

function selection() {
	const o = objects.find((x) => x.key === state.sel);
	if (!o) return [];
	const keys = [o.key];
	for (const vi of o.viols) for (const l of violations[vi].lives) keys.push(l.key);
	return keys;
}

// --- the side: violations, and the selected object's events -----------------
function listViolations() {
	$("viol-count").textContent = `(${violations.length})`;
	$("violations").innerHTML = violations.map((v, vi) => {
		const chain = (v.chain || []).map((c) => `${fmtT(c.ts_ns)}  ${esc(c.obj || "")}  ${esc(c.hook)}${c.pid ? " [" + c.pid + "]" : ""}`).join("\n");
		const stack = (v.stack || []).map(esc).join("\n");
		const h = v.holder;
		const holder = h ? `<br><small>held meanwhile by ${esc(h.tasks)} task(s), the last ${esc(h.comm)}[${esc(h.pid)}] (thread ${esc(h.tid)}) at ${fmtT(h.ts_ns)}</small>` +
			(h.stack ? `<pre class="stack holder">${h.stack.map(esc).join("\n")}</pre>` : "") : "";
		return `<li class="viol${v.uncertain ? " uncertain" : ""}" data-viol="${vi}" data-rule="${esc(v.rule)}">` +
			`<span class="rule">${esc(v.rule)}</span> at ${fmtT(v.ts_ns)}<br>${esc(v.detail || v.meaning || "")}` +
			`${v.owner ? `<br><small>${esc((v.owner.vm ? "VM " + v.owner.vm + " " : "") + (v.owner.comm || "") + "[" + (v.owner.pid ?? "") + "]")}</small>` : ""}` +
			(chain ? `<pre class="chain">${chain}</pre>` : "") + (stack ? `<pre class="stack">${stack}</pre>` : "") + holder + `</li>`;
	}).join("") || "<li class=\"none\">none</li>";
}

function showSelected() {
	const o = objects.find((x) => x.key === state.sel);
	const body = $("events").tBodies[0];
	document.querySelectorAll(".viol.selected").forEach((x) => x.classList.remove("selected"));
	if (!o) { $("sel-name").textContent = "(click a bar)"; $("sel-facts").textContent = ""; body.innerHTML = ""; return; }
	$("sel-name").textContent = objName(o);
	const rel = Object.entries(o.rel).map(([t, x]) => t + " " + objName(x)).join(", ");
	$("sel-facts").textContent = `${o.fate}${o.pre ? ", created before tracing" : ""}${o.tomb ? ", tombstoned" : ""}; ` +
		`born ${o.pre ? "?" : fmtT(o.start)}, ended ${o.end === null ? "no" : fmtT(o.end)}` +
		`${o.dev ? "; dev " + o.dev : ""}${o.virt_id !== null ? "; virt_id 0x" + o.virt_id.toString(16) : ""}${rel ? "; " + rel : ""}; context ${o.ctx}`;
	const skip = new Set(["schema", "kind", "seq", "ts_ns", "hook", "phase", "pid", "comm", "tid", "cpu", "ctx", "obj"]);
	body.innerHTML = o.events.map((ei) => {
		const e = records[ei];
		const f = Object.entries(e).filter(([k]) => !skip.has(k))
			.map(([k, v]) => k + "=" + (typeof v === "object" ? JSON.stringify(v) : v)).join(" ");
		// a use after the object's end (its own removal's return is not one)
		const late = o.end !== null && e.ts_ns > o.end && hooks[e.hook + (e.phase === "return" ? ":ret" : "")] === "use";
		return `<tr data-seq="${esc(e.seq)}"${late ? ' class="beyond"' : ""}><td>${esc(e.seq)}</td><td>${fmtT(e.ts_ns)}</td>` +
			`<td>${esc(e.hook)}${e.phase === "return" ? ":ret" : ""}</td><td>${esc(e.comm)}[${esc(e.pid)}]</td><td class="f">${esc(f)}</td></tr>`;
	}).join("");
	for (const vi of o.viols) document.querySelector(`.viol[data-viol="${vi}"]`)?.classList.add("selected");
}

// --- interaction ------------------------------------------------------------
function update(rebuild) {
	if (rebuild) buildRows();
	writeHash();
	draw();
	showSelected();
}
function zoom(f, at) {
	const c = at ?? (state.v0 + state.v1) / 2, span = (state.v1 - state.v0) * f;
	const minSpan = 1000, full = (tMax - tMin) * 1.1;
	const sp = Math.max(minSpan, Math.min(full, span));
	const k = (c - state.v0) / (state.v1 - state.v0);
	state.v0 = c - k * sp; state.v1 = state.v0 + sp;
	update(false);
}
function select(key, scroll) {
	state.sel = key;
	const o = objects.find((x) => x.key === key);
	if (o && scroll && o.row >= 0) {
		const sc = $("scroller");
		if (o.row * ROW < sc.scrollTop || o.row * ROW > sc.scrollTop + sc.clientHeight - ROW)
			sc.scrollTop = Math.max(0, o.row * ROW - sc.clientHeight / 3);
	}
	update(false);
}
function tip(ev, text) {
	const t = $("tip");
	if (!text) { t.hidden = true; return; }
	t.textContent = text; t.hidden = false;
	t.style.left = Math.min(innerWidth - 430, ev.clientX + 12) + "px"; t.style.top = ev.clientY + 14 + "px";
}
function wire() {
	const types = $("f-types");
	for (const t of allTypes)
		types.insertAdjacentHTML("beforeend", `<label><input type="checkbox" value="${esc(t)}"${state.types.has(t) ? " checked" : ""}> <svg width="10" height="10"><rect class="t-${word(t)}" width="10" height="10"/></svg> ${esc(t)}</label>`);
	types.addEventListener("change", (ev) => {
		ev.target.checked ? state.types.add(ev.target.value) : state.types.delete(ev.target.value);
		update(true);
	});
	const cs = $("f-ctx");
	for (const c of ctxs.values()) cs.insertAdjacentHTML("beforeend", `<option value="${esc(c.handle)}">${esc(c.handle)} ${esc(ownerText(c))}</option>`);
	cs.value = state.ctx;
	cs.addEventListener("change", () => { state.ctx = cs.value; update(true); });
	const rs = $("f-rule");
	for (const r of [...new Set(violations.map((v) => v.rule))]) rs.insertAdjacentHTML("beforeend", `<option>${esc(r)}</option>`);
	rs.value = state.rule;
	rs.addEventListener("change", () => { state.rule = rs.value; update(true); });
	const id = $("f-id");
	id.value = state.ids;
	id.addEventListener("input", () => { state.ids = id.value.trim(); update(true); });
	$("f-edges").checked = state.edges;
	$("f-edges").addEventListener("change", (ev) => { state.edges = ev.target.checked; update(false); });
	$("z-in").onclick = () => zoom(0.5);
	$("z-out").onclick = () => zoom(2);
	$("z-fit").onclick = () => { state.v0 = tMin; state.v1 = tMax; update(false); };
	$("filters").addEventListener("submit", (ev) => ev.preventDefault());
	const plot = $("plot");
	const tAt = (ev) => state.v0 + (ev.clientX - plot.getBoundingClientRect().left) / W * (state.v1 - state.v0);
	const onWheel = (ev) => {
		if (!ev.ctrlKey && ev.currentTarget !== $("axis")) return;
		ev.preventDefault();
		zoom(ev.deltaY > 0 ? 1.25 : 0.8, tAt(ev));
	};
	plot.addEventListener("wheel", onWheel, { passive: false });
	$("axis").addEventListener("wheel", onWheel, { passive: false });
	let drag = null;
	plot.addEventListener("mousedown", (ev) => { drag = { x: ev.clientX, v0: state.v0, v1: state.v1, moved: false }; });
	addEventListener("mousemove", (ev) => {
		if (!drag) return;
		const dx = ev.clientX - drag.x;
		if (Math.abs(dx) < 3 && !drag.moved) return;
		drag.moved = true; plot.classList.add("panning");
		const dt = dx / W * (drag.v1 - drag.v0);
		state.v0 = drag.v0 - dt; state.v1 = drag.v1 - dt;
		draw();
	});
	addEventListener("mouseup", () => { if (drag && drag.moved) update(false); plot.classList.remove("panning"); setTimeout(() => { drag = null; }); });
	plot.addEventListener("click", (ev) => {
		if (drag && drag.moved) return;
		const vm = ev.target.closest(".viol-mark");
		if (vm && vm.dataset.viol) return pickViolation(+vm.dataset.viol);
		const g = ev.target.closest(".row");
		if (g) select(g.dataset.key, false);
	});
	plot.addEventListener("mousemove", (ev) => {
		if (drag && drag.moved) return;
		const g = ev.target.closest(".row");
		if (!g) return tip(ev, ev.target.querySelector?.("title")?.textContent || ev.target.closest("[class]")?.querySelector("title")?.textContent || "");
		const o = objects.find((x) => x.key === g.dataset.key);
		const w = ev.target.classList.contains("wait") ? "\n" + ev.target.textContent : "";
		tip(ev, `${objName(o)} (${o.fate})${o.dev ? " " + o.dev : ""}\n${o.pre ? "before tracing" : fmtT(o.start)} → ${o.end === null ? "alive" : fmtT(o.end)}\n${o.events.length} event(s), ${o.viols.length} violation(s)${w}`);
	});
	plot.addEventListener("mouseleave", (ev) => tip(ev, ""));
	$("labels").addEventListener("click", (ev) => { const l = ev.target.closest(".lab[data-key]"); if (l) select(l.dataset.key, false); });
	$("violations").addEventListener("click", (ev) => { const li = ev.target.closest(".viol"); if (li) pickViolation(+li.dataset.viol); });
	$("scroller").addEventListener("scroll", () => requestAnimationFrame(draw));
	addEventListener("resize", () => draw());
	addEventListener("hashchange", () => { readHash(); syncControls(); update(true); });
}
function syncControls() {
	document.querySelectorAll("#f-types input").forEach((i) => { i.checked = state.types.has(i.value); });
	$("f-ctx").value = state.ctx; $("f-rule").value = state.rule; $("f-id").value = state.ids; $("f-edges").checked = state.edges;
}
// a violation: its objects highlighted, its chain in view
function pickViolation(vi) {
	const v = violations[vi];
	const ts = (v.chain || []).map((c) => c.ts_ns).concat([v.ts_ns]);
	const a = Math.min(...ts), b = Math.max(...ts), pad = Math.max((b - a) * 0.15, 1e5);
	state.v0 = a - pad; state.v1 = b + pad;
	if (v.lives.length) select(v.lives[0].key, true); else update(false);
}

function facts() {
	const lost = summary ? summary.lost : losses.reduce((n, l) => n + l.count, 0);
	const unc = violations.filter((v) => v.uncertain).length;
	$("facts").innerHTML = `${esc(meta.source || "")} · ${fmtDur(tMax - tMin)} · ${ctxs.size} context(s) · ${objects.length} object(s) · ${nEvents} event(s) · ` +
		`<span class="${violations.length ? "bad" : ""}">${violations.length} violation(s)${unc ? `, ${unc} uncertain` : ""}</span> · ` +
		`<span class="${lost ? "bad" : ""}">${esc(lost)} lost</span>${badLines ? ` · <span class="bad">${badLines} unreadable line(s)</span>` : ""}`;
	$("legend").innerHTML = `<span><i style="background:#2da44e"></i>bar: birth to end, coloured by type</span>` +
		`<span><i style="border:1.5px dashed #cf222e"></i>aborted</span><span><i style="background:repeating-linear-gradient(45deg,#999 0 2px,#fff 2px 4px)"></i>tombstoned</span>` +
		`<span><i style="border:1px dashed #555"></i>created before tracing</span><span><i style="background:#1b1f24"></i>removal wait (red: long)</span>` +
		`<span><i style="background:#bf8700;height:6px;width:6px"></i>a reference taken while a removal waited</span>` +
		`<span><i style="background:#8250df;height:2px"></i>vDEVICE → its idev</span><span><i style="background:#bf8700;opacity:.4"></i>lost events</span>` +
		`<span>ctrl+wheel or the axis: zoom; drag: pan</span>`;
}

window.itReport = { objects, violations, losses, ctxs, rows: () => rows, state, draw, timings: {}, draws: 0, ready: false };
readHash();
buildRows();
facts();
listViolations();
wire();
update(false);
if (state.sel) select(state.sel, true);
requestAnimationFrame(() => {
	window.itReport.timings.firstPaintMs = performance.now(); // since navigation began
	window.itReport.ready = true;
	document.body.dataset.ready = "1";
});
})();
