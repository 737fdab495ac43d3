import { can } from '../context.js';
import { post } from '../api.js';
import { h, openDialog, facts, clear, announce } from '../dom.js';
import { createTable } from '../table.js';
import { createForm } from '../form.js';
import { t, dateTime, label, number } from '../i18n.js';
import { enumOptions } from '../widgets.js';

const entryKinds = [
  'order_earned', 'sign_in', 'review', 'birthday', 'lottery_prize', 'admin_grant', 'admin_deduct', 'checkout_spent',
  'checkout_returned', 'mall_spent', 'mall_returned', 'lottery_spent', 'clawback', 'expiry',
];

const signed = (points) => (points > 0 ? `+${number(points)}` : number(points));

/**
 * A member's points in one dialog: balance and what expires next, the whole history (filterable
 * by kind) and, for staff who may manage members, a form that gives or takes points with a
 * reason. The summary comes with every page of the history, so it stays current after an
 * adjustment without a second request.
 */
export function openMemberPoints(member, name) {
  const summary = h('div', { class: 'points-summary', 'aria-live': 'polite' });
  const showSummary = (s) => {
    clear(summary);
    summary.append(facts([
      [t('points.balance'), number(s.balance)],
      [t('points.earnedTotal'), number(s.earnedTotal)],
      [t('points.streak'), s.signIn.signedInToday ? t('points.streakToday', { days: s.signIn.streak }) : t('points.streakDays', { days: s.signIn.streak })],
      [t('points.expiring'), s.expiring.length
        ? s.expiring.map((e) => t('points.expiringOn', { points: number(e.points), date: dateTime(e.expiresAt) })).join('；')
        : t('points.noneExpiring')],
    ]));
  };
  const ledger = createTable({
    caption: t('points.ledgerCaption'),
    endpoint: `/admin/members/${member.id}/points`,
    per: 10,
    envelope: (data) => ({ ...data.ledger, items: data.ledger.items || [] }),
    onLoad: (data) => showSummary(data.summary),
    filters: [{ name: 'kind', label: t('points.kind'), type: 'select', options: enumOptions('pointsKind', entryKinds) }],
    emptyText: t('points.empty'),
    columns: [
      { key: 'createdAt', label: t('points.when'), render: (e) => dateTime(e.createdAt) },
      { key: 'kind', label: t('points.kind'), render: (e) => label('pointsKind', e.kind) },
      { key: 'points', label: t('points.change'), render: (e) => h('span', { class: e.points > 0 ? 'amount-in' : 'amount-out', text: signed(e.points) }) },
      { key: 'balanceAfter', label: t('points.after'), render: (e) => number(e.balanceAfter) },
      { key: 'note', label: t('points.note'), render: (e) => [e.note, e.expiresAt ? t('points.expiresOn', { date: dateTime(e.expiresAt) }) : ''].filter(Boolean).join(' · ') || '—' },
    ],
  });

  const adjustment = can('member.manage') ? createForm({
    fields: [
      { name: 'points', label: t('points.adjustBy'), type: 'integer', required: true, min: -1000000, max: 1000000, help: t('points.adjustHelp') },
      { name: 'reason', label: t('field.reason'), type: 'textarea', rows: 2, required: true, maxlength: 200 },
    ],
    submitLabel: t('points.adjust'),
    className: 'points-adjust',
    onSubmit: (v) => post(`/admin/members/${member.id}/points/adjustments`, { points: v.points, reason: v.reason }),
    onSuccess: (entry) => {
      announce(t('points.adjusted', { points: signed(entry.points), balance: number(entry.balanceAfter) }));
      adjustment.element.reset();
      ledger.go(1);
    },
  }) : null;

  ledger.reload();
  return openDialog(t('points.title', { name }), h('div', { class: 'member-points' },
    summary,
    adjustment ? h('section', { 'aria-label': t('points.adjust') }, h('h3', { text: t('points.adjust') }), adjustment.element) : null,
    ledger.element));
}
