// Inspector view: a worker's history as a timeline, every entry checked in
// the browser against the signed checkpoint, and the worker's findings.

import { t, errorText } from './i18n.js';
import { get, q, ApiError } from './api.js';
import { h, status, fieldErrors, field } from './dom.js';
import { b64decode, b64encode, parseVerifierKey, parseCheckpoint, verifyCheckpoint, verifyInclusion } from './verify.js';

let root;
let ctx;
const st = { worker: '', purpose: '', result: null, error: '', busy: false };

export function init(container, context) {
  root = container;
  ctx = context;
  Object.assign(st, { worker: '', purpose: '', result: null, error: '', busy: false });
  redraw();
}

async function findingsOf(worker) {
  const out = [];
  let cursor = '';
  for (let page = 0; page < 10; page++) {
    const r = await get('/v1/findings?limit=1000' + (cursor ? '&cursor=' + q(cursor) : ''));
    out.push(...r.findings.filter((f) => f.worker_id === worker));
    if (!r.next_cursor) break;
    cursor = r.next_cursor;
  }
  return out;
}

// check verifies the checkpoint's signature, then each entry's leaf and
// inclusion proof against the checkpoint's root.
async function check(history, vkey) {
  const res = { size: history.size, root: '', sig: 'bad', sigError: '', key: vkey.trim(), entries: [] };
  let cp = null;
  try {
    const key = await parseVerifierKey(vkey);
    cp = parseCheckpoint(history.checkpoint);
    res.root = b64encode(cp.root);
    if (cp.size !== BigInt(history.size)) throw new Error('checkpoint size differs from the history\'s');
    res.sig = await verifyCheckpoint(cp, key);
  } catch (err) {
    res.sig = 'bad';
    res.sigError = err.message;
  }
  for (const e of history.entries) {
    const leaf = b64decode(e.leaf);
    let parsed = null;
    try { parsed = JSON.parse(new TextDecoder().decode(leaf)); } catch { /* shown as failed */ }
    let ok = res.sig !== 'bad' && parsed !== null && parsed.index === e.index;
    if (ok) ok = await verifyInclusion(leaf, e.index, cp.size, (e.proof || []).map(b64decode), cp.root);
    res.entries.push({ index: e.index, ok, entry: parsed || e });
  }
  return res;
}

async function read(form) {
  const fd = new FormData(form);
  st.worker = String(fd.get('worker') || '').trim();
  st.purpose = String(fd.get('purpose') || '').trim();
  const errs = {};
  if (!st.worker) errs.worker = t('inspector.required');
  if (!st.purpose) errs.purpose = t('inspector.required');
  if (!fieldErrors(form, errs)) return;
  st.busy = true;
  st.error = '';
  st.result = null;
  redraw(t('common.loading'));
  try {
    const [vkey, history] = await Promise.all([
      get('/v1/log/key', { text: true, auth: false }),
      get(`/v1/workers/${q(st.worker)}/history?purpose=${q(st.purpose)}&proofs=true`),
    ]);
    const result = await check(history, vkey);
    result.findings = await findingsOf(st.worker);
    st.result = result;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.onUnauthorized();
    st.error = t('common.error', { message: errorText(err) });
  } finally {
    st.busy = false;
  }
  redraw();
  const summary = root.querySelector('#verify-summary');
  if (summary) summary.focus();
}

function dateOf(e) {
  const d = e.data || {};
  return d.occurred_at || d.start_date || d.end_date || d.valid_from || e.recorded_at || '';
}

function details(data) {
  const items = [];
  for (const [k, v] of Object.entries(data || {})) {
    items.push(h('dt', { text: k }), h('dd', { text: v !== null && typeof v === 'object' ? Object.entries(v).map(([a, b]) => `${a}: ${b}`).join(', ') : String(v) }));
  }
  return items.length ? h('dl', { class: 'kv' }, items) : null;
}

function timeline(res) {
  return h('ol', { class: 'timeline', id: 'timeline' }, res.entries.map(({ index, ok, entry }) => {
    const actor = entry.actor ? t('inspector.by', { role: t('role.' + entry.actor.role), org: entry.actor.org }) : '';
    return h('li', { class: 'entry ' + (ok ? 'ok' : 'bad'), dataset: { index: String(index), verified: String(ok) } },
      h('div', { class: 'entry-head' },
        h('span', { class: 'badge ' + (ok ? 'ok' : 'bad'), title: ok ? t('inspector.verifiedTitle') : t('inspector.failedTitle') },
          (ok ? '✔ ' : '✘ ') + (ok ? t('inspector.verified') : t('inspector.failed'))),
        h('strong', { text: t('type.' + entry.type) }),
        h('time', { text: String(dateOf(entry)).slice(0, 10) })),
      h('p', { class: 'meta', text: `${t('inspector.entry', { index })} · ${actor}` }),
      details(entry.data));
  }));
}

function findings(list) {
  if (!list.length) return h('p', { id: 'findings', text: t('inspector.noFindings') });
  return h('ul', { id: 'findings', class: 'findings' }, list.map((f) =>
    h('li', {}, h('strong', { text: t('finding.' + f.type) }), ` · ${f.date} · ${t('inspector.entries', { list: (f.entries || []).join(', ') })}`)));
}

export function redraw(message = '') {
  const examples = (ctx.demo && ctx.demo.workers) || {};
  const form = h('form', { class: 'controls', id: 'history-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); read(form); } },
    field('i-worker', 'worker', t('inspector.worker'), { value: st.worker, required: true, list: 'i-examples', autocomplete: 'off', spellcheck: 'false' }),
    field('i-purpose', 'purpose', t('inspector.purpose'), { value: st.purpose, required: true, maxlength: '200' }),
    h('button', { type: 'submit', disabled: st.busy, text: t('inspector.read') }));
  const list = h('datalist', { id: 'i-examples' }, Object.entries(examples).map(([story, id]) => h('option', { value: id, label: story })));
  const msg = h('p', { class: 'status', role: 'status' });
  if (message) status(msg, message);
  if (st.error) status(msg, st.error, 'error');
  const parts = [h('h2', { text: t('inspector.title') }), h('p', { class: 'note', text: t('inspector.purposeHelp') }), form, list, msg];
  const res = st.result;
  if (res) {
    const ok = res.entries.filter((e) => e.ok).length;
    const sigText = res.sig === 'browser' ? t('inspector.sigOk', { key: res.key })
      : res.sig === 'server' ? t('inspector.sigServer') : `${t('inspector.sigBad')} ${res.sigError}`;
    parts.push(
      h('div', { class: 'verify ' + (ok === res.entries.length && res.sig !== 'bad' ? 'ok' : 'bad'), id: 'verify-summary', tabindex: '-1', dataset: { ok: String(ok), total: String(res.entries.length), sig: res.sig } },
        h('p', { text: t('inspector.summary', { ok, n: res.entries.length }) }),
        h('p', { class: 'meta', text: t('inspector.checkpoint', { size: res.size, root: res.root }) }),
        h('p', { class: 'meta', id: 'sig-status', text: sigText })),
      timeline(res),
      h('h3', { text: t('inspector.findings') }),
      findings(res.findings));
  }
  root.replaceChildren(...parts);
}
