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
    if (group.promotions.length) section.append(renderPromotions(group.promotions, 'group-promotions'));
    section.append(el('p', { class: 'cart-summary' }, `${text.subtotal}: `, el('strong', {}, yuan(group.subtotalFen)),
      group.discountFen > 0 ? el('span', { class: 'cart-discount' }, ` ${text.discount}: -${yuan(group.discountFen)} ${text.payable}: `,
        el('strong', {}, yuan(group.payableFen))) : null));
    root.append(section);
  }
  // Every promotion over the cart with what its next reward needs ("再买 ¥12.00 可享减 ¥30.00").
  if (cart.promotions.length) {
    root.append(el('section', { class: 'card cart-promotions', id: 'cart-promotions', 'aria-label': text.promotions },
      el('h2', {}, text.promotions), renderPromotions(cart.promotions, 'cart-promotion-list', true)));
  }
  const next = text.signedIn === 'yes' ? '/checkout' : '/login?next=/checkout';
  // Subtotals count only what can be bought; lines with a problem must be fixed before checkout.
  root.append(el('div', { class: 'cart-summary' },
    el('span', {}, `${text.subtotal}: `, el('strong', { class: 'price' }, yuan(cart.subtotalFen))),
    cart.discountFen > 0 ? el('span', { id: 'cart-discount' }, ` ${text.discount}: -${yuan(cart.discountFen)} ${text.payable}: `,
      el('strong', { class: 'price' }, yuan(cart.payableFen))) : null,
    cart.hasProblems
      ? el('p', { class: 'problem', role: 'status' }, text.fixProblems)
      : el('a', { class: 'btn btn-primary', href: next, id: 'go-checkout' }, text.signedIn === 'yes' ? text.checkout : text.login)));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

/** Each promotion with its share and why; `withHints` adds what the next reward needs. */
function renderPromotions(promotions, className, withHints = false) {
  return el('ul', { class: `promotion-lines ${className}` }, promotions.map((p) => el('li', {},
    el('strong', {}, p.name), p.discountFen > 0 ? ` -${yuan(p.discountFen)}` : '', ' ',
    el('span', { class: 'muted' }, p.explanation),
    withHints && p.hint ? el('span', { class: 'promotion-hint' }, p.hint) : null)));
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
      line.discounts.map((d) => el('p', { class: 'line-discount' }, `${d.name} -${yuan(d.amountFen)}`)),
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
