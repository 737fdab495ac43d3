// Flash-sale page: ticks each session's countdown (reloading when a session opens or ends, so
// the server says what is on sale) and buys the chosen quantity (1 up to the session's
// per-member limit), collected at the item's store or delivered to the address chosen above
// the sessions, through POST /api/v1/flash-sales/{session}/purchases. One Idempotency-Key per
// click, kept across a retry of the same click so a lost answer cannot buy twice, renewed after
// an answer.
import { api, el, problemText, requestKey, startCountdowns } from './mall.js';

const root = document.getElementById('flash-sales');

/** How the member wants the goods, from the page's one choice (pickup when there is none). */
function fulfilment() {
  const delivery = document.getElementById('flash-delivery');
  if (!delivery?.checked) return { fulfilment: 'pickup' };
  return { fulfilment: 'delivery', addressId: document.getElementById('flash-address').value };
}

if (root) {
  const words = root.dataset;
  const choice = document.getElementById('flash-fulfilment');
  choice?.addEventListener('change', () => {
    document.getElementById('flash-address-field').hidden = fulfilment().fulfilment !== 'delivery';
  });
  root.querySelectorAll('.flash-item').forEach((card) => {
    const button = card.querySelector('.flash-buy');
    const errors = card.querySelector('.form-errors');
    const message = card.querySelector('.form-message');
    const quantity = card.querySelector('.flash-quantity');
    const session = card.closest('[data-session]').dataset.session;
    // The key names one purchase: another quantity or destination is another purchase.
    let key = '';
    let keyFor = '';
    if (button.dataset.closed) return;
    button.disabled = false;
    button.addEventListener('click', async () => {
      if (words.signedIn !== 'true') {
        window.location.href = words.login;
        return;
      }
      errors.textContent = '';
      message.replaceChildren();
      button.disabled = true;
      const body = { skuId: card.dataset.sku, quantity: Number(quantity?.value || 1), ...fulfilment() };
      const asked = JSON.stringify(body);
      if (asked !== keyFor) {
        key = requestKey('flash');
        keyFor = asked;
      }
      try {
        const result = await api('POST', `/flash-sales/${session}/purchases`, body, { 'Idempotency-Key': key });
        keyFor = '';
        const due = result.paymentDueAt ? new Date(result.paymentDueAt).toLocaleTimeString() : '';
        message.replaceChildren(
          el('strong', {}, words.bought.replace('{time}', due)), ' ',
          el('a', { href: `/orders/${result.purchase.orderId}`, class: 'flash-pay' }, words.payNow));
      } catch (problem) {
        errors.textContent = problemText(problem, words.failed);
        if (problem.status && problem.status < 500) keyFor = '';
      } finally {
        button.disabled = false;
      }
    });
  });
  startCountdowns(root);
}
