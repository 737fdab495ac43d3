// Order page: pay a pending order, cancel, confirm receipt, and ask for after-sales service.
import { api, el, showProblem, enableScriptControls, problemText } from './mall.js';
import { offerProviders, startPayment } from './payment.js';

enableScriptControls();

const actions = document.getElementById('order-actions');
const orderId = actions.dataset.order;
const status = actions.querySelector('.form-message');

actions.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  try {
    if (button.dataset.pay) {
      // The providers checkout offers, not a fixed one: where the sandbox is off (production)
      // the shopper pays with WeChat Pay or Alipay. With a single provider there is nothing to
      // choose, so it starts at once.
      button.disabled = true;
      const box = document.getElementById('pay-choices');
      box.replaceChildren();
      const providers = await offerProviders(button.dataset.pay, box, { pay: actions.dataset.payLabel, none: actions.dataset.noProvider });
      if (providers.length === 1) await startPayment(button.dataset.pay, providers[0], box);
      button.hidden = providers.length > 0;
      button.disabled = false;
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
