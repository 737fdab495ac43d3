// Product page: the spec picker shows the chosen combination's price and stock, the gallery
// swaps images, and "add to cart" calls the cart API.
import { api, refreshCartBadge } from './mall.js';

const form = document.getElementById('buy-form');
const rows = [...document.querySelectorAll('.sku-table tbody tr')];
const price = document.getElementById('buy-price');
const stock = document.getElementById('buy-stock');
const skuInput = document.getElementById('buy-sku');
const message = document.getElementById('buy-message');
const groups = [...form.querySelectorAll('.spec-group')];

function selectedRow() {
  if (rows.length === 1) return rows[0];
  const parts = groups.map((group) => {
    const checked = group.querySelector('input:checked');
    return checked ? `${checked.dataset.specName}=${checked.value}` : null;
  });
  if (parts.includes(null)) return null;
  const key = parts.join('|');
  return rows.find((row) => row.dataset.specKey === key) ?? null;
}

function update() {
  const row = selectedRow();
  rows.forEach((r) => r.classList.toggle('selected', r === row));
  skuInput.value = row ? row.dataset.sku : '';
  if (row) {
    price.textContent = row.dataset.price;
    stock.textContent = row.dataset.availability;
  } else {
    stock.textContent = form.dataset.choose;
  }
}

form.addEventListener('change', update);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const row = selectedRow();
  if (!row) { message.textContent = form.dataset.choose; return; }
  const quantity = Number(document.getElementById('buy-qty').value) || 1;
  const button = document.getElementById('add-to-cart');
  button.disabled = true;
  try {
    await api('POST', '/cart/lines', { skuId: row.dataset.sku, quantity });
    message.textContent = form.dataset.added;
    refreshCartBadge();
  } catch (problem) {
    message.textContent = problem.errors?.map((e) => e.message).join(' ') || problem.detail || problem.title;
  } finally {
    button.disabled = false;
  }
});

for (const thumb of document.querySelectorAll('.thumb')) {
  thumb.addEventListener('click', () => {
    document.getElementById('gallery-main').src = thumb.dataset.image;
    document.querySelectorAll('.thumb').forEach((t) => t.setAttribute('aria-pressed', String(t === thumb)));
  });
}

// "Nearest store" asks for the location only when the shopper presses it.
const nearest = document.getElementById('nearest-store');
if (nearest && 'geolocation' in navigator) {
  nearest.hidden = false;
  nearest.addEventListener('click', () => {
    navigator.geolocation.getCurrentPosition((position) => {
      const url = new URL(location.href);
      url.searchParams.delete('storeId');
      url.searchParams.set('lat', position.coords.latitude.toFixed(6));
      url.searchParams.set('lng', position.coords.longitude.toFixed(6));
      location.href = url.toString();
    }, () => { nearest.textContent = nearest.dataset.denied; });
  });
}

update();
