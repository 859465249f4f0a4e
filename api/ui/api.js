// The dashboard's only way to the server: same-origin calls to /v1 with
// the signed-in bearer token.

const TOKEN_KEY = 'trazo.token';

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
export function setToken(tok) { sessionStorage.setItem(TOKEN_KEY, tok); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

// ApiError is a refusal of the API: its status and the body's code,
// message and field.
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
  }
}

// call sends a request to the API and returns the JSON answer (or the
// text, with {text: true}); it throws an ApiError on a refusal.
export async function call(method, path, { body, text = false, auth = true } = {}) {
  const headers = {};
  if (auth) headers.Authorization = 'Bearer ' + token();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  if (!resp.ok) {
    let b = null;
    try { b = await resp.json(); } catch { /* not JSON */ }
    throw new ApiError(resp.status, b);
  }
  return text ? resp.text() : resp.json();
}

export const get = (path, opts) => call('GET', path, opts);
export const post = (path, body) => call('POST', path, { body });

// claims decodes a JWT's payload for display only (the server checks the
// token); it returns null for anything that is not a JWT.
export function claims(tok) {
  const parts = tok.split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64 + '==='.slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0)));
    const c = JSON.parse(json);
    return c && typeof c.role === 'string' ? c : null;
  } catch {
    return null;
  }
}

export const q = encodeURIComponent;
