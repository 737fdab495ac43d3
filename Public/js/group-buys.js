// Group-buy pages: tick each open group's countdown (reloading when one runs out, so the server
// says how it ended), open a group or join one through the API, and copy a group's share link.
// After opening or joining, the member pays their order; the group page shows them in it.
import { api, el, problemText, requestKey, startCountdowns } from './mall.js';

const root = document.getElementById('group-buy');


function wire(button, box, call) {
  const words = root.dataset;
  const errors = box.querySelector('.form-errors');
  const message = box.querySelector('.form-message');
  // One key per click, kept when the answer is lost so the retry cannot open or join twice.
  let key = requestKey('group');
  button.disabled = false;
  button.addEventListener('click', async () => {
    if (words.signedIn !== 'true') {
      window.location.href = words.login;
      return;
    }
    errors.textContent = '';
    message.replaceChildren();
    button.disabled = true;
    try {
      const result = await call({ 'Idempotency-Key': key });
      key = requestKey('group');
      const due = result.paymentDueAt ? new Date(result.paymentDueAt).toLocaleTimeString() : '';
      message.replaceChildren(
        el('strong', {}, words.joined.replace('{time}', due)), ' ',
        el('a', { href: `/orders/${result.orderId}`, class: 'group-pay', 'data-payment': result.payment?.id ?? '' }, words.payNow), ' ',
        el('a', { href: result.group.sharePath, class: 'group-view' }, words.view));
    } catch (problem) {
      errors.textContent = problemText(problem, words.failed);
      if (problem.status && problem.status < 500) key = requestKey('group');
      button.disabled = false;
    }
  });
}

if (root) {
  const head = root.querySelector('.group-buy-head');
  const open = head.querySelector('.group-open');
  if (open) wire(open, head, (headers) => api('POST', `/group-buys/${root.dataset.activity}/groups`, {}, headers));
  root.querySelectorAll('.group-card').forEach((card) => {
    const join = card.querySelector('.group-join');
    if (join) wire(join, card, (headers) => api('POST', `/group-buys/groups/${card.dataset.group}/members`, {}, headers));
    const copy = card.querySelector('.group-copy');
    const link = card.querySelector('.group-share-link');
    if (copy && link) {
      link.value = new URL(link.value, window.location.origin).href;
      copy.disabled = false;
      copy.addEventListener('click', async () => {
        link.select();
        try {
          await navigator.clipboard.writeText(link.value);
        } catch {
          // Without clipboard permission the selected link can still be copied by hand.
        }
        card.querySelector('.form-message').textContent = root.dataset.copied;
      });
    }
  });
  startCountdowns(root);
}
