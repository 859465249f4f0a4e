// Employer view: my workers (GET /v1/employers/{id}/workers) with permit
// validity and presence; start and end placements, with the API's
// errors shown next to the field they name.

import { t, errorText } from './i18n.js';
import { get, post, q, ApiError } from './api.js';
import { h, status, fieldErrors, field, today } from './dom.js';

const REASONS = ['completed', 'resigned', 'dismissed', 'abandoned', 'no_show', 'transferred', 'other'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

let root;
let ctx;
const st = { workers: [], next: '', error: '', notice: '', ending: '', start: {} };

export function init(container, context) {
  root = container;
  ctx = context;
  Object.assign(st, { workers: [], next: '', error: '', notice: '', ending: '', start: {} });
  redraw();
  load(false);
}

async function load(more) {
  try {
    const path = `/v1/employers/${q(ctx.claims.org)}/workers?limit=25` + (more && st.next ? '&cursor=' + q(st.next) : '');
    const page = await get(path);
    st.workers = more ? st.workers.concat(page.workers) : page.workers;
    st.next = page.next_cursor || '';
    st.error = '';
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.onUnauthorized();
    st.error = t('common.error', { message: err.message });
  }
  redraw();
}

// apiErrors shows an API refusal next to the field it names, or in the
// form's status line.
function apiErrors(form, err, statusEl) {
  if (err instanceof ApiError && err.status === 401) return ctx.onUnauthorized();
  const name = err.field && form.querySelector(`[name="${CSS.escape(err.field)}"]`) ? err.field : '';
  fieldErrors(form, name ? { [name]: errorText(err) } : {});
  if (name) {
    const msg = form.querySelector(`#${form.querySelector(`[name="${CSS.escape(name)}"]`).id}-error`);
    msg.dataset.code = err.code;
    status(statusEl, '');
  } else {
    status(statusEl, t('common.error', { message: errorText(err) }), 'error');
  }
}

function validateStart(v) {
  const e = {};
  for (const k of ['worker_id', 'start_date', 'expected_end_date', 'occupation', 'sector', 'region']) if (!v[k]) e[k] = t('v.required');
  if (v.start_date && !DATE.test(v.start_date)) e.start_date = t('v.date');
  if (v.expected_end_date && !DATE.test(v.expected_end_date)) e.expected_end_date = t('v.date');
  if (!e.start_date && !e.expected_end_date && v.expected_end_date < v.start_date) e.expected_end_date = t('v.endBeforeStart');
  if (v.occupation && !/^\d{4}$/.test(v.occupation)) e.occupation = t('v.occupation');
  if (v.sector && !/^([A-U]|\d{4})$/.test(v.sector)) e.sector = t('v.sector');
  if (v.region && !/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(v.region)) e.region = t('v.region');
  return e;
}

function startForm() {
  const s = st.start;
  const msg = h('p', { class: 'status', role: 'status', id: 'start-status' });
  const form = h('form', { id: 'start-form', class: 'grid-form', novalidate: true },
    field('s-worker', 'worker_id', t('f.worker_id'), { value: s.worker_id || '', list: 'my-workers', autocomplete: 'off', spellcheck: 'false', required: true }),
    field('s-start', 'start_date', t('f.start_date'), { type: 'date', value: s.start_date || today(), required: true }),
    field('s-end', 'expected_end_date', t('f.expected_end_date'), { type: 'date', value: s.expected_end_date || '', required: true }),
    field('s-occupation', 'occupation', t('f.occupation'), { value: s.occupation || '9211', inputmode: 'numeric', required: true }),
    field('s-sector', 'sector', t('f.sector'), { value: s.sector || 'A', required: true }),
    field('s-region', 'region', t('f.region'), { value: s.region || '', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('employer.startSubmit') })),
    msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
    st.start = v;
    if (!fieldErrors(form, validateStart(v))) return;
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true; // one placement per click
    try {
      const r = await post('/v1/placements', v);
      st.notice = t('employer.started', { id: r.placement_id, index: r.index });
      st.start = {};
      await load(false);
    } catch (err) {
      btn.disabled = false;
      apiErrors(form, err, msg);
    }
  });
  return form;
}

function endForm(p) {
  const id = p.placement_id;
  const msg = h('p', { class: 'status', role: 'status' });
  const form = h('form', { class: 'end-form', novalidate: true, dataset: { placement: id } },
    field(`e-date-${id}`, 'end_date', t('f.end_date'), { type: 'date', value: today(), required: true }),
    field(`e-reason-${id}`, 'reason', t('f.reason'), {}, 'select', REASONS.map((r) => [r, t('reason.' + r)])),
    h('button', { type: 'submit', text: t('employer.endSubmit') }),
    msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
    const errs = {};
    if (!DATE.test(v.end_date)) errs.end_date = t('v.date');
    if (!fieldErrors(form, errs)) return;
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      const r = await post(`/v1/placements/${q(id)}/end`, v);
      st.notice = t('employer.ended', { index: r.index });
      st.ending = '';
      await load(false);
    } catch (err) {
      btn.disabled = false;
      apiErrors(form, err, msg);
    }
  });
  return form;
}

function permits(list) {
  if (!list.length) return t('common.none');
  return h('ul', { class: 'plain' }, list.map((p) => h('li', { class: p.valid_today ? 'valid' : 'invalid' },
    `${p.type} ${p.valid_from} – ${p.valid_to} · `,
    h('strong', { text: p.revoked ? t('employer.revoked') : p.valid_today ? '✔ ' + t('employer.validToday') : '✘ ' + t('employer.notValid') }))));
}

function placements(list) {
  if (!list.length) return t('common.none');
  return h('ul', { class: 'plain' }, list.map((p) => h('li', {},
    `${p.placement_id} · ${p.start_date} → ${p.expected_end_date} · ${p.occupation} ${p.sector} ${p.region} `,
    st.ending === p.placement_id ? endForm(p)
      : h('button', { type: 'button', class: 'secondary', dataset: { end: p.placement_id }, onclick: () => { st.ending = p.placement_id; redraw(); }, text: t('employer.end') }))));
}

function presence(s) {
  if (!s.since) return t('employer.never');
  return s.present ? '✔ ' + t('employer.presentSince', { date: s.since }) : t('employer.absentSince', { date: s.since });
}

export function redraw() {
  const msg = h('p', { class: 'status', role: 'status', id: 'employer-status' });
  if (st.error) status(msg, st.error, 'error');
  else if (st.notice) status(msg, st.notice, 'ok');
  const table = st.workers.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'my-workers-table' },
      h('caption', { text: t('employer.title') }),
      h('thead', {}, h('tr', {}, [t('employer.worker'), t('employer.present'), t('employer.permits'), t('employer.placements')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, st.workers.map((w) => h('tr', { dataset: { worker: w.worker_id } },
        h('th', { scope: 'row' }, h('code', { text: w.worker_id }), h('br'), `${w.nationality} · ${w.sex} · ${w.birth_year}`),
        h('td', { text: presence(w.status) }),
        h('td', {}, permits(w.status.permits)),
        h('td', {}, placements(w.status.active_placements)))))))
    : h('p', { text: t('employer.none') });
  const parts = [
    h('h2', { text: t('employer.start') }), startForm(),
    h('h2', { text: t('employer.title') }), msg, table,
    st.next ? h('button', { type: 'button', class: 'secondary', onclick: () => load(true), text: t('employer.more') }) : null,
    h('datalist', { id: 'my-workers' }, st.workers.map((w) => h('option', { value: w.worker_id })))];
  root.replaceChildren(...parts.filter((p) => p !== null));
}
