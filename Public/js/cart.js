// Cart page: lines per merchant from GET /api/v1/cart, quantity changes and removal.
import { api, el, yuan, refreshCartBadge } from './mall.js';

const root = document.getElementById('cart');
const text = root.dataset;

function render(cart) {
  root.replaceChildren();
  if (!cart.groups.length) {
    root.append(el('p', { class: 'empty' }, text.empty));
    return;
  }
  for (const group of cart.groups) {
    const section = el('section', { class: 'card', 'aria-label': group.merchantName }, el('h2', {}, group.merchantName));
    for (const line of group.lines) {
      const quantityId = `qty-${line.skuId}`;
      const quantity = el('input', { id: quantityId, type: 'number', min: '1', max: '99', value: line.quantity, inputmode: 'numeric' });
      quantity.addEventListener('change', () => change(() => api('PUT', `/cart/lines/${line.skuId}`, { quantity: Number(quantity.value) })));
      section.append(el('div', { class: 'cart-line' },
        line.image ? el('img', { src: line.image, alt: '', width: 64, height: 64, loading: 'lazy' }) : el('span', { class: 'img-placeholder' }),
        el('div', {},
          el('a', { href: `/product/${line.productId}` }, line.title), ' ',
          el('span', { class: 'muted' }, line.specTitle),
          el('div', { class: 'price' }, yuan(line.unitPriceFen)),
          line.problems.map((problem) => el('p', { class: 'problem' }, `${text.problemPrefix} ${problem.replaceAll('_', ' ')}`))),
        el('div', { class: 'line-controls' },
          el('label', { for: quantityId }, text.quantity), quantity,
          el('button', { type: 'button', class: 'btn', onclick: () => change(() => api('DELETE', `/cart/lines/${line.skuId}`)) }, text.remove))));
    }
    section.append(el('p', { class: 'cart-summary' }, `${text.subtotal}: `, el('strong', {}, yuan(group.subtotalFen))));
    root.append(section);
  }
  const next = text.signedIn === 'yes' ? '/checkout' : '/login?next=/checkout';
  root.append(el('div', { class: 'cart-summary' },
    el('span', {}, `${text.subtotal}: `, el('strong', { class: 'price' }, yuan(cart.subtotalFen))),
    el('a', { class: 'btn btn-primary', href: next, id: 'go-checkout' }, text.signedIn === 'yes' ? text.checkout : text.login)));
}

async function change(action) {
  try {
    await action();
  } catch (problem) {
    alertProblem(problem);
  }
  await load();
  refreshCartBadge();
}

function alertProblem(problem) {
  const note = el('p', { class: 'form-errors', role: 'alert' }, problem.errors?.map((e) => `${e.field}: ${e.message}`).join(' ') || problem.detail || problem.title);
  root.prepend(note);
}

async function load() {
  try {
    render(await api('GET', '/cart'));
  } catch (problem) {
    root.replaceChildren();
    alertProblem(problem);
  }
}

load();
