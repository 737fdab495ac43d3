// Cart page: lines per merchant from GET /api/v1/cart, quantity changes and removal. The page
// is drawn again after every change, so a line's quantity error is kept here and drawn with it.
import { api, el, yuan, refreshCartBadge, problemLabel, problemText } from './mall.js';

const root = document.getElementById('cart');
const text = root.dataset;
const MAX_QUANTITY = 99;
/** skuId → the message for the last quantity change that failed on that line. */
const lineErrors = new Map();
let lastCart = null;

function render(cart) {
  lastCart = cart;
  // Drawing replaces the controls; keep keyboard focus where it was.
  const focusedId = root.contains(document.activeElement) ? document.activeElement.id : null;
  root.replaceChildren();
  if (!cart.groups.length) {
    root.append(el('p', { class: 'empty' }, text.empty));
    return;
  }
  for (const group of cart.groups) {
    const section = el('section', { class: 'card', 'aria-label': group.merchantName }, el('h2', {}, group.merchantName));
    for (const line of group.lines) section.append(renderLine(line));
    section.append(el('p', { class: 'cart-summary' }, `${text.subtotal}: `, el('strong', {}, yuan(group.subtotalFen))));
    root.append(section);
  }
  const next = text.signedIn === 'yes' ? '/checkout' : '/login?next=/checkout';
  // Subtotals count only what can be bought; lines with a problem must be fixed before checkout.
  root.append(el('div', { class: 'cart-summary' },
    el('span', {}, `${text.subtotal}: `, el('strong', { class: 'price' }, yuan(cart.subtotalFen))),
    cart.hasProblems
      ? el('p', { class: 'problem', role: 'status' }, text.fixProblems)
      : el('a', { class: 'btn btn-primary', href: next, id: 'go-checkout' }, text.signedIn === 'yes' ? text.checkout : text.login)));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function renderLine(line) {
  const quantityId = `qty-${line.skuId}`;
  const errorId = `qty-error-${line.skuId}`;
  const error = lineErrors.get(line.skuId);
  const quantity = el('input', {
    id: quantityId, type: 'number', min: '1', max: String(MAX_QUANTITY), step: '1', value: line.quantity, inputmode: 'numeric',
    'aria-invalid': error ? 'true' : null, 'aria-describedby': error ? errorId : null,
  });
  quantity.addEventListener('change', () => changeQuantity(line, quantity.value));
  return el('div', { class: 'cart-line' },
    line.image ? el('img', { src: line.image, alt: '', width: 64, height: 64, loading: 'lazy' }) : el('span', { class: 'img-placeholder' }),
    el('div', {},
      el('a', { href: `/product/${line.productId}` }, line.title), ' ',
      el('span', { class: 'muted' }, line.specTitle),
      el('div', { class: 'price' }, yuan(line.unitPriceFen)),
      line.problems.map((problem) => el('p', { class: 'problem' }, `${text.problemPrefix} ${problemLabel(problem, line, text)}`))),
    el('div', { class: 'line-controls' },
      el('label', { for: quantityId }, text.quantity), quantity,
      el('button', { type: 'button', class: 'btn', id: `remove-${line.skuId}`, onclick: () => change(line, () => api('DELETE', `/cart/lines/${line.skuId}`)) }, text.remove),
      error ? el('p', { class: 'problem quantity-error', id: errorId, role: 'alert' }, error) : null));
}

function changeQuantity(line, raw) {
  const wanted = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(wanted) || wanted < 1 || wanted > MAX_QUANTITY) {
    // Not sent: the line keeps its quantity and says what is allowed.
    lineErrors.set(line.skuId, text.range);
    // After the blur that fired "change" has moved focus on, so render() can keep it there.
    setTimeout(() => render(lastCart));
    return;
  }
  change(line, () => api('PUT', `/cart/lines/${line.skuId}`, { quantity: wanted }));
}

async function change(line, action) {
  try {
    await action();
    lineErrors.delete(line.skuId);
  } catch (problem) {
    lineErrors.set(line.skuId, problemText(problem, text.failed));
  }
  await load();
  refreshCartBadge();
}

async function load() {
  try {
    render(await api('GET', '/cart'));
  } catch (problem) {
    root.replaceChildren(el('p', { class: 'form-errors', role: 'alert' }, problemText(problem, text.failed)));
  }
}

document.getElementById('cart-status').textContent = text.loading;
load();
