// The product page's coupons: the ones in the coupon centre that cover this product, each
// claimable on the spot (a guest is sent to sign in first).
import { api, el, problemText } from './mall.js';
import { couponValue, couponCondition } from './coupon-words.js';

const box = document.getElementById('product-coupons');
const list = document.getElementById('product-coupons-list');
const productId = document.querySelector('[data-product]')?.dataset.product;

async function show() {
  const words = box.dataset;
  let templates;
  try {
    templates = await api('GET', `/coupons?productId=${encodeURIComponent(productId)}`);
  } catch {
    return;
  }
  if (!templates.length) return;
  box.hidden = false;
  list.replaceChildren(...templates.map((template) => {
    const held = template.claimedByMe ?? 0;
    const soldOut = template.claimedCount >= template.totalQuantity;
    const status = el('span', { class: 'muted', role: 'status' });
    const button = el('button', { class: 'btn', type: 'button', disabled: soldOut || held >= template.perMemberLimit },
      held > 0 ? words.claimed : words.claim);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('POST', `/coupons/${encodeURIComponent(template.id)}/claims`);
        button.textContent = words.claimed;
      } catch (problem) {
        if (problem.status === 401) {
          window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
          return;
        }
        status.textContent = problemText(problem, words.failed);
        button.disabled = false;
      }
    });
    return el('li', { class: 'coupon-chip', 'data-coupon': template.id },
      el('strong', {}, couponValue(template, words)), ' ', template.title, ' · ', couponCondition(template, words), ' ', button, ' ', status);
  }));
}

if (box && productId) show();
