// Reviews from the orders pages. On an order: its delivered lines still open for review, each
// with a "review" button that opens the form in place. On "my orders": a review link on each
// order that has such lines. Both ask GET /api/v1/me/reviews?state=pending.
import { api, el } from './mall.js';
import { reviewForm } from './review-form.js';

async function openLines(orderId) {
  const query = orderId ? `&orderId=${encodeURIComponent(orderId)}` : '';
  return (await api('GET', `/me/reviews?state=pending&per=200${query}`)).items.items;
}

async function orderPage(section) {
  const lines = await openLines(section.dataset.order);
  if (!lines.length) return;
  const list = document.getElementById('order-review-lines');
  list.replaceChildren(...lines.map((line) => {
    const slot = el('div', { class: 'review-form-slot' });
    const button = el('button', { type: 'button', class: 'btn btn-primary', 'data-review-line': line.orderLineId }, section.dataset.reviewLabel);
    button.addEventListener('click', () => {
      const form = reviewForm({ orderId: line.orderId, lineId: line.orderLineId }, {
        onDone: () => setTimeout(() => { location.href = '/account/reviews?state=done'; }, 1200),
        onCancel: () => { button.hidden = false; button.focus(); },
      });
      button.hidden = true;
      slot.replaceChildren(form);
      form.querySelector('input, textarea')?.focus();
    });
    return el('li', { class: 'review-line' }, el('p', {}, el('strong', {}, line.title), ' ', el('span', { class: 'muted' }, line.specTitle)), button, slot);
  }));
  section.hidden = false;
  if (location.hash === '#reviews') section.scrollIntoView();
}

async function ordersList(listNode) {
  const open = new Set((await openLines(null)).map((line) => line.orderId.toUpperCase()));
  for (const card of listNode.querySelectorAll('.order-card[data-order]')) {
    if (!open.has(card.dataset.order.toUpperCase())) continue;
    card.append(el('p', { class: 'review-link' }, el('a', { class: 'btn', href: `/orders/${card.dataset.order}#reviews` }, listNode.dataset.reviewLabel)));
  }
}

try {
  const section = document.getElementById('reviews');
  const listNode = document.querySelector('.order-list[data-review-label]');
  if (section?.dataset.order) await orderPage(section);
  else if (listNode) await ordersList(listNode);
} catch {
  // Reviews are an extra on these pages; the order itself is shown either way.
}
