import { canOnPlatform, canAtStore } from '../context.js';
import { get, post } from '../api.js';
import { add, h, pageHeader, badge, link, button, announce, errorNotice, facts, clear } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, number, label } from '../i18n.js';
import { storeFilter, storeCell, enumOptions, formDialog, reasonDialog } from '../widgets.js';

// Shoppers' product reviews. HQ (review.moderate) works the queue: approve, or reject with a
// reason the shopper is told; merchants and stores (review.reply) answer approved reviews of
// their own orders, once.
const statuses = ['pending', 'approved', 'rejected'];
const kinds = ['initial', 'follow_up'];

const stars = (n) => (n ? '★'.repeat(n) + '☆'.repeat(5 - n) : '');

function starsCell(n) {
  return n ? h('span', { class: 'stars', role: 'img', 'aria-label': t('reviews.stars', { n }), text: stars(n) }) : '';
}

function photoStrip(photos, limit = photos.length) {
  if (!photos || !photos.length) return null;
  return h('ul', { class: 'image-list review-thumbs' }, photos.slice(0, limit).map((p, i) => h('li', {},
    h('a', { href: p, target: '_blank', rel: 'noopener' }, h('img', { src: p, alt: t('reviews.photo', { n: i + 1 }), width: 56, height: 56, loading: 'lazy' })))));
}

export async function render(root, { id }) {
  if (id) return renderReview(root, id);
  const moderator = canOnPlatform('review.moderate');
  const table = createTable({
    caption: t('reviews.caption'),
    endpoint: '/admin/reviews',
    sortFields: ['createdAt', 'rating', 'status', 'photoCount', 'moderatedAt'],
    syncUrl: true,
    filters: [
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('reviewStatus', statuses), value: moderator ? 'pending' : '' },
      { name: 'kind', label: t('field.kind'), type: 'select', options: enumOptions('reviewKind', kinds) },
      { name: 'rating', label: t('reviews.rating'), type: 'select', options: enumOptions('reviewStars', ['5', '4', '3', '2', '1']) },
      { name: 'withPhotos', label: t('reviews.withPhotos'), type: 'select', options: enumOptions('yesNo', ['true', 'false']) },
      { name: 'replied', label: t('reviews.replied'), type: 'select', options: enumOptions('yesNo', ['true', 'false']) },
      ...storeFilter(),
    ],
    columns: [
      { key: 'productTitle', label: t('field.product'), render: (r) => link(`/console/reviews/${r.id}`, r.productTitle || r.id) },
      { key: 'rating', label: t('reviews.rating'), render: (r) => starsCell(r.rating) },
      { key: 'text', label: t('reviews.text'), render: (r) => h('span', { class: 'review-excerpt', text: r.text.length > 80 ? `${r.text.slice(0, 80)}…` : r.text }) },
      { key: 'photoCount', label: t('reviews.photos'), render: (r) => photoStrip(r.photos, 3) || '—' },
      { key: 'kind', label: t('field.kind'), render: (r) => label('reviewKind', r.kind) },
      { key: 'memberName', label: t('reviews.member'), render: (r) => (r.anonymous ? `${r.memberName} (${t('reviews.anonymous')})` : r.memberName) },
      { key: 'storeId', label: t('field.store'), render: (r) => storeCell(r.storeId) },
      { key: 'status', label: t('field.status'), render: (r) => badge('reviewStatus', r.status) },
      { key: 'createdAt', label: t('field.createdAt'), render: (r) => dateTime(r.createdAt) },
    ],
  });
  add(root, pageHeader(t('reviews.title')), table.element);
  table.reload();
}

async function renderReview(root, id) {
  add(root, h('p', { class: 'breadcrumb' }, link('/console/reviews', t('reviews.title'))));
  const body = h('div');
  add(root, body);
  let review;
  try {
    review = await get(`/admin/reviews/${id}`);
  } catch (error) {
    body.append(errorNotice(error));
    return;
  }
  const draw = (next) => {
    review = next;
    add(clear(body),
      h('header', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t(review.kind === 'follow_up' ? 'reviews.followUpTitle' : 'reviews.reviewTitle', { product: review.productTitle }), ' ', badge('reviewStatus', review.status))),
      actions(review, (updated) => { draw(updated); body.querySelector('h1').focus(); }),
      h('div', { class: 'detail-grid' },
        h('section', { class: 'card' }, h('h2', { text: t('reviews.review') }), facts([
          [t('reviews.rating'), starsCell(review.rating)],
          [t('reviews.text'), h('p', { class: 'review-full-text', text: review.text })],
          [t('reviews.member'), review.anonymous ? `${review.memberName} (${t('reviews.anonymous')})` : review.memberName],
          [t('field.spec'), review.specTitle],
          [t('field.orderNumber'), link(`/console/orders/${review.orderId}`, review.orderNumber)],
          [t('field.store'), storeCell(review.storeId)],
          [t('field.createdAt'), dateTime(review.createdAt)],
          [t('reviews.moderatedAt'), dateTime(review.moderatedAt)],
          [t('reviews.rejectionReason'), review.rejectionReason],
          [t('reviews.points'), review.pointsEarned ? number(review.pointsEarned) : ''],
          [t('reviews.parent'), review.parentId ? link(`/console/reviews/${review.parentId}`, t('reviews.open')) : ''],
          [t('reviews.followUp'), review.followUpId ? link(`/console/reviews/${review.followUpId}`, t('reviews.open')) : ''],
        ]), photoStrip(review.photos)),
        review.reply ? h('section', { class: 'card' }, h('h2', { text: t('reviews.reply') }), facts([
          [t('reviews.reply'), review.reply.text],
          [t('field.createdAt'), dateTime(review.reply.createdAt)],
        ])) : null));
  };
  draw(review);
}

function actions(review, redraw) {
  const run = (path, bodyValue) => post(`/admin/reviews/${review.id}/${path}`, bodyValue);
  const after = (message) => (result) => { if (result) { announce(message); redraw(result); } };
  const list = [];
  if (review.status === 'pending' && canOnPlatform('review.moderate')) {
    list.push(button(t('reviews.approve'), async (event) => {
      const target = event.currentTarget;
      target.disabled = true;
      try { after(t('reviews.approvedDone'))(await run('approve')); } catch (error) { announce(error.message, 'error'); target.disabled = false; }
    }, { kind: 'primary' }));
    list.push(button(t('reviews.reject'), async () => after(t('reviews.rejectedDone'))(await reasonDialog(t('reviews.rejectTitle'), (v) => run('reject', v))), { kind: 'danger' }));
  }
  if (review.status === 'approved' && review.kind === 'initial' && !review.reply && canAtStore('review.reply', review.storeId, review.merchantId)) {
    list.push(button(t('reviews.replyAction'), async () => after(t('reviews.repliedDone'))(await formDialog(t('reviews.replyTitle'), {
      fields: [{ name: 'text', label: t('reviews.reply'), type: 'textarea', required: true, rows: 4 }],
      submitLabel: t('reviews.replyAction'),
      onSubmit: (v) => run('reply', v),
    })), { kind: 'primary' }));
  }
  return list.length ? h('section', { class: 'card action-bar', 'aria-label': t('reviews.actions') }, h('div', { class: 'actions-row' }, list)) : null;
}
