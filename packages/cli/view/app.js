// @ts-check
// The descent view page: the runs table (sort, filter, select), the selected runs' curves drawn by
// uPlot (log/linear axes, medians over seeds, power-law fits, hover, SVG/PNG export), live updates.

/** @typedef {{ key: string, dir: string, model: string, settings: Record<string, number>, group: string, sweep: string | null, seed: number | null, optimizer: string, status: string, step: unknown, steps: unknown, finalLoss: unknown, slope: unknown, claimsPassed: number | null, claimsTotal: number | null, logBytes: number }} RunRow */
/** @typedef {{ step: number, loss: unknown, metrics?: Record<string, unknown>, nonfinite?: Record<string, string> }} LogRecord */
/** @typedef {{ label: string, color: string, xs: number[], ys: (number | null)[], key: string | null, diverged: boolean, width: number, dash?: number[], band?: { lo: (number | null)[], hi: (number | null)[] }, note?: string, zeroAt?: number, fit?: boolean }} Curve */

/** Refresh period of the table and of running runs' logs (a new record shows within 2 s). */
const POLL_MS = 1000;
/** Runs selected on first load when there are at most this many. */
const AUTO_SELECT = 50;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const state = {
  /** @type {RunRow[]} */ runs: [],
  /** @type {string[]} */ palette: ['#0072B2'],
  /** @type {Set<string>} */ selected: new Set(),
  sort: { col: 'dir', dir: 1 },
  filter: '',
  /** @type {Map<string, { records: LogRecord[], next: number, bytes: number }>} */ logs: new Map(),
  first: true,
  /** @type {any} */ plot: null,
  plotSignature: '',
  /** @type {Curve[]} */ curves: [],
  timings: { tableMs: NaN, runsFetchMs: NaN, logsFetchMs: NaN, buildMs: NaN, drawMs: NaN, drawStartedAt: NaN },
};

// ---- numbers: the log's two non-finite conventions ----

/** @type {Record<string, number>} */
const NON_FINITE = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** A logged value as a number: numbers as they are, "NaN"/"Infinity" strings (older logs), null or missing as NaN. */
function toNumber(/** @type {unknown} */ v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  return NaN;
}

/**
 * Puts back the non-finite values that JSON written by descent names in its "nonfinite" field
 * ({"loss": "NaN", "metrics.norm[1]": "Infinity"}, written as null in place); older files wrote
 * the strings in place, which toNumber reads.
 */
function restoreNonFinite(/** @type {any} */ r) {
  if (r && r.nonfinite && typeof r.nonfinite === 'object') {
    for (const [where, text] of Object.entries(r.nonfinite)) {
      const parts = where.match(/[^.[\]]+/g) ?? [];
      // own properties only, defined rather than assigned: a metric named __proto__ is a value like any other
      const own = (/** @type {any} */ o, /** @type {string} */ k) => o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k);
      /** @type {any} */ let at = r;
      for (let i = 0; i < parts.length - 1; i++) at = own(at, /** @type {string} */ (parts[i])) ? at[/** @type {string} */ (parts[i])] : null;
      const last = /** @type {string} */ (parts[parts.length - 1]);
      if (own(at, last)) Object.defineProperty(at, last, { value: toNumber(text), writable: true, enumerable: true, configurable: true });
    }
  }
  return r;
}

/** One line of log.jsonl, either convention. */
const parseRecord = (/** @type {string} */ line) => /** @type {LogRecord} */ (restoreNonFinite(JSON.parse(line)));

/** The value of `series` ("loss", "name" or "name[i]") in a record. */
function valueOf(/** @type {LogRecord} */ r, /** @type {string} */ series) {
  if (series === 'loss') return toNumber(r.loss);
  const m = /^(.*)\[(\d+)\]$/.exec(series);
  const v = r.metrics?.[m ? /** @type {string} */ (m[1]) : series];
  if (m) return Array.isArray(v) ? toNumber(v[Number(m[2])]) : NaN;
  return toNumber(v);
}

/** Short text of a number: 4 significant digits, exponent form when tiny or huge. */
function fmt(/** @type {unknown} */ v) {
  if (v === null || v === undefined || v === '') return '';
  const x = toNumber(v);
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

const esc = (/** @type {unknown} */ s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ---- data ----

async function fetchRuns() {
  const res = await fetch('/api/runs');
  if (!res.ok) throw new Error(`/api/runs: ${res.status}`);
  const body = restoreNonFinite(await res.json());
  state.palette = body.palette ?? state.palette;
  return /** @type {RunRow[]} */ (body.runs);
}

/** Appends the whole lines `text` (log.jsonl from byte `next` on) to a run's records; true when any were added. */
function addRecords(/** @type {string} */ key, /** @type {string} */ text, /** @type {number} */ next) {
  let log = state.logs.get(key);
  if (!log) state.logs.set(key, (log = { records: [], next: 0, bytes: 0 }));
  if (next < log.next) {
    log.records = []; // the log was rewritten (a run started again with --force): read anew next time
    log.next = 0;
    return true;
  }
  log.next = next;
  let added = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      log.records.push(parseRecord(line));
      added = true;
    } catch {
      /* a line cut by a crash: skip it */
    }
  }
  return added;
}

/** Reads what the logs of `keys` gained since the last read, 200 runs a request; true when any grew. */
async function loadLogs(/** @type {string[]} */ keys) {
  let added = false;
  for (let i = 0; i < keys.length; i += 200) {
    const chunk = keys.slice(i, i + 200);
    const q = chunk.map((k) => `run=${encodeURIComponent(k)}&from=${state.logs.get(k)?.next ?? 0}`).join('&');
    const res = await fetch(`/api/logs?${q}`);
    if (!res.ok) continue;
    const body = /** @type {Record<string, { text?: string, next?: number }>} */ (await res.json());
    for (const k of chunk) {
      const r = body[k];
      if (r && typeof r.text === 'string' && typeof r.next === 'number') added = addRecords(k, r.text, r.next) || added;
      else if (!state.logs.has(k)) state.logs.set(k, { records: [], next: 0, bytes: 0 }); // no log yet
    }
  }
  return added;
}

// ---- table ----

const COLUMNS = [
  { id: 'dir', title: 'run', text: (/** @type {RunRow} */ r) => r.dir },
  { id: 'model', title: 'model', text: (/** @type {RunRow} */ r) => r.model },
  { id: 'settings', title: 'settings', text: (/** @type {RunRow} */ r) => Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' ') },
  { id: 'seed', title: 'seed', num: true, text: (/** @type {RunRow} */ r) => (r.seed === null ? '' : String(r.seed)) },
  { id: 'optimizer', title: 'optimizer', text: (/** @type {RunRow} */ r) => r.optimizer },
  { id: 'status', title: 'status', text: (/** @type {RunRow} */ r) => r.status },
  { id: 'step', title: 'steps', num: true, text: (/** @type {RunRow} */ r) => (r.step === null ? '' : `${r.step}${r.steps !== null && r.steps !== r.step ? ` / ${r.steps}` : ''}`) },
  { id: 'finalLoss', title: 'final loss', num: true, text: (/** @type {RunRow} */ r) => fmt(r.finalLoss) },
  { id: 'slope', title: 'slope', num: true, text: (/** @type {RunRow} */ r) => fmt(r.slope) },
  { id: 'claims', title: 'claims', text: (/** @type {RunRow} */ r) => (r.claimsTotal === null ? '' : r.claimsTotal === 0 ? '–' : `${r.claimsPassed}/${r.claimsTotal}`) },
];

/** Sort key of a row for a column: numbers as numbers (NaN last), text otherwise. */
function sortKey(/** @type {RunRow} */ r, /** @type {string} */ col) {
  if (col === 'seed' || col === 'step' || col === 'finalLoss' || col === 'slope') {
    const x = toNumber(r[col]);
    return Number.isNaN(x) ? Infinity : x;
  }
  if (col === 'claims') return r.claimsTotal ? /** @type {number} */ (r.claimsPassed) / r.claimsTotal : -1;
  return /** @type {{ text: (r: RunRow) => string }} */ (COLUMNS.find((c) => c.id === col)).text(r);
}

/**
 * Does a row pass the filter? Words separated by spaces must all match: `name=value` compares a
 * setting or a column exactly (n=2, status=running, seed=3); any other word is looked for in the
 * row's text, ignoring case.
 */
function passes(/** @type {RunRow} */ r, /** @type {string[]} */ words, /** @type {string} */ text) {
  for (const w of words) {
    const eq = /^([^=]+)=(.*)$/.exec(w);
    if (eq) {
      const name = /** @type {string} */ (eq[1]);
      const want = /** @type {string} */ (eq[2]);
      const col = COLUMNS.find((c) => c.id === name || c.title === name);
      const have = name in r.settings ? String(r.settings[name]) : col ? col.text(r) : undefined;
      if (have === undefined || (have !== want && Number(have) !== Number(want))) return false;
    } else if (!text.includes(w.toLowerCase())) return false;
  }
  return true;
}

/** The rows shown: filtered, then sorted. */
function shownRuns() {
  const words = state.filter.trim().split(/\s+/).filter(Boolean);
  const rows = words.length === 0 ? state.runs.slice() : state.runs.filter((r) => passes(r, words, COLUMNS.map((c) => c.text(r)).join(' ').toLowerCase()));
  const { col, dir } = state.sort;
  const keyed = rows.map((r) => ({ r, k: sortKey(r, col) }));
  keyed.sort((a, b) => (a.k < b.k ? -dir : a.k > b.k ? dir : a.r.dir < b.r.dir ? -1 : 1));
  return keyed.map((x) => x.r);
}

function renderTable() {
  const thead = /** @type {HTMLTableSectionElement} */ ($('runs').querySelector('thead'));
  const tbody = /** @type {HTMLTableSectionElement} */ ($('runs').querySelector('tbody'));
  thead.innerHTML = `<tr><th data-col=""><input type="checkbox" id="select-all-shown" aria-label="select all shown"></th>${COLUMNS.map((c) => `<th data-col="${c.id}"${state.sort.col === c.id ? ` data-sort="${state.sort.dir}"` : ''}>${c.title}</th>`).join('')}</tr>`;
  const rows = shownRuns();
  const html = [];
  for (const r of rows) {
    const sel = state.selected.has(r.key);
    const cells = COLUMNS.map((c) => {
      const cls = [c.num ? 'num' : '', c.id === 'status' ? `status-${r.status}` : '', c.id === 'claims' && r.claimsTotal && r.claimsPassed !== r.claimsTotal ? 'claims-fail' : ''].filter(Boolean).join(' ');
      return `<td${cls ? ` class="${cls}"` : ''}>${esc(c.text(r))}</td>`;
    });
    html.push(`<tr data-key="${esc(r.key)}"${sel ? ' class="selected"' : ''}><td><input type="checkbox"${sel ? ' checked' : ''}></td>${cells.join('')}</tr>`);
  }
  tbody.innerHTML = html.join('');
  $('shown').textContent = `${rows.length} shown, ${state.selected.size} selected`;
  const running = state.runs.filter((r) => r.status === 'running').length;
  $('count').textContent = `${state.runs.length} run${state.runs.length === 1 ? '' : 's'}`;
  $('live').textContent = running ? `${running} running (live)` : '';
}

// ---- curves ----

/** Every series the selected runs log: loss, scalar metrics, and each element of a vector metric. */
function seriesNames() {
  const names = new Set(['loss']);
  for (const key of state.selected) {
    const first = state.logs.get(key)?.records[0];
    for (const [name, v] of Object.entries(first?.metrics ?? {})) {
      if (Array.isArray(v)) v.forEach((_, i) => names.add(`${name}[${i}]`));
      else names.add(name);
    }
  }
  return [...names];
}

/** Median of a sorted array. */
const median = (/** @type {number[]} */ s) => (s.length % 2 ? /** @type {number} */ (s[(s.length - 1) / 2]) : (/** @type {number} */ (s[s.length / 2 - 1]) + /** @type {number} */ (s[s.length / 2])) / 2);

/**
 * Least squares of ln y on ln t over t in [t0, t1] (positive finite points only): y ≈ e^b t^a.
 * @returns {{ a: number, b: number, n: number } | null}
 */
function fitPowerLaw(/** @type {number[]} */ xs, /** @type {(number | null)[]} */ ys, /** @type {number} */ t0, /** @type {number} */ t1) {
  const lx = [];
  const ly = [];
  for (let i = 0; i < xs.length; i++) {
    const t = /** @type {number} */ (xs[i]);
    const y = ys[i];
    if (t >= t0 && t <= t1 && t > 0 && typeof y === 'number' && y > 0 && Number.isFinite(y)) {
      lx.push(Math.log(t));
      ly.push(Math.log(y));
    }
  }
  const n = lx.length;
  if (n < 2) return null;
  const mx = lx.reduce((s, v) => s + v, 0) / n;
  const my = ly.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = /** @type {number} */ (lx[i]) - mx;
    sxx += dx * dx;
    sxy += dx * (/** @type {number} */ (ly[i]) - my);
  }
  if (sxx === 0) return null;
  const a = sxy / sxx;
  return { a, b: my - a * mx, n };
}

function controls() {
  const v = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id));
  return {
    series: v('series').value || 'loss',
    xlog: v('xscale').value === 'log',
    ylog: v('yscale').value === 'log',
    group: v('group').checked,
    fit: v('fit').checked,
    fitFrom: Number(v('fit-from').value || NaN),
    fitTo: Number(v('fit-to').value || NaN),
    clip: v('clip').checked,
  };
}

/** What curves are grouped and colored by: a sweep's setting without the seed; a lone run is its own group. */
const groupOf = (/** @type {RunRow} */ r) => (r.sweep !== null ? `${r.sweep}|${r.group}` : r.group ? `|${r.group}` : r.key);

/** The curves to draw for the selection and the controls, with notes on points a log axis cannot show. */
function buildCurves() {
  const c = controls();
  const notes = [];
  const runs = state.runs.filter((r) => state.selected.has(r.key));
  const groups = [...new Set(runs.map(groupOf))];
  const colorOf = (/** @type {RunRow} */ r, /** @type {number} */ i) => state.palette[(groups.length > 1 ? groups.indexOf(groupOf(r)) : i) % state.palette.length] ?? '#000';
  /** @type {Curve[]} */
  const curves = [];
  let zeros = 0;
  let nonFinite = 0;
  runs.forEach((r, i) => {
    const recs = state.logs.get(r.key)?.records ?? [];
    const xs = [];
    const ys = [];
    let firstZero = null;
    for (const rec of recs) {
      if (c.xlog && !(rec.step > 0)) continue; // step 0 has no place on a log axis
      const y = valueOf(rec, c.series);
      let shown = /** @type {number | null} */ (y);
      if (!Number.isFinite(y)) {
        nonFinite++;
        shown = null;
      } else if (c.ylog && y <= 0) {
        if (y === 0 && firstZero === null) firstZero = rec.step;
        zeros++;
        shown = null;
      }
      xs.push(rec.step);
      ys.push(shown);
    }
    const label = `${r.group || r.dir}${r.seed !== null && r.group ? ` seed=${r.seed}` : ''}`;
    curves.push({ label: r.sweep || r.group ? label : r.dir, color: colorOf(r, i), xs, ys, key: r.key, diverged: r.status === 'diverged', width: 1.5, ...(firstZero !== null ? { note: `reaches 0 at step ${firstZero}`, zeroAt: firstZero } : {}) });
  });
  if (zeros) notes.push(`${zeros} point${zeros > 1 ? 's' : ''} at or below 0 left out of the log y axis (▼ marks where a curve reaches 0; switch y to linear to see them)`);
  if (nonFinite) notes.push(`${nonFinite} non-finite value${nonFinite > 1 ? 's' : ''} (NaN or ±∞) not drawn`);
  let drawn = curves;
  if (c.group) drawn = groupCurves(curves, runs);
  if (c.fit) drawn = drawn.concat(fitCurves(drawn, c, notes));
  return { curves: drawn, notes, c };
}

/** One curve per setting: the median over its seeds at each step, with a band from lowest to highest. */
function groupCurves(/** @type {Curve[]} */ curves, /** @type {RunRow[]} */ runs) {
  /** @type {Map<string, { label: string, color: string, members: Curve[], diverged: boolean }>} */
  const groups = new Map();
  curves.forEach((cv, i) => {
    const r = /** @type {RunRow} */ (runs[i]);
    const id = groupOf(r);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { label: r.group || r.dir, color: cv.color, members: [], diverged: false }));
    g.members.push(cv);
    g.diverged ||= cv.diverged;
  });
  /** @type {Curve[]} */
  const out = [];
  for (const g of groups.values()) {
    const steps = [...new Set(g.members.flatMap((m) => m.xs))].sort((a, b) => a - b);
    const at = g.members.map((m) => new Map(m.xs.map((x, j) => [x, m.ys[j]])));
    const mid = [];
    const lo = [];
    const hi = [];
    for (const s of steps) {
      const vals = /** @type {number[]} */ (at.map((m) => m.get(s)).filter((v) => typeof v === 'number')).sort((a, b) => a - b);
      mid.push(vals.length ? median(vals) : null);
      lo.push(vals.length ? /** @type {number} */ (vals[0]) : null);
      hi.push(vals.length ? /** @type {number} */ (vals[vals.length - 1]) : null);
    }
    const n = g.members.length;
    const notes = g.members.map((m) => m.note).filter(Boolean);
    out.push({
      label: n > 1 ? `${g.label} (median of ${n})` : g.members[0]?.label ?? g.label, color: g.color, xs: steps, ys: mid, key: null, diverged: g.diverged, width: 2,
      ...(n > 1 ? { band: { lo, hi } } : {}), ...(notes.length ? { note: `${notes.length} of ${n} reach 0`, zeroAt: Math.min(...g.members.map((m) => m.zeroAt ?? Infinity)) } : {}),
    });
  }
  return out;
}

/**
 * A dashed power-law line per curve over the fit window: the steps given, or else each curve's
 * own last decade (as the run summary's slope).
 */
function fitCurves(/** @type {Curve[]} */ curves, /** @type {ReturnType<typeof controls>} */ c, /** @type {string[]} */ notes) {
  /** @type {HTMLInputElement} */ ($('fit-from')).placeholder = 'last';
  /** @type {HTMLInputElement} */ ($('fit-to')).placeholder = 'decade';
  /** @type {Curve[]} */
  const out = [];
  let failed = 0;
  for (const cv of curves) {
    const last = Math.max(0, ...cv.xs);
    const t0 = Number.isFinite(c.fitFrom) ? c.fitFrom : last / 10;
    const t1 = Number.isFinite(c.fitTo) ? c.fitTo : last;
    const f = fitPowerLaw(cv.xs, cv.ys, t0, t1);
    if (!f) {
      failed++;
      continue;
    }
    const xs = cv.xs.filter((x) => x >= t0 && x <= t1 && x > 0);
    out.push({ label: `${cv.label.replace(/ \(median of \d+\)$/, '')}: fit, slope ${fmt(f.a)}`, color: cv.color, xs, ys: xs.map((x) => Math.exp(f.b + f.a * Math.log(x))), key: null, diverged: cv.diverged, width: 1.5, dash: [6, 4], fit: true });
  }
  if (failed) notes.push(`${failed} curve${failed > 1 ? 's have' : ' has'} fewer than 2 positive points in the fit window: no fit`);
  return out;
}

/** The y range: every finite drawn value, less the diverged runs' when asked; powers of 10 on a log axis. */
function yRange(/** @type {Curve[]} */ curves, /** @type {boolean} */ ylog, /** @type {boolean} */ clip) {
  let lo = Infinity;
  let hi = -Infinity;
  const use = clip && curves.some((cv) => !cv.diverged) ? curves.filter((cv) => !cv.diverged) : curves;
  for (const cv of use) {
    for (const arr of cv.band ? [cv.ys, cv.band.lo, cv.band.hi] : [cv.ys]) {
      for (const y of arr) {
        if (typeof y !== 'number' || !Number.isFinite(y) || (ylog && y <= 0)) continue;
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      }
    }
  }
  if (!(lo <= hi)) return ylog ? [0.1, 10] : [0, 1];
  if (ylog) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + (hi === lo ? 1e-9 : 0))];
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

// ---- plot ----

/**
 * Tick positions every "nice" step (1, 2 or 5 × 10^k) across [min, max]. uPlot's own tick tables
 * stop at 1e±32 and a loss can reach 1e-55 or 1e289, so the ticks are made here for any range.
 */
function niceSplits(/** @type {any} */ _u, /** @type {number} */ _axis, /** @type {number} */ min, /** @type {number} */ max) {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return [min];
  const raw = span / 7;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) out.push(k * step);
  return out;
}

/** Ticks of a log axis drawn as log10 of the values: whole decades, spaced so at most ~8 are labeled. */
function decadeSplits(/** @type {any} */ _u, /** @type {number} */ _axis, /** @type {number} */ min, /** @type {number} */ max) {
  const every = Math.max(1, Math.ceil((max - min) / 8));
  const out = [];
  for (let k = Math.ceil(min / every) * every; k <= max + 1e-9; k += every) out.push(k);
  return out;
}

const linearLabels = (/** @type {any} */ _u, /** @type {number[]} */ splits) => splits.map((v) => fmt(v));
const decadeLabels = (/** @type {any} */ _u, /** @type {number[]} */ splits) => splits.map((k) => fmt(10 ** k));

function draw() {
  const { curves, notes, c } = buildCurves();
  state.curves = curves;
  const chart = $('chart');
  chart.dataset['curves'] = String(curves.filter((cv) => !cv.fit).length);
  chart.dataset['fits'] = String(curves.filter((cv) => cv.fit).length);
  /** @type {any[]} */
  const tables = [];
  /** @type {any[]} */
  const series = [{ label: 'step' }];
  /** @type {any[]} */
  const bands = [];
  // A log axis is drawn as log10 of the values on a linear scale: uPlot's log scale cannot span
  // the 1e-55 … 1e289 that losses reach, and this keeps zeros and non-finite values as gaps.
  const tx = c.xlog ? Math.log10 : (/** @type {number} */ v) => v;
  const ty = c.ylog ? (/** @type {number | null} */ v) => (v === null ? null : Math.log10(v)) : (/** @type {number | null} */ v) => v;
  for (const cv of curves) {
    const cols = [cv.xs.map(tx), cv.ys.map(ty)];
    const base = series.length;
    series.push({ label: cv.label, stroke: cv.color, width: cv.width, ...(cv.dash ? { dash: cv.dash } : {}), points: { show: false }, spanGaps: false });
    if (cv.band) {
      cols.push(cv.band.hi.map(ty), cv.band.lo.map(ty));
      series.push({ label: `${cv.label} max`, stroke: 'transparent', width: 0, points: { show: false } }, { label: `${cv.label} min`, stroke: 'transparent', width: 0, points: { show: false } });
      bands.push({ series: [base + 1, base + 2], fill: `${cv.color}33` });
    }
    tables.push(cols);
  }
  const data = tables.length ? uPlot.join(tables) : [[]];
  const [ylo, yhi] = yRange(curves, c.ylog, c.clip).map((v) => (c.ylog ? Math.log10(v) : v));
  const signature = JSON.stringify([series.map((s) => [s.label, s.stroke, s.width]), bands.length, c.xlog, c.ylog, c.series, ylo, yhi, chart.clientWidth]);
  if (state.plot && signature === state.plotSignature) {
    state.plot.setData(data);
  } else {
    state.plot?.destroy();
    state.plotSignature = signature;
    const width = Math.max(320, chart.clientWidth);
    state.plot = new uPlot({
      width, height: 400,
      scales: {
        x: { time: false },
        y: { range: () => [ylo, yhi] },
      },
      axes: [
        { label: c.xlog ? 'step (log)' : 'step', splits: c.xlog ? decadeSplits : niceSplits, values: c.xlog ? decadeLabels : linearLabels, grid: { stroke: '#e6e9ed' } },
        { label: c.ylog ? `${c.series} (log)` : c.series, splits: c.ylog ? decadeSplits : niceSplits, values: c.ylog ? decadeLabels : linearLabels, size: 72, grid: { stroke: '#e6e9ed' } },
      ],
      series, bands,
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: true, y: false } },
      hooks: { setCursor: [showTooltip], draw: [drawn] },
    }, data, chart);
  }
  renderLegend(curves);
  $('notes').textContent = notes.join('; ');
}

/**
 * After uPlot has drawn: a ▼ at the bottom edge where a curve reaches 0 on a log y axis (the value
 * has no place there, but the event matters), and the time since the draw was asked for.
 */
function drawn(/** @type {any} */ u) {
  const { xlog, ylog } = controls();
  if (ylog) {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    for (const [x, color] of zeroMarks(xlog)) {
      const px = u.valToPos(x, 'x', true);
      const py = u.bbox.top + u.bbox.height;
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(px - 5 * dpr, py - 9 * dpr);
      ctx.lineTo(px + 5 * dpr, py - 9 * dpr);
      ctx.lineTo(px, py - 1 * dpr);
      ctx.fill();
    }
  }
  if (Number.isFinite(state.timings.drawStartedAt)) {
    state.timings.drawMs = performance.now() - state.timings.drawStartedAt;
    state.timings.drawStartedAt = NaN;
  }
}

/** Where drawn curves first reach 0: [x on the plot's scale, color]. */
function zeroMarks(/** @type {boolean} */ xlog) {
  return state.curves.filter((cv) => cv.zeroAt !== undefined && (!xlog || /** @type {number} */ (cv.zeroAt) > 0)).map((cv) => /** @type {[number, string]} */ ([xlog ? Math.log10(/** @type {number} */ (cv.zeroAt)) : /** @type {number} */ (cv.zeroAt), cv.color]));
}

function renderLegend(/** @type {Curve[]} */ curves) {
  const max = 200;
  $('legend').innerHTML = curves.slice(0, max).map((cv) => `<li title="${esc(cv.label)}"><span class="swatch" style="background:${esc(cv.color)}${cv.dash ? ';opacity:0.6' : ''}"></span>${esc(cv.label)}${cv.note ? ` <span class="note">(${esc(cv.note)})</span>` : ''}${cv.diverged ? ' <span class="note">(diverged)</span>' : ''}</li>`).join('')
    + (curves.length > max ? `<li class="note">… and ${curves.length - max} more</li>` : '')
    + (curves.length === 0 ? '<li class="note">select runs in the table below</li>' : '');
}

/** Hover: the step under the cursor and the value of the curve nearest to it. */
function showTooltip(/** @type {any} */ u) {
  const tip = $('tooltip');
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined || u.cursor.left < 0) {
    tip.hidden = true;
    return;
  }
  let best = -1;
  let bestDist = Infinity;
  for (let i = 1; i < u.series.length; i++) {
    const v = u.data[i][idx];
    if (typeof v !== 'number' || u.series[i].stroke === 'transparent') continue;
    const d = Math.abs(u.valToPos(v, 'y') - u.cursor.top);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  if (best < 0) {
    tip.hidden = true;
    return;
  }
  const rect = u.over.getBoundingClientRect();
  const { xlog, ylog } = controls();
  const x = u.data[0][idx];
  const y = u.data[best][idx];
  tip.textContent = `step ${fmt(xlog ? Math.round(10 ** x) : x)}\n${u.series[best].label}: ${fmt(ylog ? 10 ** y : y)}`;
  tip.style.left = `${rect.left + u.cursor.left + 14}px`;
  tip.style.top = `${rect.top + u.cursor.top + 14}px`;
  tip.hidden = false;
}

// ---- export ----

function download(/** @type {Blob} */ blob, /** @type {string} */ name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The current plot as vector SVG: the curves, bands and axes with uPlot's ticks, and the legend. */
function plotSvg() {
  const u = state.plot;
  if (!u) return '';
  const dpr = devicePixelRatio || 1;
  const L = u.bbox.left / dpr;
  const T = u.bbox.top / dpr;
  const W = u.bbox.width / dpr;
  const H = u.bbox.height / dpr;
  const legendW = 260;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${u.width + legendW}" height="${u.height}" viewBox="0 0 ${u.width + legendW} ${u.height}" font-family="DejaVu Sans, sans-serif" font-size="11">`, `<rect width="100%" height="100%" fill="#fff"/>`];
  out.push(`<clipPath id="plot"><rect x="${L}" y="${T}" width="${W}" height="${H}"/></clipPath>`);
  const X = (/** @type {number} */ v) => (L + u.valToPos(v, 'x')).toFixed(2);
  const Y = (/** @type {number} */ v) => (T + u.valToPos(v, 'y')).toFixed(2);
  // axes: uPlot's own tick positions and labels
  u.axes.forEach((/** @type {any} */ ax, /** @type {number} */ i) => {
    const splits = ax._splits ?? [];
    const labels = ax._values ?? [];
    splits.forEach((/** @type {number} */ s, /** @type {number} */ j) => {
      if (s === null || s === undefined || labels[j] === '' || labels[j] === null || labels[j] === undefined) return;
      if (i === 0) out.push(`<line x1="${X(s)}" x2="${X(s)}" y1="${T}" y2="${T + H}" stroke="#e6e9ed"/><text x="${X(s)}" y="${T + H + 14}" text-anchor="middle">${esc(labels[j])}</text>`);
      else out.push(`<line x1="${L}" x2="${L + W}" y1="${Y(s)}" y2="${Y(s)}" stroke="#e6e9ed"/><text x="${L - 6}" y="${Number(Y(s)) + 4}" text-anchor="end">${esc(labels[j])}</text>`);
    });
  });
  out.push(`<rect x="${L}" y="${T}" width="${W}" height="${H}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${L + W / 2}" y="${u.height - 4}" text-anchor="middle">step</text>`);
  out.push(`<text transform="translate(12 ${T + H / 2}) rotate(-90)" text-anchor="middle">${esc(controls().series)}</text>`);
  out.push('<g clip-path="url(#plot)" fill="none">');
  const xs = u.data[0];
  for (const b of u.bands ?? []) {
    const [hiI, loI] = b.series;
    const pts = [];
    for (let k = 0; k < xs.length; k++) if (typeof u.data[hiI][k] === 'number') pts.push(`${X(xs[k])},${Y(u.data[hiI][k])}`);
    for (let k = xs.length - 1; k >= 0; k--) if (typeof u.data[loI][k] === 'number') pts.push(`${X(xs[k])},${Y(u.data[loI][k])}`);
    if (pts.length) out.push(`<polygon points="${pts.join(' ')}" fill="${esc(b.fill)}" stroke="none"/>`);
  }
  for (let i = 1; i < u.series.length; i++) {
    const s = u.series[i];
    if (s.stroke === 'transparent' || !s.show) continue;
    let d = '';
    let pen = false;
    for (let k = 0; k < xs.length; k++) {
      const v = u.data[i][k];
      if (v === undefined) continue; // not logged at this step: the line goes on
      if (v === null) {
        pen = false; // a gap (a zero or non-finite value)
        continue;
      }
      d += `${pen ? 'L' : 'M'}${X(xs[k])} ${Y(v)}`;
      pen = true;
    }
    const stroke = typeof s.stroke === 'function' ? s.stroke(u, i) : s.stroke;
    out.push(`<path d="${d}" stroke="${esc(stroke)}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`);
  }
  out.push('</g>');
  if (controls().ylog) for (const [x, color] of zeroMarks(controls().xlog)) out.push(`<path d="M${Number(X(x)) - 5} ${T + H - 9}h10l-5 8z" fill="${esc(color)}"/>`);
  state.curves.slice(0, Math.floor((u.height - 20) / 14)).forEach((cv, j) => {
    const y = 20 + j * 14;
    out.push(`<line x1="${u.width + 8}" x2="${u.width + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${esc(cv.color)}" stroke-width="2"${cv.dash ? ' stroke-dasharray="4 3"' : ''}/><text x="${u.width + 28}" y="${y}">${esc(cv.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function exportPng() {
  const u = state.plot;
  if (!u) return;
  const src = /** @type {HTMLCanvasElement} */ (u.ctx.canvas);
  const canvas = document.createElement('canvas');
  canvas.width = src.width;
  canvas.height = src.height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(src, 0, 0);
  canvas.toBlob((blob) => blob && download(blob, 'descent-plot.png'), 'image/png');
}

// ---- refresh ----

/** Loads the logs of selected runs not read yet, then redraws; records the time the draw took. */
async function selectionChanged() {
  state.timings.drawStartedAt = performance.now();
  const missing = [...state.selected].filter((k) => !state.logs.has(k));
  await loadLogs(missing);
  state.timings.logsFetchMs = performance.now() - state.timings.drawStartedAt;
  refreshSeriesList();
  const built = performance.now();
  draw();
  state.timings.buildMs = performance.now() - built;
  renderTableCounts();
}

function renderTableCounts() {
  const rows = $('runs').querySelectorAll('tbody tr');
  $('shown').textContent = `${rows.length} shown, ${state.selected.size} selected`;
}

function refreshSeriesList() {
  const sel = /** @type {HTMLSelectElement} */ ($('series'));
  const names = seriesNames();
  const current = sel.value || 'loss';
  if (names.join('\n') === [...sel.options].map((o) => o.value).join('\n')) return;
  sel.innerHTML = names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join('');
  sel.value = names.includes(current) ? current : 'loss';
}

/** Every second: the runs table again, and new records of selected runs whose log grew. */
async function poll() {
  try {
    const runs = await fetchRuns();
    const before = JSON.stringify(state.runs);
    state.runs = runs;
    if (JSON.stringify(runs) !== before) renderTable();
    // running runs are read every time (the table may be a second old); others when their log changed
    const grown = runs.filter((r) => state.selected.has(r.key) && state.logs.has(r.key) && (r.status === 'running' || r.logBytes !== state.logs.get(r.key)?.next));
    if (grown.length > 0 && (await loadLogs(grown.map((r) => r.key)))) {
      refreshSeriesList();
      draw();
    }
  } catch {
    /* the server stopped: keep what is shown */
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

function wire() {
  $('runs').addEventListener('click', (e) => {
    const t = /** @type {HTMLElement} */ (e.target);
    const th = t.closest('th');
    if (th && th.dataset['col']) {
      const col = th.dataset['col'];
      state.sort = { col, dir: state.sort.col === col ? -state.sort.dir : 1 };
      renderTable();
      return;
    }
    if (t.id === 'select-all-shown') {
      const on = /** @type {HTMLInputElement} */ (t).checked;
      for (const r of shownRuns()) on ? state.selected.add(r.key) : state.selected.delete(r.key);
      renderTable();
      void selectionChanged();
      return;
    }
    const tr = t.closest('tr[data-key]');
    if (!tr) return;
    const key = /** @type {string} */ (/** @type {HTMLElement} */ (tr).dataset['key']);
    if (state.selected.has(key)) state.selected.delete(key);
    else state.selected.add(key);
    tr.classList.toggle('selected', state.selected.has(key));
    const box = /** @type {HTMLInputElement} */ (tr.querySelector('input'));
    box.checked = state.selected.has(key);
    void selectionChanged();
  });
  $('filter').addEventListener('input', (e) => {
    state.filter = /** @type {HTMLInputElement} */ (e.target).value;
    renderTable();
  });
  $('select-shown').addEventListener('click', () => {
    for (const r of shownRuns()) state.selected.add(r.key);
    renderTable();
    void selectionChanged();
  });
  $('select-none').addEventListener('click', () => {
    state.selected.clear();
    renderTable();
    void selectionChanged();
  });
  for (const id of ['series', 'xscale', 'yscale', 'group', 'fit', 'clip']) $(id).addEventListener('change', draw);
  for (const id of ['fit-from', 'fit-to']) $(id).addEventListener('change', draw);
  $('export-svg').addEventListener('click', () => download(new Blob([plotSvg()], { type: 'image/svg+xml' }), 'descent-plot.svg'));
  $('export-png').addEventListener('click', exportPng);
  let resize = 0;
  addEventListener('resize', () => {
    clearTimeout(resize);
    resize = window.setTimeout(draw, 150);
  });
}

async function start() {
  wire();
  const asked = performance.now();
  state.runs = await fetchRuns();
  state.timings.runsFetchMs = performance.now() - asked;
  renderTable();
  state.timings.tableMs = performance.now(); // since navigation start: the table is on screen
  if (state.runs.length <= AUTO_SELECT) for (const r of state.runs) state.selected.add(r.key);
  await selectionChanged();
  renderTable();
  setTimeout(poll, POLL_MS);
}

/** For the browser tests and the curious: what is drawn, and how long it took. */
Object.assign(window, {
  descentView: {
    timings: state.timings,
    curves: () => state.curves.map((cv) => ({ label: cv.label, points: cv.ys.filter((y) => typeof y === 'number').length, fit: Boolean(cv.fit), key: cv.key })),
    svg: plotSvg,
    /** The drawn ranges, as drawn: log10 of the values on a log axis. */
    scales: () => (state.plot ? { x: [state.plot.scales.x.min, state.plot.scales.x.max], y: [state.plot.scales.y.min, state.plot.scales.y.max] } : null),
    ready: false,
  },
});

start().then(
  () => Object.assign(/** @type {any} */ (window).descentView, { ready: true }),
  (e) => {
    $('notes').textContent = `could not load the runs: ${e.message}`;
  },
);
