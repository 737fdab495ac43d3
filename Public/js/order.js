// Order page: pay a pending order, cancel, confirm receipt, and ask for after-sales service.
import { api, el, showProblem, enableScriptControls, problemText } from './mall.js';

enableScriptControls();

const actions = document.getElementById('order-actions');
const orderId = actions.dataset.order;
const status = actions.querySelector('.form-message');

actions.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  try {
    if (button.dataset.pay) {
      const started = await api('POST', `/payments/${button.dataset.pay}/start`, { provider: 'sandbox' });
      if (started.payUrl) location.href = started.payUrl;
      return;
    }
    const action = button.dataset.orderAction;
    if (!action || (button.dataset.confirm && !confirm(button.dataset.confirm))) return;
    button.disabled = true;
    await api('POST', `/orders/${orderId}/${action}`, {});
    location.reload();
  } catch (problem) {
    status.textContent = problemText(problem);
    button.disabled = false;
  }
});

const form = document.getElementById('aftersales-form');
if (form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const summary = form.querySelector('.form-errors');
    const lines = [...form.querySelectorAll('input[data-line]')]
      .map((input) => ({ orderLineId: input.dataset.line, quantity: Number(input.value) }))
      .filter((line) => line.quantity > 0);
    const body = {
      kind: form.elements.kind.value, reason: form.elements.reason.value,
      description: form.elements.description.value, lines,
    };
    try {
      await api('POST', `/orders/${form.dataset.order}/after-sales`, body);
      form.replaceChildren(el('p', { class: 'form-message', role: 'status' }, form.dataset.sent));
      setTimeout(() => location.reload(), 800);
    } catch (problem) {
      showProblem(form, problem, summary);
    }
  });
}

// Payment confirmations arrive from the provider a moment after the shopper pays: while the
// order still waits for payment, look again every few seconds and reload when it moves on.
const badge = document.getElementById('order-status');
if (badge?.dataset.status === 'pending_payment') {
  let tries = 0;
  const timer = setInterval(async () => {
    tries += 1;
    try {
      const order = await api('GET', `/orders/${orderId}`);
      if (order.status !== 'pending_payment') { clearInterval(timer); location.reload(); }
    } catch { /* keep the page as it is */ }
    if (tries >= 20) clearInterval(timer);
  }, 3000);
  status.textContent = badge.dataset.waiting;
}
