import { canOnPlatform } from '../context.js';
import { get, post, put, del } from '../api.js';
import { add, h, pageHeader, button, announce, busy, facts, notice, errorNotice, stackOnPhone } from '../dom.js';
import { createTable } from '../table.js';
import { t, money, number, dateTime, label } from '../i18n.js';
import { formDialog, confirmDialog } from '../widgets.js';

/** 500 basis points off → 95折, 1200 → 88折: the way shoppers here read a discount. */
export function fold(discountBasisPoints) {
  const paid = 10000 - discountBasisPoints;
  if (paid % 1000 === 0) return `${paid / 1000}折`;
  if (paid % 100 === 0) return `${paid / 100}折`;
  return `${(paid / 100).toFixed(2).replace(/0$/, '')}折`;
}

/** ×1, ×1.5, ×1.25 from basis points. */
export function multiplier(basisPoints) {
  return `×${String(basisPoints / 10000)}`;
}

/** The conditions of a level in a short line: "¥2,000.00 spent or 10 orders". */
export function conditionsText(conditions) {
  const parts = [];
  if (conditions.minimumSpendFen !== null && conditions.minimumSpendFen !== undefined) parts.push(t('levels.conditionSpend', { amount: money(conditions.minimumSpendFen) }));
  if (conditions.minimumOrders !== null && conditions.minimumOrders !== undefined) parts.push(t('levels.conditionOrders', { count: number(conditions.minimumOrders) }));
  if (conditions.minimumPointsEarned !== null && conditions.minimumPointsEarned !== undefined) parts.push(t('levels.conditionPoints', { points: number(conditions.minimumPointsEarned) }));
  if (!parts.length) return t('levels.everyone');
  return parts.join(conditions.matchAll ? t('levels.and') : t('levels.or'));
}

/** The rights of a level, one short phrase each. */
export function rightsText(rights) {
  const parts = [];
  if (rights.discountBasisPoints > 0) parts.push(t('levels.rightDiscount', { fold: fold(rights.discountBasisPoints) }));
  if (rights.pointsMultiplierBasisPoints !== 10000) parts.push(t('levels.rightPoints', { times: multiplier(rights.pointsMultiplierBasisPoints) }));
  if (rights.freeShippingThresholdFen === 0) parts.push(t('levels.rightFreeShipping'));
  else if (rights.freeShippingThresholdFen !== null && rights.freeShippingThresholdFen !== undefined) parts.push(t('levels.rightShippingFrom', { amount: money(rights.freeShippingThresholdFen) }));
  if (rights.priorityMinutes > 0) parts.push(t('levels.rightPriority', { minutes: rights.priorityMinutes }));
  if (rights.birthdayPoints > 0) parts.push(t('levels.rightBirthday', { points: number(rights.birthdayPoints) }));
  if (rights.exclusiveService) parts.push(t('levels.rightService'));
  return parts.length ? parts.join(' · ') : t('levels.noRights');
}

/** The form fields of a level; money in yuan, rates in basis points with their meaning beside. */
function levelFields(level) {
  const c = level?.conditions || {};
  const r = level?.rights || { discountBasisPoints: 0, pointsMultiplierBasisPoints: 10000, priorityMinutes: 0, birthdayPoints: 0 };
  return [
    { name: 'code', label: t('field.code'), required: true, value: level?.code, readOnly: Boolean(level), help: t('levels.codeHelp'), maxlength: 20 },
    { name: 'name', label: t('field.name'), required: true, value: level?.name, maxlength: 20 },
    { name: 'rank', label: t('levels.rank'), type: 'integer', required: true, min: 1, max: 99, value: level?.rank, help: t('levels.rankHelp') },
    { name: 'description', label: t('levels.description'), value: level?.description, nullable: true, maxlength: 200, wide: true },
    { name: 'minimumSpendFen', label: t('levels.minimumSpend'), type: 'money', nullable: true, value: c.minimumSpendFen, help: t('levels.conditionHelp') },
    { name: 'minimumOrders', label: t('levels.minimumOrders'), type: 'integer', nullable: true, min: 0, max: 1000000, value: c.minimumOrders },
    { name: 'minimumPointsEarned', label: t('levels.minimumPoints'), type: 'integer', nullable: true, min: 0, max: 1000000000, value: c.minimumPointsEarned },
    { name: 'matchAll', label: t('levels.matchAll'), type: 'checkbox', value: Boolean(c.matchAll) },
    { name: 'discountBasisPoints', label: t('levels.discount'), type: 'integer', min: 0, max: 5000, value: r.discountBasisPoints, help: t('levels.discountHelp') },
    { name: 'pointsMultiplierBasisPoints', label: t('levels.multiplier'), type: 'integer', min: 0, max: 100000, value: r.pointsMultiplierBasisPoints, help: t('levels.multiplierHelp') },
    { name: 'freeShippingThresholdFen', label: t('levels.freeShipping'), type: 'money', nullable: true, value: r.freeShippingThresholdFen, help: t('levels.freeShippingHelp') },
    { name: 'priorityMinutes', label: t('levels.priority'), type: 'integer', min: 0, max: 1440, value: r.priorityMinutes, help: t('levels.priorityHelp') },
    { name: 'birthdayPoints', label: t('levels.birthdayPoints'), type: 'integer', min: 0, max: 1000000, value: r.birthdayPoints },
    { name: 'exclusiveService', label: t('levels.exclusiveService'), type: 'checkbox', value: Boolean(r.exclusiveService) },
  ];
}

/** The API body from the form's values; the birthday coupon stays as it was (set by the marketing features). */
function levelBody(values, level) {
  return {
    code: values.code,
    name: values.name,
    rank: values.rank,
    description: values.description ?? null,
    conditions: {
      minimumSpendFen: values.minimumSpendFen ?? null,
      minimumOrders: values.minimumOrders ?? null,
      minimumPointsEarned: values.minimumPointsEarned ?? null,
      matchAll: Boolean(values.matchAll),
    },
    rights: {
      discountBasisPoints: values.discountBasisPoints ?? 0,
      pointsMultiplierBasisPoints: values.pointsMultiplierBasisPoints ?? 10000,
      freeShippingThresholdFen: values.freeShippingThresholdFen ?? null,
      priorityMinutes: values.priorityMinutes ?? 0,
      birthdayPoints: values.birthdayPoints ?? 0,
      birthdayCouponId: level?.rights?.birthdayCouponId ?? null,
      exclusiveService: Boolean(values.exclusiveService),
    },
  };
}

// The server names nested fields (`rights.discountBasisPoints`); the form's fields are flat.
const aliases = Object.fromEntries(['minimumSpendFen', 'minimumOrders', 'minimumPointsEarned', 'matchAll'].map((f) => [`conditions.${f}`, f])
  .concat(['discountBasisPoints', 'pointsMultiplierBasisPoints', 'freeShippingThresholdFen', 'priorityMinutes', 'birthdayPoints', 'exclusiveService']
    .map((f) => [`rights.${f}`, f])));

export async function render(root) {
  const manage = canOnPlatform('member.manage');
  let table;
  const edit = async (level) => {
    const saved = await formDialog(level ? t('levels.editTitle', { name: level.name }) : t('levels.new'), {
      fields: levelFields(level),
      aliases,
      submitLabel: level ? t('action.save') : t('levels.create'),
      onSubmit: (v) => (level ? put(`/admin/member-levels/${level.id}`, levelBody(v, level)) : post('/admin/member-levels', levelBody(v, null))),
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  };
  const remove = async (level) => {
    if (!(await confirmDialog(t('levels.deleteTitle', { name: level.name }), t('levels.deleteConfirm')))) return;
    try {
      await del(`/admin/member-levels/${level.id}`);
      announce(t('levels.deleted'));
      table.reload();
    } catch (error) {
      announce(error.detail || error.title || t('error.generic'), 'error');
    }
  };
  table = createTable({
    caption: t('levels.caption'),
    endpoint: '/admin/member-levels',
    emptyText: t('levels.empty'),
    columns: [
      { key: 'rank', label: t('levels.rank'), align: 'num' },
      { key: 'name', label: t('field.name'), render: (l) => h('span', {}, h('strong', { text: l.name }), ' ', h('span', { class: 'mono muted', text: l.code })) },
      { key: 'conditions', label: t('levels.conditions'), render: (l) => conditionsText(l.conditions) },
      { key: 'rights', label: t('levels.rights'), render: (l) => rightsText(l.rights) },
      { key: 'memberCount', label: t('levels.members'), align: 'num', render: (l) => number(l.memberCount ?? 0) },
      ...(manage ? [{
        key: 'actions', label: t('table.actions'), action: true,
        render: (l) => h('span', { class: 'row-actions' },
          button(t('action.edit'), () => edit(l), { 'aria-label': `${t('action.edit')} ${l.name}` }),
          button(t('action.delete'), () => remove(l), { kind: 'danger', 'aria-label': `${t('action.delete')} ${l.name}`, disabled: (l.memberCount ?? 0) > 0 })),
      }] : []),
    ],
  });
  const evaluate = manage ? button(t('levels.evaluate'), async (event) => {
    await busy(event.currentTarget, async () => {
      try {
        await post('/admin/member-levels/evaluations');
        announce(t('levels.evaluationQueued'));
      } catch (error) {
        announce(error.detail || error.title || t('error.generic'), 'error');
      }
    });
  }) : null;
  add(root, pageHeader(t('levels.title'), manage ? button(t('levels.new'), () => edit(null), { kind: 'primary' }) : null, evaluate),
    h('p', { class: 'muted', text: t('levels.intro') }), table.element);
  table.reload();
}

/** A member's level, the window's stats and the level history, for the members section. */
export async function membershipView(memberId) {
  const holder = h('div', { class: 'membership' });
  try {
    const [membership, history] = await Promise.all([
      get(`/admin/members/${memberId}/membership`),
      get(`/admin/members/${memberId}/level-changes`, { per: 50 }),
    ]);
    const level = membership.level;
    add(holder, facts([
      [t('members.level'), level ? `${level.name} (${level.code})` : t('members.noLevel')],
      [t('levels.since'), membership.since ? dateTime(membership.since) : ''],
      [t('levels.window', { days: membership.windowDays }),
        t('levels.stats', { spend: money(membership.stats.spendFen), orders: number(membership.stats.completedOrders), points: number(membership.stats.pointsEarned) })],
      [t('levels.next'), membership.nextLevel ? `${membership.nextLevel.name}: ${conditionsText(membership.nextLevel.conditions)}` : t('levels.top')],
      [t('levels.downgradeAt'), membership.downgradeAt ? t('levels.downgradePending', { at: dateTime(membership.downgradeAt), to: membership.downgradeTo || t('members.noLevel') }) : ''],
    ]));
    const rows = history.items.map((c) => h('tr', {},
      h('td', { text: dateTime(c.createdAt) }),
      h('td', { text: c.fromName || c.fromLevel || t('members.noLevel') }),
      h('td', { text: c.toName || c.toLevel || t('members.noLevel') }),
      h('td', { text: label('levelReason', c.reason) }),
      h('td', { text: c.note || '' })));
    add(holder, h('h3', { text: t('levels.history') }), rows.length
      ? stackOnPhone(h('table', { class: 'data' },
        h('caption', { class: 'visually-hidden', text: t('levels.history') }),
        h('thead', {}, h('tr', {}, [t('levels.when'), t('levels.from'), t('levels.to'), t('levels.reason'), t('levels.note')].map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, rows)))
      : notice(t('levels.noHistory')));
  } catch (error) {
    holder.append(errorNotice(error));
  }
  return holder;
}
