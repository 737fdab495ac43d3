import { can } from '../context.js';
import { get, post } from '../api.js';
import { add, h, pageHeader, badge, link, subnav, button, busy, announce, errorText, notice } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, label } from '../i18n.js';
import { enumOptions, confirmDialog, refundCause } from '../widgets.js';

const refundStatuses = ['pending', 'processing', 'succeeded', 'failed', 'retried'];
const paymentStatuses = ['pending', 'paid', 'partially_refunded', 'refunded'];
// The providers the server knows, in the order shoppers see them; `sandbox` is the built-in
// test gateway and moves no money.
const providers = ['wechat', 'alipay', 'sandbox'];

export async function render(root, { id }) {
  if (id === 'refunds') return renderRefunds(root);
  if (id) {
    add(root, pageHeader(t('payments.title')), tabs(null), notice(t('error.notFound'), 'error'));
    return undefined;
  }
  return renderPayments(root);
}

function tabs(current) {
  return subnav(t('payments.title'), [
    { key: 'payments', label: t('payments.payments'), href: '/console/payments' },
    { key: 'refunds', label: t('payments.refunds'), href: '/console/payments/refunds' },
  ], current);
}

/** The provider's name; the sandbox reads as the test gateway so nobody takes it for real money. */
function providerCell(code) {
  if (code !== 'sandbox') return label('provider', code);
  return h('span', { class: 'provider-test' }, label('provider', code));
}

function paymentStatusBadge(status) {
  const node = badge('paymentStatus', status);
  node.classList.add('payment-status');
  return node;
}

function orderLinks(orders) {
  if (!orders || !orders.length) return '';
  return h('ul', { class: 'plain' }, orders.map((o) => h('li', {}, link(`/console/orders/${o.id}`, o.number, { class: 'mono' }))));
}

/**
 * Providers worth filtering by. The list filter refuses (422) a provider the server has no
 * credentials for, so the choices are those the public provider list reports (configured and
 * switched on) plus the sandbox, which the filter always accepts. A configured provider that
 * is switched off for shoppers is not offered; its payments still show under "all".
 */
async function providerChoices() {
  let enabled = [];
  try {
    enabled = (await get('/payments/providers')).map((p) => p.code);
  } catch {
    // The sandbox alone still makes a working filter.
  }
  return providers.filter((code) => code === 'sandbox' || enabled.includes(code));
}

async function renderPayments(root) {
  const choices = await providerChoices();
  const table = createTable({
    caption: t('payments.paymentsCaption'),
    endpoint: '/admin/payments',
    sortFields: ['createdAt', 'amountFen', 'status', 'refundedFen', 'provider', 'paidAt'],
    syncUrl: true,
    filters: [
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('paymentStatus', paymentStatuses) },
      { name: 'provider', label: t('payments.provider'), type: 'select', options: enumOptions('provider', choices) },
    ],
    emptyText: t('payments.noPayments'),
    columns: [
      { key: 'createdAt', label: t('field.createdAt'), render: (p) => dateTime(p.createdAt) },
      { key: 'orders', label: t('payments.orders'), render: (p) => orderLinks(p.orders) },
      { key: 'amountFen', label: t('payments.amount'), align: 'num', render: (p) => money(p.amountFen) },
      { key: 'status', label: t('field.status'), render: (p) => paymentStatusBadge(p.status) },
      { key: 'refundedFen', label: t('payments.refunded'), align: 'num',
        render: (p) => (p.refundedFen ? money(p.refundedFen) : h('span', { class: 'muted', text: money(0) })) },
      { key: 'provider', label: t('payments.provider'), render: (p) => providerCell(p.provider) },
      { key: 'providerTransactionId', label: t('payments.transactionId'), render: (p) => h('span', { class: 'mono', text: p.providerTransactionId || '' }) },
      { key: 'paidAt', label: t('payments.paidAt'), render: (p) => dateTime(p.paidAt) },
    ],
  });
  add(root, pageHeader(t('payments.title')), tabs('payments'), table.element);
  table.reload();
}

function renderRefunds(root) {
  let table;
  const retry = async (event, refund) => {
    const node = event.currentTarget;
    if (!(await confirmDialog(t('payments.retryTitle'), t('payments.retryConfirm', { amount: money(refund.amountFen) })))) return;
    try {
      await busy(node, () => post(`/admin/refunds/${refund.id}/retry`));
      announce(t('payments.retried'));
      table.reload();
    } catch (error) {
      announce(errorText(error), 'error');
    }
  };
  const refundable = can('payment.refund');
  table = createTable({
    caption: t('payments.refundsCaption'),
    endpoint: '/admin/refunds',
    sortFields: ['createdAt', 'amountFen', 'status', 'cause', 'provider', 'completedAt'],
    syncUrl: true,
    filters: [{ name: 'status', label: t('field.status'), type: 'select', options: enumOptions('refundStatus', refundStatuses) }],
    rowClass: (r) => (r.status === 'failed' ? 'row-warning' : null),
    columns: [
      { key: 'createdAt', label: t('field.createdAt'), render: (r) => dateTime(r.createdAt) },
      { key: 'amountFen', label: t('payments.amount'), align: 'num', render: (r) => money(r.amountFen) },
      { key: 'status', label: t('field.status'), render: (r) => badge('refundStatus', r.status) },
      { key: 'cause', label: t('payments.cause'), render: refundCause },
      { key: 'provider', label: t('payments.provider'), render: (r) => providerCell(r.provider) },
      { key: 'orderId', label: t('field.order'), render: (r) => (r.orderId ? link(`/console/orders/${r.orderId}`, t('payments.openOrder')) : '') },
      { key: 'providerRefundId', label: t('payments.providerRefundId'), render: (r) => h('span', { class: 'mono', text: r.providerRefundId || '' }) },
      { key: 'completedAt', label: t('payments.completedAt'), render: (r) => dateTime(r.completedAt) },
      ...(refundable ? [{ key: 'actions', label: t('table.actions'), action: true, render: (r) => (r.status === 'failed'
        ? button(t('payments.retry'), (e) => retry(e, r), { kind: 'primary', 'aria-label': `${t('payments.retry')} ${money(r.amountFen)}` }) : '') }] : []),
    ],
  });
  add(root, pageHeader(t('payments.title')), tabs('refunds'), table.element);
  table.reload();
}
