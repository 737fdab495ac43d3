// Checkout: per merchant choose delivery (address) or pickup (store), see the lines priced,
// place the order once (an idempotency key survives retries of this page view), then pay.
import { api, el, yuan, showProblem, refreshCartBadge, problemLabel, problemText } from './mall.js';
import { offerProviders } from './payment.js';
import { couponValue, couponCondition } from './coupon-words.js';

const form = document.getElementById('checkout');
const text = form.dataset;
const groupsRoot = document.getElementById('checkout-groups');
const errors = document.getElementById('checkout-errors');
const result = document.getElementById('checkout-result');
const placeButton = document.getElementById('place-order');
const storeOptions = [...document.getElementById('pickup-stores').content.querySelectorAll('option')];
let addresses = [];

const addressLine = (a) => `${a.contactName} ${a.phone} ${a.province === a.city ? '' : a.province}${a.city}${a.district}${a.detail}`;

/** A select whose options hold short names (a phone cuts a long one off) and, below it, the
 * chosen option's full text, which wraps. */
function selectField(id, label, select, describe) {
  const hint = el('p', { class: 'hint choice-detail', id: `${id}-detail` });
  const show = () => { hint.textContent = describe(select.value); };
  select.setAttribute('aria-describedby', hint.id);
  select.addEventListener('change', show);
  show();
  return el('div', { class: 'field' }, el('label', { for: id }, label), select, hint);
}

const keyName = 'checkoutKey';
function idempotencyKey() {
  let key = sessionStorage.getItem(keyName);
  if (!key) { key = `web-${crypto.randomUUID()}`; sessionStorage.setItem(keyName, key); }
  return key;
}

async function setFulfilment(group, input) {
  errors.textContent = '';
  try {
    await api('PUT', `/cart/fulfilments/${group.merchantId}`, input);
  } catch (problem) {
    showProblem(form, problem, errors);
  }
  await load();
}

function renderGroup(group) {
  const id = group.merchantId;
  const fieldset = el('fieldset', { 'data-merchant': id }, el('legend', {}, group.merchantName));
  const modeName = `mode-${id}`;
  const choice = el('div', { class: 'choice' });
  for (const mode of ['pickup', 'delivery']) {
    const inputId = `${modeName}-${mode}`;
    const radio = el('input', { type: 'radio', name: modeName, id: inputId, value: mode, checked: group.fulfilment === mode });
    radio.addEventListener('change', () => {
      if (mode === 'pickup') {
        const first = storeOptions.find((o) => o.dataset.merchant === id);
        if (first) setFulfilment(group, { mode, storeId: first.value });
      } else {
        const address = addresses.find((a) => a.isDefault) ?? addresses[0];
        if (address) setFulfilment(group, { mode, addressId: address.id });
        else errors.textContent = text.noAddress;
      }
    });
    choice.append(el('span', {}, radio, ' ', el('label', { for: inputId }, mode === 'pickup' ? text.pickup : text.delivery)));
  }
  fieldset.append(choice);
  if (group.fulfilment === 'pickup') {
    const selectId = `store-${id}`;
    const select = el('select', { id: selectId, name: 'storeId' }, el('option', { value: '' }, text.chooseStore));
    for (const option of storeOptions.filter((o) => o.dataset.merchant === id)) {
      select.append(el('option', { value: option.value, selected: option.value === group.storeId }, option.textContent));
    }
    select.addEventListener('change', () => select.value && setFulfilment(group, { mode: 'pickup', storeId: select.value }));
    fieldset.append(selectField(selectId, text.store, select,
      (value) => storeOptions.find((o) => o.value === value)?.dataset.address ?? ''));
  } else {
    const selectId = `address-${id}`;
    const select = el('select', { id: selectId, name: 'addressId' });
    for (const address of addresses) {
      select.append(el('option', { value: address.id, selected: address.id === group.addressId }, `${address.contactName} · ${address.district}${address.detail}`));
    }
    select.addEventListener('change', () => setFulfilment(group, { mode: 'delivery', addressId: select.value }));
    fieldset.append(addresses.length
      ? selectField(selectId, text.address, select, (value) => { const a = addresses.find((x) => x.id === value); return a ? addressLine(a) : ''; })
      : el('div', { class: 'field' }, el('p', {}, el('a', { href: '/account' }, text.noAddress))));
  }
  const list = el('ul', { class: 'plain' });
  for (const line of group.lines) {
    list.append(el('li', {}, `${line.title} ${line.specTitle} × ${line.quantity} — ${yuan(line.lineTotalFen)}`,
      line.problems.length ? el('span', { class: 'form-errors' }, ` (${line.problems.map((code) => problemLabel(code, line, text)).join(' · ')})`) : null));
  }
  fieldset.append(list, el('p', {}, `${text.subtotal}: `, el('strong', {}, yuan(group.subtotalFen))));
  return fieldset;
}

const summary = document.getElementById('checkout-summary');
const summaryBody = document.getElementById('checkout-summary-body');
const pointsBox = document.getElementById('checkout-points');
const pointsInput = document.getElementById('checkout-points-input');
const pointsMax = document.getElementById('checkout-points-max');
const couponsBox = document.getElementById('checkout-coupons');
const couponsList = document.getElementById('checkout-coupons-list');
const couponsHint = document.getElementById('checkout-coupons-hint');
// null until the shopper changes a box: the server then prices the best combination.
let chosenCoupons = null;
let lastPreview = null;
const say = (template, values) => String(template || '').replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? `{${name}}`));

/** The points the shopper asked for: a whole number, never below zero. */
function pointsToUse() {
  const value = Math.floor(Number(pointsInput.value));
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Balance, what points are worth, the cap on this order and what the chosen points pay. */
function renderPoints(quote) {
  const labels = pointsBox.dataset;
  if (!quote) { pointsBox.hidden = true; return; }
  pointsBox.hidden = false;
  const balance = document.getElementById('checkout-points-balance');
  const used = document.getElementById('checkout-points-used');
  const cap = quote.maximumPoints > 0
    ? say(labels.cap, { max: quote.maximumPoints, amount: yuan(Math.min(quote.maximumDeductionFen, Math.floor(quote.maximumPoints * 100 / quote.pointsPerYuan))) })
    : labels.none;
  balance.textContent = `${say(labels.balance, { balance: quote.balance, per: quote.pointsPerYuan })} ${cap}`;
  pointsInput.max = String(quote.maximumPoints);
  pointsInput.disabled = quote.maximumPoints === 0;
  pointsMax.disabled = quote.maximumPoints === 0;
  used.textContent = quote.used > 0 ? say(labels.used, { used: quote.used, amount: yuan(quote.deductionFen) }) : '';
}

/** The member's usable coupons as boxes, the ones this preview used ticked, each with what it
 * saved or why it does not apply. */
function renderCoupons(coupons) {
  const words = couponsBox.dataset;
  if (!coupons || !coupons.usable.length) { couponsBox.hidden = true; return; }
  couponsBox.hidden = false;
  const best = new Set(coupons.best);
  couponsHint.textContent = coupons.chosen.length && coupons.chosen.every((id) => best.has(id)) && best.size === coupons.chosen.length ? words.best : '';
  couponsList.replaceChildren(...coupons.usable.map((coupon) => {
    const id = `coupon-${coupon.id}`;
    const evaluation = coupons.evaluations.find((e) => e.memberCouponId === coupon.id);
    const box = el('input', { type: 'checkbox', id, value: coupon.id, name: 'couponIds', checked: coupons.chosen.includes(coupon.id) });
    box.addEventListener('change', () => {
      chosenCoupons = [...couponsList.querySelectorAll('input:checked')].map((input) => input.value);
      renderSummary();
    });
    const note = evaluation ? (evaluation.applied ? say(words.saves, { amount: yuan(evaluation.discountFen) }) : evaluation.message) : '';
    return el('li', { class: 'coupon-choice' }, box, ' ',
      el('label', { for: id }, `${couponValue(coupon, words)} · ${coupon.title} · ${couponCondition(coupon, words)}`),
      note ? el('span', { class: evaluation?.applied ? 'muted' : 'form-errors' }, ` ${note}`) : null);
  }));
}

/** What placing would cost, asked of the server after every change, so the shopper sees each
 * order's shipping and the total before committing; a problem (no store can take a part,
 * an address without a location) shows here and holds the submit button. */
async function renderSummary() {
  const labels = summary.dataset;
  summary.hidden = false;
  try {
    const points = pointsToUse();
    const query = new URLSearchParams();
    if (points > 0) query.set('pointsToUse', String(points));
    if (chosenCoupons !== null) query.set('couponIds', chosenCoupons.join(','));
    const preview = await api('GET', `/checkout/preview${query.size ? `?${query}` : ''}`);
    lastPreview = preview;
    renderPoints(preview.points);
    renderCoupons(preview.coupons);
    const row = (label, value) => [el('dt', {}, label), el('dd', {}, value)];
    summaryBody.replaceChildren(
      el('dl', { class: 'totals' },
        row(labels.goods, yuan(preview.goodsFen)),
        preview.discountFen > 0 ? row(labels.discount, `-${yuan(preview.discountFen)}`) : null,
        row(labels.shipping, yuan(preview.shippingFen)),
        row(labels.payable, el('strong', { class: 'price' }, yuan(preview.payableFen)))),
      el('details', {}, el('summary', {}, text.explanation),
        el('ol', { class: 'explanation' }, preview.explanation.map((line) => el('li', {}, line)))));
    placeButton.disabled = false;
  } catch (problem) {
    summaryBody.replaceChildren(el('p', { class: 'form-errors', role: 'alert' }, problemText(problem, text.failed)));
    placeButton.disabled = true;
  }
}

async function load() {
  let cart;
  try {
    cart = await api('GET', '/cart');
  } catch (problem) {
    groupsRoot.replaceChildren(el('p', { class: 'form-errors', role: 'alert' }, problemText(problem, text.failed)));
    return;
  }
  groupsRoot.replaceChildren();
  placeButton.disabled = !cart.groups.length;
  if (!cart.groups.length) {
    summary.hidden = true;
    pointsBox.hidden = true;
    couponsBox.hidden = true;
    groupsRoot.append(el('p', { class: 'empty' }, text.empty));
    return;
  }
  cart.groups.forEach((group) => groupsRoot.append(renderGroup(group)));
  await renderSummary();
}

async function pay(paymentId) {
  const box = el('div', { class: 'pay' });
  result.append(box);
  try {
    await offerProviders(paymentId, box, { pay: text.pay, none: text.noProvider });
  } catch (problem) {
    box.append(el('p', { class: 'form-errors', role: 'alert' }, problemText(problem, text.failed)));
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errors.textContent = '';
  const button = placeButton;
  button.disabled = true;
  button.textContent = text.placing;
  try {
    const note = document.getElementById('checkout-note').value.trim();
    const input = {};
    if (note) input.note = note;
    if (pointsToUse() > 0) input.pointsToUse = pointsToUse();
    // Exactly the coupons the summary on screen was priced with.
    const coupons = lastPreview?.coupons?.chosen ?? [];
    if (coupons.length) input.couponIds = coupons;
    const placed = await api('POST', '/checkout', input, { 'Idempotency-Key': idempotencyKey() });
    sessionStorage.removeItem(keyName);
    form.hidden = true;
    result.hidden = false;
    const heading = el('h2', { tabindex: '-1' }, text.placed);
    result.replaceChildren(
      heading,
      el('ul', { class: 'order-links', 'aria-label': text.orders },
        placed.orders.map((o) => el('li', {}, el('a', { href: `/orders/${o.id}`, class: 'order-link-result' }, o.number)))),
      el('p', {}, el('strong', { class: 'price big' }, yuan(placed.payableFen))),
      el('h3', {}, text.explanation),
      el('ol', { class: 'explanation' }, placed.explanation.map((line) => el('li', {}, line))));
    heading.focus();
    // The cart is empty now: the header's badge says so without a reload.
    refreshCartBadge();
    await pay(placed.payment.id);
  } catch (problem) {
    showProblem(form, problem, errors);
  } finally {
    button.disabled = false;
    button.textContent = text.place;
  }
});

// The preview follows the points chosen: at once on change, after a pause while typing.
let pointsTimer = null;
pointsInput.addEventListener('input', () => {
  clearTimeout(pointsTimer);
  pointsTimer = setTimeout(renderSummary, 400);
});
pointsInput.addEventListener('change', () => { clearTimeout(pointsTimer); renderSummary(); });
pointsMax.addEventListener('click', () => {
  pointsInput.value = pointsInput.max || '0';
  clearTimeout(pointsTimer);
  renderSummary();
});

(async () => {
  groupsRoot.replaceChildren(el('p', { class: 'muted' }, text.loading));
  try {
    addresses = await api('GET', '/me/addresses');
  } catch { addresses = []; }
  await load();
})();
