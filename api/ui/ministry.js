// Ministry view: circular-mobility reports (GET /v1/reports/circular) as
// charts, each with the table behind it and the server's CSV.

import { t } from './i18n.js';
import { get, call, q, ApiError } from './api.js';
import { h, status, today } from './dom.js';

const RETURNS = ['circular_returns', 'returning_workers', 'same_employer_returns', 'overstays'];
const PANELS = [
  { dim: 'month', type: 'line', metrics: ['entries', 'exits', 'workers'], title: () => t('ministry.monthly') },
  { dim: 'nationality', type: 'bar', metrics: RETURNS, title: () => t('ministry.returnsBy', { dim: t('dim.nationality') }) },
  { dim: 'sex', type: 'bar', metrics: RETURNS, title: () => t('ministry.returnsBy', { dim: t('dim.sex') }) },
  { dim: 'age_band', type: 'bar', metrics: RETURNS, title: () => t('ministry.returnsBy', { dim: t('dim.age_band') }) },
  { dim: 'sector', type: 'bar', metrics: ['workers', 'placements_started'], title: () => t('ministry.sectorRegion', { dim: t('dim.sector') }) },
  { dim: 'region', type: 'bar', metrics: ['workers', 'placements_started'], title: () => t('ministry.sectorRegion', { dim: t('dim.region') }) },
];
const COLORS = ['#1f6f8b', '#d1495b', '#edae49', '#66a182', '#7b5ea7'];

let root;
let ctx;
const st = { from: '', to: '', minCell: 5, reports: null, error: '', charts: [] };

export function init(container, context) {
  root = container;
  ctx = context;
  st.to = today();
  st.from = (ctx.demo && ctx.demo.from) || `${Number(st.to.slice(0, 4)) - 2}-01-01`;
  st.reports = null;
  redraw();
  load();
}

function query(dim, format = 'json') {
  return `/v1/reports/circular?from=${q(st.from)}&to=${q(st.to)}&group_by=${q(dim)}&min_cell=${q(st.minCell)}&format=${format}`;
}

async function load() {
  st.error = '';
  st.reports = null;
  redraw(t('common.loading'));
  try {
    const all = await Promise.all(PANELS.map((p) => get(query(p.dim))));
    st.reports = Object.fromEntries(PANELS.map((p, i) => [p.dim, all[i]]));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.onUnauthorized();
    st.error = t('common.error', { message: err.message });
  }
  redraw();
}

function controls() {
  const form = h('form', { class: 'controls', novalidate: true, onsubmit: (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    st.from = fd.get('from');
    st.to = fd.get('to');
    st.minCell = Number(fd.get('min_cell')) || 1;
    load();
  } },
  h('div', { class: 'field' }, h('label', { for: 'm-from', text: t('common.from') }), h('input', { id: 'm-from', name: 'from', type: 'date', value: st.from, required: true })),
  h('div', { class: 'field' }, h('label', { for: 'm-to', text: t('common.to') }), h('input', { id: 'm-to', name: 'to', type: 'date', value: st.to, required: true })),
  h('div', { class: 'field' }, h('label', { for: 'm-min', text: t('ministry.minCell') }), h('input', { id: 'm-min', name: 'min_cell', type: 'number', min: '1', value: String(st.minCell) })),
  h('button', { type: 'submit', text: t('common.load') }));
  return form;
}

function cell(v) {
  if (v === null || v === undefined) return h('td', { class: 'suppressed', title: t('ministry.suppressedNote', { n: st.minCell }) }, '*');
  return h('td', { class: 'num' }, String(v));
}

function label(p, row) {
  const v = row[p.dim];
  return p.metrics.some((m) => row[m] === null) ? `${v} *` : String(v);
}

async function downloadCSV(p, btn) {
  btn.disabled = true;
  try {
    const text = await call('GET', query(p.dim, 'csv'), { text: true });
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const a = h('a', { href: url, download: `trazo-circular-${p.dim}-${st.from}-${st.to}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (err) {
    btn.after(h('span', { class: 'status error', role: 'alert', text: t('common.error', { message: err.message }) }));
  } finally {
    btn.disabled = false;
  }
}

function panel(p, rep) {
  const rows = rep.rows || [];
  const title = p.title();
  const canvas = h('canvas', { role: 'img', 'aria-label': title, id: `chart-${p.dim}` });
  const table = h('table', { class: 'data', id: `table-${p.dim}` },
    h('caption', { text: title }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('dim.' + p.dim) }), p.metrics.map((m) => h('th', { scope: 'col', text: t('m.' + m) })))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('th', { scope: 'row', text: String(r[p.dim]) }), p.metrics.map((m) => cell(r[m]))))));
  const suppressed = rows.some((r) => p.metrics.some((m) => r[m] === null));
  const btn = h('button', { type: 'button', class: 'secondary', text: t('common.csv') });
  btn.addEventListener('click', () => downloadCSV(p, btn));
  const fig = h('figure', { class: 'panel', id: `panel-${p.dim}`, dataset: { rows: String(rows.length) } },
    h('h3', { text: title }),
    h('div', { class: 'chart' }, canvas),
    suppressed ? h('p', { class: 'note suppressed-note', text: t('ministry.suppressedNote', { n: st.minCell }) }) : '',
    h('details', {}, h('summary', { text: t('common.table') }), h('div', { class: 'table-wrap' }, table)),
    btn);
  const make = () => st.charts.push(new window.Chart(canvas, {
    type: p.type,
    data: {
      labels: rows.map((r) => label(p, r)),
      datasets: p.metrics.map((m, j) => ({ label: t('m.' + m), data: rows.map((r) => r[m]), borderColor: COLORS[j], backgroundColor: COLORS[j], spanGaps: false, tension: 0.2 })),
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } }, scales: { y: { beginAtZero: true } } },
  }));
  return { fig, make };
}

function totals(rep) {
  const tot = rep.totals || {};
  const keys = ['workers', 'entries', 'exits', 'circular_returns', 'returning_workers', 'same_employer_returns', 'overstays', 'mean_stay_days'];
  // Each label and its value in one group, so that the grid never puts a
  // value on the next row from its label.
  return h('dl', { class: 'totals', 'aria-label': t('ministry.totals') }, keys.map((k) => h('div', { class: 'total' }, h('dt', { text: t('m.' + k) }), h('dd', { text: tot[k] === null || tot[k] === undefined ? '*' : String(tot[k]) }))));
}

export function redraw(message = '') {
  for (const c of st.charts) c.destroy();
  st.charts = [];
  const msg = h('p', { class: 'status', role: 'status' });
  if (message) status(msg, message);
  if (st.error) status(msg, st.error, 'error');
  const parts = [h('h2', { text: t('ministry.title') }), controls(), msg];
  if (st.reports) {
    parts.push(h('h3', { text: t('ministry.totals') }), totals(st.reports.month));
    const grid = h('div', { class: 'panels' });
    parts.push(grid);
    root.replaceChildren(...parts);
    for (const p of PANELS) {
      const { fig, make } = panel(p, st.reports[p.dim]);
      grid.append(fig);
      make();
    }
    root.dataset.loaded = 'true';
    return;
  }
  root.dataset.loaded = 'false';
  root.replaceChildren(...parts);
}
