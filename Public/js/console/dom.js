import { t, label } from './i18n.js';

/**
 * Builds an element. Attributes starting with `on` become listeners (the CSP forbids inline
 * handlers), `class`/`text`/`dataset` are shortcuts, and form state goes through properties.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'text') {
      node.textContent = value;
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (['value', 'checked', 'disabled', 'hidden', 'selected', 'multiple', 'required', 'readOnly'].includes(key)) {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

let idCounter = 0;
export function uid(prefix = 'c') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * Marks a table whose rows stack into labelled blocks on a phone (`.stack-on-phone` in the
 * stylesheet) and copies each column's header text onto the cells below it as `data-label`, which
 * the stylesheet shows before the value there. A row's inputs and its key figures then stay in view
 * instead of behind a sideways scroll. Call again after rows are added.
 */
export function stackOnPhone(table) {
  table.classList.add('stack-on-phone');
  const heads = [...(table.tHead?.rows[0]?.cells || [])].map((cell) => cell.textContent.trim());
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      [...row.cells].forEach((cell, i) => { if (heads[i]) cell.dataset.label = heads[i]; });
    }
  }
  return table;
}

/** A status badge; the class lets the stylesheet colour states without inline styles. */
export function badge(group, value) {
  return h('span', { class: ['badge', `badge-${String(value).replace(/[^a-z0-9_-]/gi, '')}`], text: label(group, value) });
}

export function button(text, onClick, { kind = '', type = 'button', ...rest } = {}) {
  return h('button', { type, class: ['btn', kind && `btn-${kind}`], onclick: onClick, ...rest }, text);
}

export function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs }, text);
}

export function pageHeader(title, ...actions) {
  return h('header', { class: 'page-header' }, h('h1', { text: title }), h('div', { class: 'page-actions' }, actions));
}

/** Sub-navigation inside a section; `current` marks the active entry for assistive technology. */
export function subnav(labelText, entries, current) {
  return h('nav', { class: 'subnav', 'aria-label': labelText },
    h('ul', {}, entries.map((e) => h('li', {}, h('a', {
      href: e.href, 'aria-current': e.key === current ? 'page' : null,
    }, e.label, e.count !== undefined ? h('span', { class: 'count', text: String(e.count) }) : null)))));
}

/** A definition list of label/value pairs, skipping empty values. */
export function facts(rows) {
  return h('dl', { class: 'facts' }, rows.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]));
}

/** A message area that screen readers announce. */
export function notice(text, kind = 'info') {
  return h('p', { class: ['notice', `notice-${kind}`], role: kind === 'error' ? 'alert' : 'status', text });
}

export function errorText(error) {
  if (!error) return '';
  if (error.status === 0) return t('error.network');
  if (error.status === 401) return t('error.signedOut');
  if (error.status === 403) return error.detail || t('error.forbidden');
  if (error.status === 404) return error.detail || t('error.notFound');
  return error.detail || error.title || t('error.generic');
}

export function errorNotice(error) {
  return notice(errorText(error), 'error');
}

/**
 * A modal dialog built on <dialog>, which gives focus trapping and Escape for free. Resolves
 * when it closes; `content` receives a `close` function.
 */
export function openDialog(title, content) {
  const titleId = uid('dlg');
  const dialog = h('dialog', { class: 'dialog card', 'aria-labelledby': titleId });
  const close = () => dialog.close();
  dialog.append(
    h('header', { class: 'dialog-header' },
      h('h2', { id: titleId, text: title }),
      h('button', { type: 'button', class: 'btn btn-icon', 'aria-label': t('action.close'), onclick: close }, '×')),
    typeof content === 'function' ? content(close) : content,
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => { dialog.remove(); resolve(dialog.returnValue); });
    dialog.showModal();
    const first = dialog.querySelector('input, select, textarea, button:not(.btn-icon)');
    if (first) first.focus();
  });
}

/** Runs an action button's work with the button disabled so a double click sends one request. */
export async function busy(buttonNode, work) {
  buttonNode.disabled = true;
  buttonNode.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    buttonNode.disabled = false;
    buttonNode.removeAttribute('aria-busy');
  }
}

/** Short toast-like confirmation in the page's live region. */
export function announce(text, kind = 'ok') {
  let region = document.getElementById('console-toast');
  if (!region) {
    region = h('div', { id: 'console-toast', class: 'toast-region', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const item = h('p', { class: ['toast', `toast-${kind}`], text });
  region.append(item);
  setTimeout(() => item.remove(), 5000);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value) {
  return uuidPattern.test(String(value ?? ''));
}

/** The first block of a UUID, enough to tell records apart; any other key shows whole. */
export function shortId(id) {
  if (!id) return '';
  return isUuid(id) ? String(id).slice(0, 8) : String(id);
}

/** Like Element.append, but skips null and false, which sections use for "nothing to show". */
export function add(node, ...children) {
  return append(node, children);
}
