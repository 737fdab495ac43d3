// The product page's group-buy block: when a running group buy offers this product, its group
// price and group size, linking to the activity's page.
import { api, el, yuan } from './mall.js';

const box = document.getElementById('product-group-buy');
const productId = document.querySelector('[data-product]')?.dataset.product;

async function show() {
  let running;
  try {
    running = await api('GET', '/group-buys');
  } catch {
    return;
  }
  const activity = running.find((candidate) => candidate.productId === productId);
  if (!activity) return;
  const text = box.dataset.words.replace('{price}', yuan(activity.groupPriceFen)).replace('{n}', String(activity.groupSize));
  box.replaceChildren(el('a', { href: `/group-buys/${activity.id}`, class: 'group-buy-link' }, text));
  box.hidden = false;
}

if (box && productId) show();
