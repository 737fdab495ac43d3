import { can } from '../context.js';
import { put } from '../api.js';
import { add, pageHeader, button, announce } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, label } from '../i18n.js';
import { formDialog } from '../widgets.js';
import { openMemberPoints } from './member-points.js';

export async function render(root) {
  let table;
  const setLevel = async (member) => {
    const result = await formDialog(t('members.setLevelTitle', { name: member.nickname || member.mobile || member.email }), {
      fields: [{ name: 'level', label: t('members.level'), value: member.level, nullable: true, help: t('members.levelHelp') }],
      onSubmit: (v) => put(`/admin/members/${member.id}/level`, { level: v.level ?? null }),
    });
    if (result) { announce(t('common.saved')); table.reload(); }
  };
  const manage = can('member.manage');
  const who = (m) => m.nickname || m.mobile || m.email || '';
  table = createTable({
    caption: t('members.caption'),
    endpoint: '/admin/members',
    sortFields: ['nickname', 'mobile', 'email', 'level', 'gender', 'createdAt'],
    syncUrl: true,
    filters: [{ name: 'mobile', label: t('field.mobile'), type: 'tel' }, { name: 'level', label: t('members.level') }],
    columns: [
      { key: 'nickname', label: t('members.nickname'), render: (m) => m.nickname || '—' },
      { key: 'mobile', label: t('field.mobile') },
      { key: 'email', label: t('field.email') },
      { key: 'level', label: t('members.level'), render: (m) => m.level || t('members.noLevel') },
      { key: 'gender', label: t('members.gender'), render: (m) => label('gender', m.gender) },
      { key: 'createdAt', label: t('members.joined'), render: (m) => dateTime(m.createdAt) },
      { key: 'actions', label: t('table.actions'), action: true, render: (m) => [
        button(t('members.points'), () => openMemberPoints(m, who(m)), { 'aria-label': `${t('members.points')} ${who(m)}` }),
        manage ? button(t('members.setLevel'), () => setLevel(m), { 'aria-label': `${t('members.setLevel')} ${who(m)}` }) : null,
      ] },
    ],
  });
  add(root, pageHeader(t('members.title')), table.element);
  table.reload();

}
