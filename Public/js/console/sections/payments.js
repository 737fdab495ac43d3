import { can } from '../context.js';
import { post } from '../api.js';
import { add, h, pageHeader, badge, link, button, busy, announce, errorText, notice } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, label } from '../i18n.js';
import { enumOptions, confirmDialog } from '../widgets.js';

const statuses = ['pending', 'processing', 'succeeded', 'failed', 'retried'];

export async function render(root) {
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
    syncUrl: true,
    filters: [{ name: 'status', label: t('field.status'), type: 'select', options: enumOptions('refundStatus', statuses) }],
    rowClass: (r) => (r.status === 'failed' ? 'row-warning' : null),
    columns: [
      { key: 'createdAt', label: t('field.createdAt'), render: (r) => dateTime(r.createdAt) },
      { key: 'amountFen', label: t('payments.amount'), align: 'num', render: (r) => money(r.amountFen) },
      { key: 'status', label: t('field.status'), render: (r) => badge('refundStatus', r.status) },
      { key: 'cause', label: t('payments.cause'), render: (r) => label('refundCause', r.cause) },
      { key: 'provider', label: t('payments.provider'), render: (r) => label('provider', r.provider) },
      { key: 'orderId', label: t('field.order'), sortable: false, render: (r) => (r.orderId ? link(`/console/orders/${r.orderId}`, t('payments.openOrder')) : '') },
      { key: 'providerRefundId', label: t('payments.providerRefundId'), render: (r) => h('span', { class: 'mono', text: r.providerRefundId || '' }) },
      { key: 'completedAt', label: t('payments.completedAt'), render: (r) => dateTime(r.completedAt) },
      ...(refundable ? [{ key: 'actions', label: t('table.actions'), action: true, render: (r) => (r.status === 'failed'
        ? button(t('payments.retry'), (e) => retry(e, r), { kind: 'primary', 'aria-label': `${t('payments.retry')} ${money(r.amountFen)}` }) : '') }] : []),
    ],
  });
  add(root, pageHeader(t('payments.title')), h('h2', { text: t('payments.refunds') }), notice(t('payments.onlyRefunds'), 'info'), table.element);
  table.reload();
}
