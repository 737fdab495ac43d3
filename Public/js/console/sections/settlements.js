import { can, canOnPlatform } from '../context.js';
import { api, get, post, apiUrl } from '../api.js';
import { add, h, pageHeader, badge, link, subnav, button, busy, announce, errorText, notice, facts } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money } from '../i18n.js';
import { enumOptions, confirmDialog, formDialog, loadMerchants } from '../widgets.js';

const statuses = ['draft', 'confirmed', 'paid', 'carried_forward'];

export async function render(root, { id }) {
  if (id === 'balances') return renderBalances(root);
  if (id === 'payouts') return renderPayouts(root);
  if (id === 'fee-rules') return renderFeeRules(root);
  if (id) return renderStatement(root, id);
  return renderStatements(root);
}

function tabs(current) {
  return subnav(t('settlements.title'), [
    { key: 'statements', label: t('settlements.statements'), href: '/console/settlements' },
    { key: 'balances', label: t('settlements.balances'), href: '/console/settlements/balances' },
    { key: 'payouts', label: t('settlements.payouts'), href: '/console/settlements/payouts' },
    { key: 'fee-rules', label: t('settlements.feeRules'), href: '/console/settlements/fee-rules' },
  ], current);
}

/** The period's first and last day in the shop's time zone, as the server names them. */
function period(s) {
  return `${s.firstDay} – ${s.lastDay}`;
}

function renderStatements(root) {
  const table = createTable({
    caption: t('settlements.statementsCaption'),
    endpoint: '/admin/settlements',
    syncUrl: true,
    filters: [{ name: 'status', label: t('field.status'), type: 'select', options: enumOptions('statementStatus', statuses) }],
    emptyText: t('settlements.noStatements'),
    columns: [
      { key: 'merchantName', label: t('settlements.merchant'), render: (s) => s.merchantName },
      { key: 'period', label: t('settlements.period'), render: (s) => link(`/console/settlements/${s.id}`, period(s)) },
      { key: 'status', label: t('field.status'), render: (s) => badge('statementStatus', s.status) },
      { key: 'entryCount', label: t('settlements.entries'), align: 'num', render: (s) => String(s.entryCount) },
      { key: 'shopperPaid', label: t('settlements.shopperPaid'), align: 'num', render: (s) => money(s.totals.shopperPaidFen) },
      { key: 'commission', label: t('settlements.commission'), align: 'num', render: (s) => money(s.totals.commissionFen) },
      { key: 'net', label: t('settlements.net'), align: 'num', render: (s) => money(s.netFen) },
    ],
  });
  const actions = [];
  if (canOnPlatform('settlement.manage')) actions.push(runButton(() => table.reload()));
  add(root, pageHeader(t('settlements.title'), ...actions), tabs('statements'), table.element);
  table.reload();
}

function runButton(after) {
  return button(t('settlements.run'), async (event) => {
    try {
      const result = await busy(event.currentTarget, () => post('/admin/settlements/runs'));
      announce(t('settlements.ran', { entries: result.entriesBooked, statements: result.statementsIssued }));
      after();
    } catch (error) {
      announce(errorText(error), 'error');
    }
  }, { kind: 'primary' });
}

function totalsFacts(totals) {
  return facts([
    [t('settlements.shopperPaid'), money(totals.shopperPaidFen)],
    [t('settlements.refunded'), money(totals.refundedFen)],
    [t('settlements.platformDiscount'), money(totals.platformDiscountFen)],
    [t('settlements.commission'), money(totals.commissionFen)],
    [t('settlements.channelFee'), money(totals.channelFeeFen)],
    [t('settlements.shipping'), money(totals.shippingFen)],
    [t('settlements.net'), h('strong', { class: 'statement-net', text: money(totals.merchantNetFen) })],
  ]);
}

async function renderStatement(root, id) {
  const detail = await get(`/admin/settlements/${id}`);
  const s = detail.statement;
  const actions = [
    link(apiUrl(`/admin/settlements/${id}/export.csv`), t('settlements.exportCsv'), { class: 'btn', download: '' }),
    link(apiUrl(`/admin/settlements/${id}/export.xlsx`), t('settlements.exportXlsx'), { class: 'btn', download: '' }),
  ];
  const reload = () => { location.reload(); };
  if (s.status === 'draft' && can('settlement.confirm')) {
    actions.push(button(t('settlements.confirm'), async (event) => {
      // The event's target is gone once the dialog has been awaited.
      const node = event.currentTarget;
      if (!(await confirmDialog(t('settlements.confirmTitle'), t('settlements.confirmText', { amount: money(s.netFen) })))) return;
      try {
        await busy(node, () => post(`/admin/settlements/${id}/confirm`));
        announce(t('settlements.confirmed'));
        reload();
      } catch (error) {
        announce(errorText(error), 'error');
      }
    }, { kind: 'primary' }));
  }
  if (s.status === 'confirmed' && canOnPlatform('settlement.manage')) {
    actions.push(button(t('settlements.recordPayout'), async () => {
      const upload = receiptUpload(s.merchantId);
      const done = await formDialog(t('settlements.recordPayout'), {
        extra: upload.element,
        setup: (form) => upload.fillInto(form.element.querySelector('[name="receiptUrl"]')),
        fields: [
          { name: 'amountFen', label: t('settlements.amount'), type: 'money', required: true, value: s.netFen },
          { name: 'bankReference', label: t('settlements.bankReference'), required: true },
          { name: 'paidOn', label: t('settlements.paidOn'), type: 'date', required: true, value: new Date().toISOString().slice(0, 10) },
          { name: 'receiptUrl', label: t('settlements.receiptUrl'), placeholder: '/files/…' },
        ],
        submitLabel: t('settlements.recordPayout'),
        onSubmit: (v) => post('/admin/payouts', {
          statementId: id, amountFen: v.amountFen, bankReference: v.bankReference, paidOn: v.paidOn, receiptUrl: v.receiptUrl || undefined,
        }),
      });
      if (done) { announce(t('settlements.paidNow')); reload(); }
    }, { kind: 'primary' }));
  }
  const info = facts([
    [t('settlements.merchant'), s.merchantName],
    [t('settlements.period'), period(s)],
    [t('field.status'), badge('statementStatus', s.status)],
    [t('settlements.issuedAt'), dateTime(s.issuedAt)],
    ...(s.autoConfirmsAt ? [[t('settlements.autoConfirmsAt'), dateTime(s.autoConfirmsAt)]] : []),
    ...(s.confirmedAt ? [[t('settlements.confirmedAt'), `${dateTime(s.confirmedAt)} · ${s.confirmation === 'automatic' ? t('settlements.automatic') : (s.confirmedBy || '')}`]] : []),
    // A net of zero or less is carried into the merchant's next statement instead of paid.
    ...(s.broughtForwardFen ? [[t('settlements.broughtForward'), money(s.broughtForwardFen)], [t('settlements.netDue'), money(s.netFen)]] : []),
    ...(s.status === 'carried_forward' ? [[t('settlements.carriedInto'), s.carriedIntoStatementId
      ? link(`/console/settlements/${s.carriedIntoStatementId}`, t('settlements.nextStatement')) : t('settlements.nextStatementPending')]] : []),
    ...(s.payout ? [[t('settlements.payout'), `${money(s.payout.amountFen)} · ${s.payout.bankReference} · ${s.payout.paidOn}`]] : []),
  ]);
  add(root, pageHeader(t('settlements.statementTitle', { merchant: s.merchantName }), ...actions), tabs('statements'),
    info, h('h2', { text: t('settlements.totals') }), totalsFacts(s.totals), entriesTable(detail.entries, t('settlements.entriesCaption')));
}

/** Settlement entries, one row each: a statement's, or those waiting for the next statement. */
function entriesTable(entries, caption) {
  const rows = entries.map((e) => h('tr', {},
    h('td', { text: dateTime(e.bookedAt) }),
    h('td', { text: t(`settlements.kind.${e.kind}`) }),
    h('td', {}, link(`/console/orders/${e.orderId}`, e.orderNumber, { class: 'mono' })),
    h('td', { text: e.title || t(`settlements.kind.${e.kind}`) }),
    h('td', { class: 'num', text: e.commissionRateBasisPoints == null ? '' : `${(e.commissionRateBasisPoints / 100).toFixed(2)}%` }),
    h('td', { class: 'num', text: money(e.totals.shopperPaidFen) }),
    h('td', { class: 'num', text: money(e.totals.refundedFen) }),
    h('td', { class: 'num', text: money(e.totals.platformDiscountFen) }),
    h('td', { class: 'num', text: money(e.totals.commissionFen) }),
    h('td', { class: 'num', text: money(e.totals.channelFeeFen) }),
    h('td', { class: 'num', text: money(e.totals.merchantNetFen) })));
  const heads = ['bookedAt', 'kind', 'order', 'item', 'rate', 'shopperPaid', 'refunded', 'platformDiscount', 'commission', 'channelFee', 'net'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data statement-entries' },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col', text: t(`settlements.${k}`) })))),
    h('tbody', {}, rows)));
}

/**
 * A photo or scan of the bank's receipt, uploaded through the media upload (filed under the
 * statement's merchant); the uploaded file's address goes into the form's receipt field.
 */
function receiptUpload(merchantId) {
  const input = h('input', { id: 'payout-receipt-file', type: 'file', accept: 'image/jpeg,image/png,image/webp' });
  const status = h('p', { class: 'muted', role: 'status' });
  return {
    element: h('div', { class: 'receipt-upload' }, h('label', { for: 'payout-receipt-file', text: t('settlements.uploadReceipt') }), input, status),
    fillInto(target) {
      input.addEventListener('change', async () => {
        const file = input.files[0];
        if (!file || !target) return;
        const form = new FormData();
        form.append('merchantId', merchantId);
        form.append('file', file);
        try {
          const media = await api('/admin/media/images', { method: 'POST', form });
          target.value = media.url;
          status.textContent = t('settlements.uploaded', { name: file.name });
        } catch (error) {
          status.textContent = t('settlements.uploadFailed', { name: file.name, detail: errorText(error) });
        }
      });
    },
  };
}

async function renderBalances(root) {
  const list = h('div');
  const load = async () => {
    const balances = await get('/admin/settlements/balances');
    const heads = ['merchant', 'awaiting', 'pending', 'settledUnpaid', 'paid', ...(manages ? ['actions'] : [])];
    list.replaceChildren(balances.length ? h('table', { class: 'data balances' },
      h('caption', { text: t('settlements.balancesCaption') }),
      h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col', text: t(`settlements.${k}`) })))),
      h('tbody', {}, balances.map((b) => h('tr', {},
        h('td', {}, link(`/console/settlements/balances?merchantId=${b.merchantId}`, b.merchantName)),
        h('td', { class: 'num', text: money(b.awaitingSettlementFen) }),
        h('td', { class: 'num', text: money(b.pendingStatementFen) }),
        h('td', { class: 'num', text: money(b.settledUnpaidFen) }),
        h('td', { class: 'num', text: money(b.paidFen) }),
        ...(manages ? [h('td', {}, issueNowButton(b))] : []))))) : notice(t('settlements.noBalances')));
  };
  const manages = canOnPlatform('settlement.manage');
  await load();
  const actions = manages ? [runButton(load)] : [];
  add(root, pageHeader(t('settlements.title'), ...actions), tabs('balances'), list);
  // One merchant's entries booked and waiting for its next statement: what "pending" is made of.
  const merchantId = new URLSearchParams(location.search).get('merchantId');
  if (merchantId) {
    const entries = await get(`/admin/settlements/balances/${encodeURIComponent(merchantId)}/entries`);
    add(root, h('h2', { text: t('settlements.pendingEntries') }),
      entries.length ? entriesTable(entries, t('settlements.pendingCaption')) : notice(t('settlements.noPendingEntries')));
  }
}

/** 提前结算: a statement now for everything booked, e.g. for a merchant leaving the platform. */
function issueNowButton(balance) {
  return button(t('settlements.issueNow'), async (event) => {
    const node = event.currentTarget;
    if (!(await confirmDialog(t('settlements.issueNowTitle'), t('settlements.issueNowText', { merchant: balance.merchantName })))) return;
    try {
      const statement = await busy(node, () => post('/admin/settlements/issue', { merchantId: balance.merchantId }));
      location.assign(`/console/settlements/${statement.id}`);
    } catch (error) {
      announce(errorText(error), 'error');
    }
  });
}

function renderPayouts(root) {
  const table = createTable({
    caption: t('settlements.payoutsCaption'),
    endpoint: '/admin/payouts',
    emptyText: t('settlements.noPayouts'),
    columns: [
      { key: 'paidOn', label: t('settlements.paidOn'), render: (p) => p.paidOn },
      { key: 'merchantName', label: t('settlements.merchant'), render: (p) => p.merchantName },
      { key: 'amountFen', label: t('settlements.amount'), align: 'num', render: (p) => money(p.amountFen) },
      { key: 'bankReference', label: t('settlements.bankReference'), render: (p) => h('span', { class: 'mono', text: p.bankReference }) },
      { key: 'statement', label: t('settlements.statement'), render: (p) => link(`/console/settlements/${p.statementId}`, t('settlements.open')) },
      { key: 'receipt', label: t('settlements.receiptUrl'), render: (p) => (p.receiptUrl ? link(p.receiptUrl, t('settlements.receipt')) : '') },
      { key: 'recordedBy', label: t('settlements.recordedBy'), render: (p) => p.recordedBy },
    ],
  });
  add(root, pageHeader(t('settlements.title')), tabs('payouts'), table.element);
  table.reload();
}

async function renderFeeRules(root) {
  const merchants = [...(await loadMerchants()).values()].filter((m) => m.kind === 'third_party');
  const ownMerchants = merchants.length ? merchants : [];
  const body = h('div');
  const chooser = h('select', { id: 'fee-rule-merchant', onchange: () => show(chooser.value) },
    ownMerchants.map((m) => h('option', { value: m.id }, m.name)));
  const show = async (merchantId) => {
    if (!merchantId) { body.replaceChildren(notice(t('settlements.noMerchants'))); return; }
    try {
      const list = await get(`/admin/merchants/${merchantId}/fee-rules`);
      const rows = list.rules.map((r) => h('tr', { class: r.inForce ? 'row-current' : null },
        h('td', { text: r.categoryName || t('settlements.allCategories') }),
        h('td', { class: 'num', text: `${(r.rateBasisPoints / 100).toFixed(2)}%` }),
        h('td', { class: 'num', text: money(r.fixedFeeFen) }),
        h('td', { text: dateTime(r.effectiveFrom) }),
        h('td', {}, r.inForce ? badge('feeRule', 'inForce') : ''),
        h('td', { text: r.createdBy })));
      const adding = canOnPlatform('settlement.manage') ? button(t('settlements.addRule'), async () => {
        const categories = await get('/admin/categories').catch(() => []);
        const options = [{ value: '', label: t('settlements.allCategories') }, ...flatten(categories)];
        const done = await formDialog(t('settlements.addRule'), {
          fields: [
            { name: 'categoryId', label: t('settlements.category'), type: 'select', options },
            { name: 'rate', label: t('settlements.ratePercent'), required: true, placeholder: '5.00' },
            { name: 'fixedFeeFen', label: t('settlements.fixedFee'), type: 'money', placeholder: '0.00' },
            { name: 'effectiveFrom', label: t('settlements.effectiveFrom'), type: 'datetime' },
          ],
          aliases: { rateBasisPoints: 'rate' },
          submitLabel: t('action.save'),
          onSubmit: (v) => post(`/admin/merchants/${merchantId}/fee-rules`, {
            categoryId: v.categoryId || undefined,
            rateBasisPoints: Math.round(Number(v.rate) * 100),
            fixedFeeFen: v.fixedFeeFen ?? 0,
            effectiveFrom: v.effectiveFrom,
          }),
        });
        if (done) { announce(t('settlements.ruleAdded')); show(merchantId); }
      }, { kind: 'primary' }) : null;
      body.replaceChildren(
        h('p', { class: 'muted', text: t('settlements.defaultRate', { rate: (list.defaultRateBasisPoints / 100).toFixed(2) }) }),
        adding || '',
        rows.length ? h('table', { class: 'data fee-rules' },
          h('caption', { text: t('settlements.feeRulesCaption', { merchant: list.merchantName }) }),
          h('thead', {}, h('tr', {}, ['category', 'rate', 'fixedFee', 'effectiveFrom', 'inForce', 'createdBy'].map((k) => h('th', { scope: 'col', text: t(`settlements.${k}`) })))),
          h('tbody', {}, rows)) : notice(t('settlements.noRules')));
    } catch (error) {
      body.replaceChildren(notice(errorText(error), 'error'));
    }
  };
  const picker = ownMerchants.length > 1 ? h('p', {}, h('label', { for: 'fee-rule-merchant', text: `${t('settlements.merchant')} ` }), chooser) : null;
  add(root, pageHeader(t('settlements.title')), tabs('fee-rules'), picker || '', body);
  await show(ownMerchants[0]?.id || '');
}

function flatten(nodes, depth = 0) {
  return (nodes || []).flatMap((n) => [{ value: n.id, label: `${'  '.repeat(depth)}${n.name}` }, ...flatten(n.children, depth + 1)]);
}
