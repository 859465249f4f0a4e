// Small DOM functions: h builds an element; no HTML strings are ever parsed.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// status sets a live region's text (and its kind: "error", "ok", "").
export function status(el, text, kind = '') {
  el.textContent = text;
  el.className = 'status' + (kind ? ' ' + kind : '');
}

// fieldErrors shows messages next to a form's fields: errors maps a
// field name to a message; the field gets aria-invalid and is described
// by its message. It focuses the first field in error.
export function fieldErrors(form, errors) {
  let first = null;
  for (const el of form.querySelectorAll('[name]')) {
    const msg = form.querySelector(`#${el.id}-error`);
    const text = errors[el.name] || '';
    if (msg) msg.textContent = text;
    if (text) {
      el.setAttribute('aria-invalid', 'true');
      first ??= el;
    } else {
      el.removeAttribute('aria-invalid');
    }
  }
  if (first) first.focus();
  return first === null;
}

// field builds a labelled input with its error slot.
export function field(id, name, label, attrs = {}, tag = 'input', options = []) {
  const input = tag === 'select'
    ? h('select', { id, name, 'aria-describedby': `${id}-error`, ...attrs }, options.map(([v, l]) => h('option', { value: v, text: l })))
    : h(tag, { id, name, 'aria-describedby': `${id}-error`, ...attrs });
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input, h('p', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' }));
}

export function today() { return new Date().toISOString().slice(0, 10); }
