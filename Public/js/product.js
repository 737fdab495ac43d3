// Product page: the spec picker shows the chosen combination's price and stock (and which
// options the chosen store has none of), the gallery swaps images, and "add to cart" calls the
// cart API. `?sku=<id>` (links from the scan page) preselects that SKU.
import { api, el, enableScriptControls, hasCart, problemText, refreshCartBadge, startCountdowns } from './mall.js';

const form = document.getElementById('buy-form');
const rows = [...document.querySelectorAll('.sku-table tbody tr')];
const price = document.getElementById('buy-price');
const stock = document.getElementById('buy-stock');
const skuInput = document.getElementById('buy-sku');
const message = document.getElementById('buy-message');
const addButton = document.getElementById('add-to-cart');
const unavailable = document.getElementById('buy-unavailable');
const storePicker = document.querySelector('.store-picker');
const storeSelect = document.getElementById('store-select');
const groups = [...form.querySelectorAll('.spec-group')];
// Stock is only known for a chosen (or nearest) store; without one nothing is "sold out".
const storeKnown = form.dataset.store === 'yes';
const soldOut = (row) => storeKnown && !(Number(row.dataset.available) > 0);

const specName = (group) => group.querySelector('input').dataset.specName;
// "规格=550ml|包装=单瓶" → { 规格: '550ml', 包装: '单瓶' }
const specsOf = new Map(rows.map((row) => [row, Object.fromEntries(row.dataset.specKey.split('|').map((part) => {
  const at = part.indexOf('=');
  return [part.slice(0, at), part.slice(at + 1)];
}))]));

/** Whether a row has the chosen value (an input, or null for "any") of every group. */
function matches(row, values) {
  const specs = specsOf.get(row);
  return values.every((input, index) => input === null || specs[specName(groups[index])] === input.value);
}

const checkedValues = () => groups.map((group) => group.querySelector('input:checked'));

function selectedRow() {
  if (rows.length === 1) return rows[0];
  const values = checkedValues();
  if (values.includes(null)) return null;
  return rows.find((row) => matches(row, values)) ?? null;
}

// An option is unavailable when, with the other choices kept, no row in stock here has it.
function markOptions() {
  const checked = checkedValues();
  groups.forEach((group, index) => {
    for (const input of group.querySelectorAll('input')) {
      const values = checked.slice();
      values[index] = input;
      const out = storeKnown && !rows.some((row) => matches(row, values) && !soldOut(row));
      const label = form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      label.classList.toggle('unavailable', out);
      let note = label.querySelector('.sold-out-note');
      if (out && !note) label.append(note = el('span', { class: 'visually-hidden sold-out-note' }, ` (${form.dataset.soldOut})`));
      if (!out && note) note.remove();
    }
  });
}

let pickerSku = null;
function rememberSku(row) {
  // Checking another store keeps the chosen option: the picker's form carries it along.
  if (!pickerSku) storePicker.append(pickerSku = el('input', { type: 'hidden', name: 'sku' }));
  pickerSku.value = row ? row.dataset.sku : '';
  pickerSku.disabled = !row;
}

function update() {
  const row = selectedRow();
  for (const r of rows) {
    r.classList.toggle('selected', r === row);
    r.classList.toggle('sold-out', soldOut(r));
    if (r === row) r.setAttribute('aria-current', 'true');
    else r.removeAttribute('aria-current');
  }
  skuInput.value = row ? row.dataset.sku : '';
  rememberSku(row);
  markOptions();
  if (row) {
    price.textContent = row.dataset.price;
    stock.textContent = row.dataset.availability;
  } else {
    stock.textContent = form.dataset.choose;
  }
  const blocked = Boolean(row && soldOut(row));
  addButton.disabled = blocked;
  unavailable.hidden = !blocked;
}

function preselect(skuId) {
  const row = rows.find((r) => r.dataset.sku.toLowerCase() === skuId.toLowerCase());
  if (!row) return;
  const specs = specsOf.get(row);
  for (const group of groups) {
    const input = [...group.querySelectorAll('input')].find((i) => i.value === specs[specName(group)]);
    if (input) input.checked = true;
  }
}

form.addEventListener('change', () => {
  message.textContent = '';
  message.classList.remove('error');
  update();
});
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const row = selectedRow();
  if (!row) { message.textContent = form.dataset.choose; return; }
  if (soldOut(row)) return;
  // Checked here rather than by the browser, whose tooltip speaks the browser's language.
  const quantityInput = document.getElementById('buy-qty');
  const quantity = Number(quantityInput.value);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
    message.classList.add('error');
    message.textContent = form.dataset.quantityRange;
    quantityInput.setAttribute('aria-invalid', 'true');
    quantityInput.focus();
    return;
  }
  quantityInput.removeAttribute('aria-invalid');
  addButton.disabled = true;
  message.classList.remove('error');
  try {
    await api('POST', '/cart/lines', { skuId: row.dataset.sku, quantity });
    message.textContent = form.dataset.added;
    refreshCartBadge();
  } catch (problem) {
    message.classList.add('error');
    message.textContent = problemText(problem, form.dataset.failed);
  } finally {
    addButton.disabled = false;
  }
});

document.getElementById('choose-other-store').addEventListener('click', () => {
  storeSelect.scrollIntoView({ block: 'center' });
  storeSelect.focus({ preventScroll: true });
});

for (const thumb of document.querySelectorAll('.thumb')) {
  thumb.addEventListener('click', () => {
    document.getElementById('gallery-main').src = thumb.dataset.image;
    document.querySelectorAll('.thumb').forEach((t) => t.setAttribute('aria-pressed', String(t === thumb)));
  });
}

// "Nearest store" asks for the location only when the shopper presses it; a refusal is said
// beside the store list (the button keeps its label, the list is the way on).
const nearest = document.getElementById('nearest-store');
const nearestStatus = document.getElementById('nearest-status');
if (nearest && 'geolocation' in navigator) {
  nearest.hidden = false;
  nearest.addEventListener('click', () => {
    nearest.disabled = true;
    nearestStatus.classList.remove('warning');
    nearestStatus.textContent = nearest.dataset.locating;
    navigator.geolocation.getCurrentPosition((position) => {
      const url = new URL(location.href);
      url.searchParams.delete('storeId');
      url.searchParams.set('lat', position.coords.latitude.toFixed(6));
      url.searchParams.set('lng', position.coords.longitude.toFixed(6));
      if (skuInput.value) url.searchParams.set('sku', skuInput.value);
      location.href = url.toString();
    }, () => {
      nearest.disabled = false;
      nearestStatus.classList.add('warning');
      nearestStatus.textContent = nearest.dataset.denied;
    }, { timeout: 15000, maximumAge: 300000 });
  });
}

const wanted = new URLSearchParams(location.search).get('sku');
if (wanted) preselect(wanted);
enableScriptControls(form);
update();

// The running promotions that cover this product, as badges under the price; the engine's
// exact saving shows in the cart and at checkout.
async function showPromotions() {
  const section = document.getElementById('product-promotions');
  const productId = document.querySelector('.product')?.dataset.product;
  if (!section || !productId) return;
  try {
    const promotions = await api('GET', `/promotions?productId=${encodeURIComponent(productId)}`);
    if (!promotions.length) return;
    document.getElementById('product-promotions-list').replaceChildren(
      ...promotions.map((p) => el('li', { class: 'promotion-badge', 'data-kind': p.rule.kind }, p.name)));
    section.hidden = false;
    // What the shopper's cart still needs for each of these promotions' next reward.
    // Asking without a cart would start one for every visitor (and staff have none).
    if (!hasCart()) return;
    const ids = new Set(promotions.map((p) => p.id));
    const cart = await api('GET', '/cart');
    document.getElementById('product-promotion-hints').replaceChildren(...cart.promotions
      .filter((p) => ids.has(p.promotionId) && p.hint)
      .map((p) => el('li', { class: 'promotion-hint' }, `${p.name}: ${p.hint}`)));
  } catch {
    // Promotions are extra information: the page works without them.
  }
}
showPromotions();

// The flash price's countdown; the page reloads when the session ends so the price is right.
const flashBox = document.getElementById('product-flash');
if (flashBox) startCountdowns(flashBox);
