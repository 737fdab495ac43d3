// Flash-sale page: ticks each session's countdown (reloading when a session opens or ends, so
// the server says what is on sale) and buys the chosen quantity (1 up to the session's
// per-member limit) through POST /api/v1/flash-sales/{session}/purchases. One Idempotency-Key per click, kept across a retry
// of the same click so a lost answer cannot buy twice, renewed after an answer.
import { api, el, problemText, requestKey, startCountdowns } from './mall.js';

const root = document.getElementById('flash-sales');


if (root) {
  const words = root.dataset;
  root.querySelectorAll('.flash-item').forEach((card) => {
    const button = card.querySelector('.flash-buy');
    const errors = card.querySelector('.form-errors');
    const message = card.querySelector('.form-message');
    const quantity = card.querySelector('.flash-quantity');
    const session = card.closest('[data-session]').dataset.session;
    let key = requestKey('flash');
    if (button.dataset.closed) return;
    button.disabled = false;
    // The key names one purchase: another quantity is another purchase.
    quantity?.addEventListener('change', () => { key = requestKey('flash'); });
    button.addEventListener('click', async () => {
      if (words.signedIn !== 'true') {
        window.location.href = words.login;
        return;
      }
      errors.textContent = '';
      message.replaceChildren();
      button.disabled = true;
      try {
        const result = await api('POST', `/flash-sales/${session}/purchases`, { skuId: card.dataset.sku, quantity: Number(quantity?.value || 1) }, { 'Idempotency-Key': key });
        key = requestKey('flash');
        const due = result.paymentDueAt ? new Date(result.paymentDueAt).toLocaleTimeString() : '';
        message.replaceChildren(
          el('strong', {}, words.bought.replace('{time}', due)), ' ',
          el('a', { href: `/orders/${result.purchase.orderId}`, class: 'flash-pay' }, words.payNow));
      } catch (problem) {
        errors.textContent = problemText(problem, words.failed);
        if (problem.status && problem.status < 500) key = requestKey('flash');
      } finally {
        button.disabled = false;
      }
    });
  });
  startCountdowns(root);
}
