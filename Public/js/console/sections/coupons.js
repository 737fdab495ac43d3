import { get, post, put, apiUrl } from '../api.js';
import { add, h, pageHeader, button, announce, openDialog, errorNotice } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, number, label, labelledOptions } from '../i18n.js';
import { formDialog } from '../widgets.js';
import { summaryDialog } from './promotions.js';

/** Claimed and used counts move while the page is open: the table refreshes on this beat. */
const refreshMs = 15_000;

function value(c) {
  switch (c.kind) {
    case 'cash':
    case 'threshold': return money(c.amountOffFen ?? 0);
    case 'percentage': return `${(c.percentOffBasisPoints ?? 0) / 100}%${c.capFen ? ` ≤ ${money(c.capFen)}` : ''}`;
    default: return label('couponKind', c.kind);
  }
}

const rate = (c) => (c.claimedCount > 0 ? `${Math.round((c.usedCount * 1000) / c.claimedCount) / 10}%` : '–');

export async function render(root) {
  add(root, pageHeader(t('coupons.title'), button(t('coupons.new'), () => edit(null), { kind: 'primary' })));
  let table;

  async function edit(template) {
    const saved = await formDialog(template ? t('coupons.editTitle', { title: template.title }) : t('coupons.new'), {
      fields: [
        { name: 'title', label: t('coupons.name'), required: true, value: template?.title, maxlength: 40 },
        { name: 'kind', label: t('coupons.kind'), type: 'select', required: true, value: template?.kind ?? 'cash', options: labelledOptions('couponKind') },
        { name: 'merchantId', label: t('coupons.merchant'), nullable: true, value: template?.merchantId ?? '', help: t('coupons.merchantHelp') },
        { name: 'amountOffFen', label: t('coupons.amountOff'), type: 'money', value: template?.amountOffFen ?? null },
        { name: 'minimumSpendFen', label: t('coupons.minimumSpend'), type: 'money', value: template?.minimumSpendFen ?? 0 },
        { name: 'percentOffBasisPoints', label: t('coupons.percentOff'), type: 'integer', min: 1, max: 9999, nullable: true, value: template?.percentOffBasisPoints, help: t('coupons.percentHelp') },
        { name: 'capFen', label: t('coupons.cap'), type: 'money', value: template?.capFen ?? null },
        { name: 'giftSkuId', label: t('coupons.giftSku'), nullable: true, value: template?.giftSkuId ?? '' },
        { name: 'totalQuantity', label: t('coupons.quantity'), type: 'integer', required: true, min: 1, value: template?.totalQuantity },
        { name: 'perMemberLimit', label: t('coupons.limit'), type: 'integer', min: 1, max: 100, value: template?.perMemberLimit ?? 1 },
        { name: 'validDays', label: t('coupons.validDays'), type: 'integer', min: 1, max: 3650, value: template?.validDays ?? 30 },
        { name: 'claimable', label: t('coupons.claimable'), type: 'checkbox', value: template?.claimable ?? true },
        { name: 'stacksWithPromotions', label: t('coupons.stacks'), type: 'checkbox', value: template?.stacksWithPromotions ?? true },
        { name: 'returnOnFullRefund', label: t('coupons.returnOnRefund'), type: 'checkbox', value: template?.returnOnFullRefund ?? false },
      ],
      onSubmit: (v) => {
        // Terms the form does not show (scope, audience, fixed dates) go back as they are, so
        // raising the quantity of a started coupon changes nothing else.
        const fixed = Boolean(template?.validFrom);
        const body = {
          title: v.title, kind: v.kind, merchantId: v.merchantId || null, amountOffFen: v.amountOffFen ?? null,
          minimumSpendFen: v.minimumSpendFen ?? 0, percentOffBasisPoints: v.percentOffBasisPoints ?? null, capFen: v.capFen ?? null,
          giftSkuId: v.giftSkuId || null, totalQuantity: v.totalQuantity, perMemberLimit: v.perMemberLimit ?? 1,
          validDays: fixed ? null : v.validDays, validFrom: template?.validFrom ?? null, validUntil: template?.validUntil ?? null,
          productIds: template?.productIds ?? [], categoryIds: template?.categoryIds ?? [], brandIds: template?.brandIds ?? [],
          storeIds: template?.storeIds ?? [], memberLevels: template?.memberLevels ?? null, newMembersOnly: template?.newMembersOnly ?? false,
          claimStartsAt: template?.claimStartsAt ?? null, claimEndsAt: template?.claimEndsAt ?? null,
          claimable: v.claimable, stacksWithPromotions: v.stacksWithPromotions, returnOnFullRefund: v.returnOnFullRefund,
        };
        return template ? put(`/admin/marketing/coupons/${template.id}`, body) : post('/admin/marketing/coupons', body);
      },
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  async function act(work, done) {
    try {
      await work();
      announce(done);
      table.reload();
    } catch (error) {
      add(root, errorNotice(error));
    }
  }

  async function issue(template) {
    const result = await formDialog(t('coupons.issueTitle', { title: template.title }), {
      fields: [{ name: 'recipients', label: t('coupons.recipients'), type: 'textarea', required: true, rows: 4, help: t('coupons.recipientsHelp') }],
      aliases: { memberIds: 'recipients', mobiles: 'recipients' },
      onSubmit: (v) => {
        const entries = String(v.recipients).split(/[\s,;]+/).filter(Boolean);
        const ids = entries.filter((e) => /^[0-9a-f-]{36}$/i.test(e));
        return post(`/admin/marketing/coupons/${template.id}/issues`, { memberIds: ids, mobiles: entries.filter((e) => !ids.includes(e)) });
      },
    });
    if (result) {
      announce(t('coupons.issued', { n: result.issued }));
      if (result.skipped.length) add(root, h('div', { class: 'notice', role: 'status' }, h('p', { text: t('coupons.skipped') }), h('ul', {}, result.skipped.map((s) => h('li', { text: s })))));
      table.reload();
    }
  }

  async function codes(template) {
    const list = h('ul', { class: 'plain mono' });
    const show = async () => {
      const all = await get(`/admin/marketing/coupons/${template.id}/codes`);
      list.replaceChildren(...all.slice(0, 50).map((c) => h('li', { text: `${c.code} · ${number(c.redeemed)}/${number(c.quota)}` })));
    };
    await openDialog(t('coupons.codesTitle', { title: template.title }), () => {
      const batch = h('div', { class: 'form-actions' },
        button(t('coupons.makeCodes'), async () => {
          const made = await formDialog(t('coupons.makeCodes'), {
            fields: [
              { name: 'count', label: t('coupons.codeCount'), type: 'integer', min: 1, max: 10000, nullable: true },
              { name: 'code', label: t('coupons.sharedCode'), nullable: true, maxlength: 32 },
              { name: 'quota', label: t('coupons.quota'), type: 'integer', min: 1, nullable: true },
            ],
            onSubmit: (v) => post(`/admin/marketing/coupons/${template.id}/codes`, { count: v.count ?? null, code: v.code || null, quota: v.quota ?? null }),
          });
          if (made) { announce(t('coupons.codesMade', { n: made.length })); await show(); }
        }),
        h('a', { class: 'btn', href: apiUrl(`/admin/marketing/coupons/${template.id}/codes.csv`), download: '' , text: t('coupons.exportCsv') }));
      show().catch(() => {});
      return h('div', {}, batch, list);
    });
  }

  /** An ended template's effect, claims and uses. */
  async function summarize(template) {
    await summaryDialog(template.title, `/admin/marketing/coupons/${template.id}/summary`);
  }

  table = createTable({
    caption: t('coupons.title'),
    endpoint: '/admin/marketing/coupons',
    syncUrl: true,
    columns: [
      { key: 'title', label: t('coupons.name'), render: (c) => h('span', {}, h('strong', { text: c.title }), h('br'), h('span', { class: 'muted', text: label('couponKind', c.kind) })) },
      { key: 'value', label: t('coupons.value'), render: (c) => `${value(c)}${c.minimumSpendFen > 0 ? ` / ${money(c.minimumSpendFen)}` : ''}` },
      { key: 'claimed', label: t('coupons.claimed'), render: (c) => `${number(c.claimedCount)} / ${number(c.totalQuantity)}` },
      { key: 'used', label: t('coupons.used'), render: (c) => number(c.usedCount) },
      { key: 'rate', label: t('coupons.rate'), render: rate },
      { key: 'status', label: t('coupons.status'), render: (c) => (c.endedAt ? `${t('coupons.ended')} ${dateTime(c.endedAt)}` : t('coupons.running')) },
      { key: 'actions', label: t('table.actions'), action: true, render: (c) => h('span', { class: 'actions' },
        !c.endedAt ? button(t('action.edit'), () => edit(c), { 'aria-label': `${t('action.edit')} ${c.title}` }) : null,
        !c.endedAt ? button(t('coupons.end'), () => act(() => post(`/admin/marketing/coupons/${c.id}/end`), t('coupons.endedNow'))) : null,
        button(t('coupons.copy'), () => act(() => post(`/admin/marketing/coupons/${c.id}/copy`), t('coupons.copied'))),
        !c.endedAt ? button(t('coupons.issue'), () => issue(c)) : null,
        button(t('coupons.codes'), () => codes(c)),
        c.endedAt || (c.validUntil && new Date(c.validUntil) <= new Date())
          ? button(t('promo.summary'), () => summarize(c), { 'aria-label': `${t('promo.summary')} ${c.title}` }) : null) },
    ],
  });
  add(root, table.element);
  table.reload();
  const timer = setInterval(() => {
    if (!table.element.isConnected) { clearInterval(timer); return; }
    if (!document.hidden && !document.querySelector('dialog[open]')) table.reload();
  }, refreshMs);
}
