// "My reviews": opens the review form under an item still to review, or the follow-up form
// under a review, and shows the reviewed list once the server has the new one.
import { enableScriptControls } from './mall.js';
import { reviewForm } from './review-form.js';

enableScriptControls();

document.getElementById('my-reviews')?.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-review-line], button[data-follow-up]');
  if (!button) return;
  const item = button.closest('.review-item');
  const slot = item.querySelector('.review-form-slot');
  const target = button.dataset.followUp
    ? { reviewId: button.dataset.followUp }
    : { orderId: button.dataset.order, lineId: button.dataset.reviewLine };
  const form = reviewForm(target, {
    onDone: () => setTimeout(() => { location.href = '/account/reviews?state=done'; }, 1200),
    onCancel: () => { button.hidden = false; button.focus(); },
  });
  button.hidden = true;
  slot.replaceChildren(form);
  form.querySelector('input, textarea')?.focus();
});
