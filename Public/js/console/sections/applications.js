import { get, post, apiUrl } from '../api.js';
import { add, h, pageHeader, badge, link, button, announce, errorNotice, facts, openDialog, notice } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, label } from '../i18n.js';
import { enumOptions, formDialog, reasonDialog } from '../widgets.js';

const statuses = ['submitted', 'under_review', 'needs_changes', 'resubmitted', 'approved', 'rejected'];

// The merchant applications queue (招商入驻) and one application's review screen.
export async function render(root, { id }) {
  if (id) return renderApplication(root, id);
  const table = createTable({
    caption: t('applications.caption'),
    endpoint: '/admin/merchant-applications',
    syncUrl: true,
    filters: [{ name: 'status', label: t('field.status'), type: 'select', options: enumOptions('applicationStatus', statuses) }],
    columns: [
      { key: 'companyName', label: t('applications.company'), render: (a) => link(`/console/applications/${a.id}`, a.companyName) },
      { key: 'creditCode', label: t('applications.creditCode') },
      { key: 'contact', label: t('merchants.contact'), render: (a) => `${a.contactName} ${a.contactPhone}` },
      { key: 'status', label: t('field.status'), render: (a) => badge('applicationStatus', a.status) },
      { key: 'createdAt', label: t('field.createdAt'), render: (a) => dateTime(a.createdAt) },
    ],
  });
  add(root, pageHeader(t('applications.title')), table.element);
  table.reload();
}

/** A paper, fetched with the session cookie (papers are never public) and shown from memory. */
function documentImage(applicationId, kind) {
  const img = h('img', { class: 'application-document', alt: label('applicationDocument', kind), loading: 'lazy' });
  fetch(apiUrl(`/admin/merchant-applications/${applicationId}/documents/${kind}`), { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.blob() : null))
    .then((blob) => { if (blob) img.src = URL.createObjectURL(blob); });
  return h('figure', {}, img, h('figcaption', { text: label('applicationDocument', kind) }));
}

async function renderApplication(root, id) {
  let application;
  try {
    application = await get(`/admin/merchant-applications/${id}`);
  } catch (error) {
    add(root, pageHeader(t('applications.title')), errorNotice(error));
    return;
  }
  const a = application;
  const base = `/admin/merchant-applications/${a.id}`;
  const step = (path, body) => post(`${base}/${path}`, body);
  const actions = [];
  if (a.status === 'submitted' || a.status === 'resubmitted') {
    actions.push(button(t('applications.take'), async () => { await step('review'); location.reload(); }, { kind: 'primary' }));
  }
  if (a.status === 'under_review') {
    actions.push(button(t('applications.approve'), () => approve(a), { kind: 'primary' }));
    actions.push(button(t('applications.requestChanges'), async () => {
      if (await reasonDialog(t('applications.requestChanges'), (v) => step('request-changes', v))) location.reload();
    }));
    actions.push(button(t('applications.reject'), async () => {
      if (await reasonDialog(t('applications.reject'), (v) => step('reject', v))) location.reload();
    }, { kind: 'danger' }));
  }
  add(root, h('p', { class: 'breadcrumb' }, link('/console/applications', t('applications.title'))));
  add(root, h('header', { class: 'page-header' },
    h('h1', {}, a.companyName, ' ', badge('applicationStatus', a.status)), h('div', { class: 'page-actions' }, actions)));
  if (a.reason) add(root, notice(t('applications.reasonGiven', { reason: a.reason }), a.status === 'rejected' ? 'error' : 'info'));
  if (a.merchantId) add(root, h('p', {}, link(`/console/merchants/${a.merchantId}`, t('applications.merchantCreated'))));
  add(root, h('section', { class: 'card' }, facts([
    [t('applications.creditCode'), a.creditCode],
    [t('applications.legalRepresentative'), a.legalRepresentative],
    [t('merchants.contact'), `${a.contactName} ${a.contactPhone} ${a.contactEmail || ''}`],
    [t('applications.brand'), a.brandName || '—'],
    [t('applications.description'), a.description || '—'],
    [t('applications.bank'), `${a.bankAccount.accountName} · ${a.bankAccount.bankName} ${a.bankAccount.branchName} · ${a.bankAccount.accountNumber}`],
    [t('field.createdAt'), dateTime(a.createdAt)],
  ])));
  add(root, h('section', { class: 'card' }, h('h2', { text: t('merchants.stores') }),
    h('ul', {}, a.stores.map((s) => h('li', { text: `${s.name} · ${s.province}${s.city}${s.district}${s.address} · ${s.phone}` })))));
  add(root, h('section', { class: 'card application-documents' }, h('h2', { text: t('applications.documents') }),
    a.missingDocuments.length ? notice(t('applications.missing', { kinds: a.missingDocuments.map((k) => label('applicationDocument', k)).join('、') }), 'error') : null,
    a.documents.map((d) => documentImage(a.id, d.kind))));
}

async function approve(application) {
  const approved = await formDialog(t('applications.approve'), {
    fields: [
      { name: 'merchantCode', label: t('applications.merchantCode'), required: true, maxlength: 16, help: t('applications.merchantCodeHelp') },
      { name: 'adminUsername', label: t('applications.adminUsername'), maxlength: 32, help: t('applications.adminUsernameHelp') },
      // A percentage, as on the fee rules page; the API takes basis points.
      { name: 'commissionRate', label: t('applications.commission'), value: '5.00', inputmode: 'decimal' },
    ],
    aliases: { commissionRateBasisPoints: 'commissionRate' },
    submitLabel: t('applications.approve'),
    onSubmit: ({ commissionRate, ...v }) => post(`/admin/merchant-applications/${application.id}/approve`, {
      ...v,
      commissionRateBasisPoints: String(commissionRate ?? '').trim() === '' ? undefined : Math.round(Number(commissionRate) * 100),
    }),
  });
  if (!approved) return;
  // The first password is in this answer only: show it once, then the reviewer passes it on.
  await openDialog(t('applications.approvedTitle'), h('div', { class: 'approved-login' },
    h('p', { text: t('applications.approvedNote') }),
    facts([[t('applications.adminUsername'), approved.adminUsername], [t('applications.initialPassword'), h('code', { class: 'initial-password', text: approved.initialPassword })]])));
  announce(t('common.saved'));
  location.reload();
}
