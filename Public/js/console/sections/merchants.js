import { canOnPlatform, can } from '../context.js';
import { api, get, post, put, patch } from '../api.js';
import { add, h, pageHeader, badge, link, button, announce, errorNotice, errorText, facts } from '../dom.js';
import { createTable } from '../table.js';
import { createForm } from '../form.js';
import { t, dateTime, money, label } from '../i18n.js';
import { enumOptions, formDialog } from '../widgets.js';

// Which status changes a merchant allows (see MerchantStatus in the API); the server re-checks.
const nextStatuses = { pending: ['active', 'closed'], active: ['suspended', 'closed'], suspended: ['active', 'closed'], closed: [] };

// Merchants: the platform sees every one with filters; a merchant's own staff see only theirs.
export async function render(root, { id }) {
  if (id) return renderMerchant(root, id);
  const table = createTable({
    caption: t('merchants.caption'),
    endpoint: '/admin/merchants',
    syncUrl: true,
    filters: [
      { name: 'q', label: t('field.keyword'), type: 'search' },
      { name: 'kind', label: t('field.kind'), type: 'select', options: enumOptions('merchantKind', ['self_operated', 'third_party']) },
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('merchantStatus', ['pending', 'active', 'suspended', 'closed']) },
    ],
    columns: [
      { key: 'code', label: t('field.code'), render: (m) => link(`/console/merchants/${m.id}`, m.code) },
      { key: 'name', label: t('field.name') },
      { key: 'kind', label: t('field.kind'), render: (m) => label('merchantKind', m.kind) },
      { key: 'status', label: t('field.status'), render: (m) => badge('merchantStatus', m.status) },
      { key: 'contact', label: t('merchants.contact'), render: (m) => `${m.contactName} ${m.contactPhone}` },
      { key: 'depositFen', label: t('merchants.deposit'), align: 'num', render: (m) => money(m.depositFen) },
    ],
  });
  add(root, pageHeader(t('merchants.title'), canOnPlatform('merchant.manage') ? link('/console/applications', t('merchants.applications'), { class: 'btn' }) : null),
    table.element);
  table.reload();
}

async function renderMerchant(root, id) {
  let merchant;
  try {
    merchant = await get(`/admin/merchants/${id}`);
  } catch (error) {
    add(root, pageHeader(t('merchants.title')), errorNotice(error));
    return;
  }
  const platform = canOnPlatform('merchant.manage');
  add(root, h('p', { class: 'breadcrumb' }, link('/console/merchants', t('merchants.title'))));
  add(root, h('header', { class: 'page-header' },
    h('h1', {}, `${merchant.code} ${merchant.name}`, ' ', badge('merchantStatus', merchant.status)),
    h('div', { class: 'page-actions' }, platform && merchant.kind === 'third_party'
      ? (nextStatuses[merchant.status] || []).map((next) => button(label('merchantAction', next), async () => {
        const done = await formDialog(label('merchantAction', next), {
          fields: [{ name: 'reason', label: t('field.reason'), type: 'textarea', rows: 2, required: next !== 'active' }],
          submitLabel: t('action.confirm'),
          onSubmit: (v) => post(`/admin/merchants/${merchant.id}/status`, { status: next, ...v }),
        });
        if (done) location.reload();
      }, { kind: next === 'active' ? 'primary' : 'danger' }))
      : null)));
  add(root, h('section', { class: 'card' }, facts([
    [t('field.kind'), label('merchantKind', merchant.kind)],
    [t('merchants.creditCode'), merchant.creditCode || '—'],
    [t('merchants.commission'), `${(merchant.commissionRateBasisPoints / 100).toFixed(2)}%`],
    [t('merchants.deposit'), money(merchant.depositFen)],
    [t('field.createdAt'), dateTime(merchant.createdAt)],
  ])));

  // The platform records the deposit it holds; merchants read it.
  if (platform) {
    const deposit = createForm({
      fields: [
        { name: 'depositFen', label: t('merchants.deposit'), type: 'money', required: true, value: merchant.depositFen },
        { name: 'note', label: t('merchants.depositNote'), maxlength: 200 },
      ],
      submitLabel: t('merchants.saveDeposit'),
      onSubmit: (v) => put(`/admin/merchants/${merchant.id}/deposit`, v),
      onSuccess: () => announce(t('common.saved')),
    });
    add(root, h('section', { class: 'card' }, h('h2', { text: t('merchants.deposit') }), deposit.element));
  }

  const editable = can('merchant.manage');
  const profile = createForm({
    fields: [
      { name: 'name', label: t('field.name'), required: true, value: merchant.name, maxlength: 60 },
      { name: 'contactName', label: t('merchants.contactName'), required: true, value: merchant.contactName, maxlength: 30 },
      { name: 'contactPhone', label: t('field.phone'), type: 'tel', required: true, value: merchant.contactPhone },
      { name: 'contactEmail', label: t('field.email'), type: 'email', value: merchant.contactEmail, keepEmpty: true },
    ].map((f) => ({ ...f, readOnly: !editable, disabled: !editable })),
    submitLabel: t('action.save'),
    onSubmit: (v) => patch(`/admin/merchants/${merchant.id}`, v),
    onSuccess: () => announce(t('common.saved')),
  });
  if (!editable) profile.element.querySelector('.form-actions').hidden = true;
  add(root, h('section', { class: 'card' }, h('h2', { text: t('merchants.profile') }), profile.element));

  // The shop page's face is the merchant's own, like its catalogue.
  if (can('catalog.edit')) {
    const logo = logoUpload(merchant);
    const face = createForm({
      fields: [
        { name: 'description', label: t('merchants.shopDescription'), type: 'textarea', rows: 3, value: merchant.description, keepEmpty: true },
        { name: 'logoUrl', label: t('merchants.logoUrl'), value: merchant.logoUrl, keepEmpty: true, help: t('merchants.logoHelp') },
      ],
      extra: logo.element,
      submitLabel: t('action.save'),
      onSubmit: (v) => put(`/admin/merchants/${merchant.id}/shop`, v),
      onSuccess: () => announce(t('common.saved')),
    });
    logo.fillInto(face.input('logoUrl'));
    add(root, h('section', { class: 'card' }, h('h2', { text: t('merchants.shop') }),
      h('p', {}, link(`/merchants/${merchant.id}`, t('merchants.openShop'))), face.element));
  }

  const stores = createTable({
    caption: t('merchants.stores'),
    endpoint: '/admin/stores',
    baseParams: { merchantId: merchant.id },
    columns: [
      { key: 'code', label: t('field.code'), render: (s) => link(`/console/stores/${s.id}`, s.code) },
      { key: 'name', label: t('field.name') },
      { key: 'status', label: t('field.status'), render: (s) => badge('storeStatus', s.status) },
      { key: 'address', label: t('field.address'), render: (s) => `${s.province}${s.city}${s.district}${s.address}` },
    ],
  });
  add(root, h('section', { class: 'card' }, h('h2', { text: t('merchants.stores') }), stores.element));
  stores.reload();
}

/**
 * The shop logo, uploaded through the media upload (filed under the merchant, like its product
 * images): the uploaded file's address goes into the logo field and shows as a preview.
 */
function logoUpload(merchant) {
  const input = h('input', { id: 'merchant-logo-file', type: 'file', accept: 'image/jpeg,image/png,image/webp' });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const preview = h('img', { class: 'merchant-logo-preview', alt: t('merchants.logoPreview'), width: 64, height: 64, hidden: !merchant.logoUrl, src: merchant.logoUrl || undefined });
  return {
    element: h('div', { class: 'field logo-upload' }, h('label', { for: 'merchant-logo-file', text: t('merchants.uploadLogo') }), input, preview, status),
    fillInto(target) {
      const show = () => { preview.hidden = !target.value.trim(); if (target.value.trim()) preview.src = target.value.trim(); };
      target.addEventListener('change', show);
      input.addEventListener('change', async () => {
        const file = input.files[0];
        if (!file) return;
        status.textContent = t('catalog.uploading', { name: file.name });
        const form = new FormData();
        form.append('merchantId', merchant.id);
        form.append('file', file);
        try {
          const media = await api('/admin/media/images', { method: 'POST', form });
          target.value = media.url;
          show();
          status.textContent = t('merchants.logoUploaded', { name: file.name });
        } catch (error) {
          status.textContent = t('catalog.uploadFailed', { name: file.name, detail: errorText(error) });
        }
        input.value = '';
      });
    },
  };
}
