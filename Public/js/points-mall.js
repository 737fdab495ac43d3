// Points-mall item page: exchange points for the item through
// POST /api/v1/points-mall/items/{id}/redemptions. One Idempotency-Key per exchange, kept
// across retries of the same click (a lost answer cannot spend twice) and renewed after success.
import { api, el, enableScriptControls, problemText, requestKey } from './mall.js';

const form = document.getElementById('redeem-form');

if (form) {
  const words = form.dataset;
  const errors = form.querySelector('.form-errors');
  const message = form.querySelector('.form-message');
  const pickupField = document.getElementById('pickup-field');
  const deliveryField = document.getElementById('delivery-field');
  let key = requestKey('redeem');

  const mode = () => form.elements.fulfilment.value || 'pickup';
  const showMode = () => {
    pickupField.hidden = mode() !== 'pickup';
    deliveryField.hidden = mode() !== 'delivery';
  };
  form.querySelectorAll('input[name="fulfilment"]').forEach((radio) => radio.addEventListener('change', showMode));
  showMode();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('[type="submit"]');
    errors.textContent = '';
    message.replaceChildren();
    const body = { quantity: Number(form.elements.quantity.value), fulfilment: mode() };
    if (body.fulfilment === 'pickup') body.storeId = form.elements.storeId?.value;
    else body.addressId = form.elements.addressId?.value;
    submit.disabled = true;
    try {
      const result = await api('POST', `/points-mall/items/${form.dataset.item}/redemptions`, body, { 'Idempotency-Key': key });
      key = requestKey('redeem');
      const redemption = result.redemption;
      const balance = document.getElementById('mall-balance');
      if (balance) balance.textContent = String(result.balance);
      const remaining = document.getElementById('mall-remaining');
      if (remaining) remaining.textContent = String(Math.max(0, Number(remaining.textContent) - redemption.quantity));
      const orderLink = redemption.orderId ? el('a', { href: `/orders/${redemption.orderId}` }, result.payment ? words.payNow : words.seeOrder) : null;
      message.replaceChildren(
        el('strong', {}, result.payment ? words.donePay : words.done), ' ',
        words.balanceAfter.replace('{n}', String(result.balance)), ' ', orderLink);
      message.dataset.redemption = redemption.id;
    } catch (problem) {
      errors.textContent = problemText(problem, words.failed);
      // A refusal is final for this key; a new attempt is a new exchange.
      if (problem.status && problem.status < 500) key = requestKey('redeem');
    } finally {
      submit.disabled = false;
    }
  });
  enableScriptControls(form);
}
