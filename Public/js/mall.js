// Shared by the storefront pages: API calls with the session cookie and CSRF token, the guest
// cart token, and the cart badge in the header.
const signedIn = document.body.dataset.member === '1';

// Lets the shop tell one guest's product views from another's (看了又看) without an account.
if (!document.cookie.split('; ').some((pair) => pair.startsWith('mall_visitor='))) {
  const id = crypto.getRandomValues(new Uint8Array(16)).reduce((text, byte) => text + byte.toString(16).padStart(2, '0'), '');
  document.cookie = `mall_visitor=${id}; path=/; max-age=31536000; SameSite=Lax`;
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? '';
}

export function cartToken() {
  return signedIn ? null : localStorage.getItem('cartToken');
}

/** Calls /api/v1; resolves with the parsed body, rejects with the problem details. */
export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrfToken();
  const token = cartToken();
  if (token && path.startsWith('/cart')) init.headers['X-Cart-Token'] = token;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch('/api/v1' + path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = data ?? { title: response.statusText, status: response.status };
    problem.status = response.status;
    throw problem;
  }
  if (data && typeof data.guestToken === 'string' && !signedIn) localStorage.setItem('cartToken', data.guestToken);
  return data;
}

/** A fresh Idempotency-Key: one per click, kept for a retry of the same click. */
export function requestKey(prefix) {
  if (crypto.randomUUID) return `${prefix}-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Ticks every `[data-countdown]` (a time in epoch milliseconds) under `root` as hh:mm:ss each
 * second, and reloads the page when one reaches zero, so the server shows what changed then.
 */
export function startCountdowns(root) {
  const tick = () => {
    const now = Date.now();
    let due = false;
    root.querySelectorAll('[data-countdown]').forEach((node) => {
      const left = Math.max(0, Math.floor((Number(node.dataset.countdown) - now) / 1000));
      node.textContent = [Math.floor(left / 3600), Math.floor((left % 3600) / 60), left % 60]
        .map((n) => String(n).padStart(2, '0')).join(':');
      if (left === 0) due = true;
    });
    if (due) window.location.reload();
  };
  tick();
  setInterval(tick, 1000);
}

export function yuan(fen) {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Element helper: el('p', {class: 'x'}, 'text', child) — text is always set as text, never HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows a problem's field errors next to the inputs named after the fields, and a summary. */
/**
 * The page's words for a cart line problem code, from the `data-problem-*` attributes the page
 * carries (`short_of_stock` → `data-problem-short-of-stock`); `{n}` is the units available.
 */
export function problemLabel(code, line, dataset) {
  const key = `problem${code.split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('')}`;
  return (dataset[key] || code).replace('{n}', String(line.available));
}

/** One line for a refused request: its field messages, else its detail, else `fallback`. */
export function problemText(problem, fallback = '') {
  return problem.errors?.map((e) => e.message).join(' ') || problem.detail || problem.title || fallback;
}

export function showProblem(form, problem, summary) {
  form.querySelectorAll('.field-error[data-generated]').forEach((node) => node.remove());
  form.querySelectorAll('[aria-invalid]').forEach((node) => {
    node.removeAttribute('aria-invalid');
    // Back to the description the input had before its error (a hint, or none).
    if (node.dataset.describedBy) node.setAttribute('aria-describedby', node.dataset.describedBy);
    else node.removeAttribute('aria-describedby');
  });
  const lines = [];
  for (const error of problem.errors ?? []) {
    const input = form.querySelector(`[name="${CSS.escape(error.field)}"]`);
    if (input) {
      const id = `${input.id || error.field}-error`;
      if (!input.hasAttribute('aria-invalid')) input.dataset.describedBy = input.getAttribute('aria-describedby') ?? '';
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [input.dataset.describedBy, id].filter(Boolean).join(' '));
      input.closest('.field')?.append(el('p', { class: 'field-error', id, 'data-generated': true }, error.message));
    } else {
      lines.push(`${error.field}: ${error.message}`);
    }
  }
  if (summary) summary.textContent = [problem.detail ?? problem.title, ...lines].filter(Boolean).join(' ');
}

/** Turns on the controls a page renders disabled because they only work through its script. */
export function enableScriptControls(root = document) {
  root.querySelectorAll('[data-needs-script]').forEach((control) => { control.disabled = false; });
}

/** Whether this visitor has a cart to read: a member, or a guest who has added something. */
export function hasCart() {
  return signedIn || Boolean(cartToken());
}

export async function refreshCartBadge() {
  const badge = document.getElementById('cart-count');
  if (!badge || !hasCart()) return;
  try {
    const cart = await api('GET', '/cart');
    badge.textContent = cart.itemCount;
    badge.hidden = cart.itemCount === 0;
  } catch { /* the badge is a convenience */ }
}

/** The unread count beside "messages" in the header (members only). */
export async function refreshInboxBadge() {
  const badge = document.getElementById('inbox-count');
  if (!badge || !signedIn) return;
  try {
    const inbox = await api('GET', '/me/notifications?per=1');
    badge.textContent = inbox.unreadCount;
    badge.hidden = inbox.unreadCount === 0;
  } catch { /* the badge is a convenience */ }
}

// Sign-in and sign-up forms carry the guest cart so it is merged into the member's.
for (const input of document.querySelectorAll('input[data-cart-token]')) {
  input.value = localStorage.getItem('cartToken') ?? '';
}
if (signedIn) localStorage.removeItem('cartToken');
refreshCartBadge();
refreshInboxBadge();
