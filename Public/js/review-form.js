// The review form — stars, words, photos, anonymous — for a delivered line, and the follow-up
// form (words and photos) for a review already written. Cloned from the page's
// <template id="review-form-template"> (its words come from the page, in the shopper's
// language); each photo is uploaded to /api/v1/me/media/images as it is chosen and the review
// names the uploaded files.
import { api, csrfToken, el, showProblem, problemText } from './mall.js';

const maxPhotos = 6;
let formCount = 0;

/** Uploads one image as multipart/form-data; resolves with the stored file ({ url, … }). */
export async function uploadPhoto(file) {
  const body = new FormData();
  body.append('file', file, file.name || 'photo');
  const response = await fetch('/api/v1/me/media/images', {
    method: 'POST', credentials: 'same-origin', body,
    headers: { Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* a proxy's HTML error page */ }
  if (!response.ok) {
    const problem = data ?? { title: response.statusText };
    problem.status = response.status;
    throw problem;
  }
  return data;
}

/** Field names in a problem without the `lines[0].` of the one line this form sends. */
function forThisForm(problem) {
  return { ...problem, errors: (problem.errors ?? []).map((e) => ({ ...e, field: e.field.replace(/^lines\[\d+\]\./, '') })) };
}

/**
 * A review form for `{ orderId, lineId }` (a first review) or `{ reviewId }` (its follow-up).
 * `onDone` runs once the server has it; `onCancel` when the shopper closes the form.
 */
export function reviewForm(target, { onDone, onCancel } = {}) {
  const template = document.getElementById('review-form-template');
  const words = template.dataset;
  const form = template.content.firstElementChild.cloneNode(true);
  // Several forms can be open on one page: every id gets this form's own suffix.
  const suffix = `-${++formCount}`;
  form.querySelectorAll('[id]').forEach((node) => { node.id += suffix; });
  form.querySelectorAll('label[for]').forEach((label) => { label.htmlFor += suffix; });
  form.querySelectorAll('[aria-describedby]').forEach((node) => {
    node.setAttribute('aria-describedby', node.getAttribute('aria-describedby').split(' ').map((id) => id + suffix).join(' '));
  });
  const followUp = Boolean(target.reviewId);
  if (followUp) {
    form.querySelector('[data-rating-field]').remove();
    form.querySelector('[data-anonymous-field]').remove();
  }

  const photos = [];
  const list = form.querySelector('.upload-list');
  const status = form.querySelector('.upload-status');
  const fileInput = form.elements.photos;
  const summary = form.querySelector('.form-errors');

  function drawPhotos() {
    list.replaceChildren(...photos.map((url, index) => el('li', {},
      el('img', { src: url, alt: '', width: 72, height: 72 }),
      el('button', { type: 'button', class: 'link-button remove-photo', 'aria-label': words.remove, onclick: () => { photos.splice(index, 1); drawPhotos(); } }, '×'))));
  }

  fileInput.addEventListener('change', async () => {
    const files = [...fileInput.files];
    fileInput.value = '';
    for (const file of files) {
      if (photos.length >= maxPhotos) { status.textContent = words.tooMany; return; }
      status.textContent = words.uploading;
      try {
        const image = await uploadPhoto(file);
        if (!photos.includes(image.url)) photos.push(image.url);
        drawPhotos();
        status.textContent = '';
      } catch (problem) {
        status.textContent = problemText(problem);
        return;
      }
    }
  });

  form.querySelector('[data-cancel]').addEventListener('click', () => {
    form.remove();
    onCancel?.();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type="submit"]');
    const text = form.elements.text.value;
    submit.disabled = true;
    try {
      if (followUp) {
        await api('POST', `/me/reviews/${target.reviewId}/follow-up`, { text, photos });
      } else {
        const chosen = form.querySelector('input[name="rating"]:checked');
        if (!chosen) {
          showProblem(form, { errors: [{ field: 'rating', message: words.chooseStars }] }, summary);
          submit.disabled = false;
          return;
        }
        await api('POST', `/orders/${target.orderId}/reviews`, {
          lines: [{ orderLineId: target.lineId, rating: Number(chosen.value), text, photos, anonymous: form.elements.anonymous.checked }],
        });
      }
      form.replaceChildren(el('p', { class: 'form-message', role: 'status' }, followUp ? words.followUpSent : words.sent));
      onDone?.();
    } catch (problem) {
      submit.disabled = false;
      showProblem(form, forThisForm(problem), summary);
    }
  });
  return form;
}
