// The Trazo dashboard: sign-in, who you are, and the view of your role.
// It is built only on the public API (/v1), with the pasted token.

import { setLanguage, t, language } from './i18n.js';
import { token, setToken, clearToken, claims, get, q, ApiError } from './api.js';
import { $, h, fieldErrors } from './dom.js';
import * as ministry from './ministry.js';
import * as inspector from './inspector.js';
import * as employer from './employer.js';

const views = { ministry, inspector, employer };
const state = { claims: null, demo: null, view: null, orgName: '' };

function storedLanguage() {
  const saved = localStorage.getItem('trazo.lang');
  if (saved) return saved;
  return (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'es';
}

async function loadDemo() {
  try {
    const r = await fetch('/ui/demo-tokens.json', { cache: 'no-store', credentials: 'omit' });
    state.demo = r.ok ? await r.json() : null;
  } catch {
    state.demo = null;
  }
}

function drawDemo() {
  const box = $('#demo');
  const list = $('#demo-list');
  list.replaceChildren();
  if (!state.demo || !state.demo.tokens || !state.demo.tokens.length) {
    box.hidden = true;
    return;
  }
  for (const d of state.demo.tokens) {
    list.append(h('li', {}, h('button', { type: 'button', class: 'demo-token', dataset: { role: d.role }, onclick: () => signIn(d.token) }, t('signin.useDemo', { role: t('role.' + d.role) }))));
  }
  box.hidden = false;
}

function drawWho() {
  const c = state.claims;
  const who = $('#who');
  if (!c) {
    who.textContent = '';
    return;
  }
  const org = state.orgName ? `${state.orgName} (${c.org})` : c.org;
  let text = t('who.signedIn', { sub: c.sub, role: t('role.' + c.role), org });
  if (c.exp) text += ' · ' + t('who.expires', { date: new Date(c.exp * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' });
  who.textContent = text;
  who.dataset.role = c.role;
  who.dataset.org = c.org;
}

// signIn keeps a token after the server accepted it (one call that the
// token's role may make), then shows the role's view.
async function signIn(tok) {
  const form = $('#signin-form');
  tok = tok.trim();
  const c = claims(tok);
  if (!c) {
    fieldErrors(form, { token: t('signin.malformed') });
    return;
  }
  setToken(tok);
  try {
    state.orgName = '';
    if (c.role === 'employer') state.orgName = (await get(`/v1/employers/${q(c.org)}`)).legal_name;
    else if (c.role === 'ministry' || c.role === 'inspector') await get('/v1/employers?limit=1');
    else await get('/v1/findings?limit=1').catch((err) => { if (err.status !== 403) throw err; }); // a valid border token is refused 403 here, an invalid one 401
  } catch (err) {
    clearToken();
    fieldErrors(form, { token: t('signin.refused', { message: err instanceof ApiError ? err.message : String(err) }) });
    return;
  }
  fieldErrors(form, {});
  form.reset();
  state.claims = c;
  show();
}

function signOut() {
  clearToken();
  state.claims = null;
  state.view = null;
  show();
}

function show() {
  drawWho();
  const signedIn = state.claims !== null;
  $('#signin').hidden = signedIn;
  $('#signout').hidden = !signedIn;
  const view = $('#view');
  view.hidden = !signedIn;
  if (!signedIn) {
    view.replaceChildren();
    drawDemo();
    return;
  }
  const role = state.claims.role;
  const mod = views[role];
  if (!mod) {
    view.replaceChildren(h('p', { class: 'note', text: t('border.none') }));
    return;
  }
  if (state.view !== role) {
    state.view = role;
    mod.init(view, { claims: state.claims, demo: state.demo, onUnauthorized: signOut });
  } else {
    mod.redraw();
  }
}

async function main() {
  const sel = $('#lang');
  sel.value = setLanguage(storedLanguage());
  sel.addEventListener('change', () => {
    localStorage.setItem('trazo.lang', setLanguage(sel.value));
    show();
  });
  $('#signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    signIn($('#token').value);
  });
  $('#signout').addEventListener('click', signOut);
  await loadDemo();
  const saved = token();
  if (saved && claims(saved)) {
    state.claims = claims(saved);
    if (state.claims.role === 'employer') {
      try { state.orgName = (await get(`/v1/employers/${q(state.claims.org)}`)).legal_name; } catch { signOut(); return; }
    }
  }
  show();
  document.body.dataset.ready = language();
}

main();
