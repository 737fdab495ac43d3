import { can } from '../context.js';
import { get, put } from '../api.js';
import { add, pageHeader, button, announce, openDialog } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, label } from '../i18n.js';
import { formDialog } from '../widgets.js';
import { openMemberPoints } from './member-points.js';
import { membershipView } from './levels.js';

export async function render(root) {
  let table;
  let levels = [];
  try { levels = await get('/admin/member-levels'); } catch { levels = []; }
  const levelName = (code) => levels.find((l) => l.code === code)?.name || code;
  const who = (m) => m.nickname || m.mobile || m.email || '';
  const setLevel = async (member) => {
    const result = await formDialog(t('members.setLevelTitle', { name: who(member) }), {
      fields: [
        { name: 'level', label: t('members.level'), type: 'select', value: member.level || '', nullable: true,
          options: [{ value: '', label: t('members.noLevel') }, ...levels.map((l) => ({ value: l.code, label: `${l.name} (${l.code})` }))],
          help: t('members.levelHelp') },
        { name: 'note', label: t('levels.note'), nullable: true, maxlength: 200 },
      ],
      onSubmit: (v) => put(`/admin/members/${member.id}/level`, { level: v.level || null, note: v.note ?? null }),
    });
    if (result) { announce(t('common.saved')); table.reload(); }
  };
  const showLevel = async (member) => {
    const view = await membershipView(member.id);
    await openDialog(t('members.levelHistoryTitle', { name: who(member) }), view);
  };
  const manage = can('member.manage');
  table = createTable({
    caption: t('members.caption'),
    endpoint: '/admin/members',
    sortFields: ['nickname', 'mobile', 'email', 'level', 'gender', 'createdAt'],
    syncUrl: true,
    filters: [
      { name: 'mobile', label: t('field.mobile'), type: 'tel' },
      { name: 'level', label: t('members.level'), type: 'select', options: [{ value: '', label: t('filter.all') }, ...levels.map((l) => ({ value: l.code, label: l.name }))] },
    ],
    columns: [
      { key: 'nickname', label: t('members.nickname'), render: (m) => m.nickname || '—' },
      { key: 'mobile', label: t('field.mobile') },
      { key: 'email', label: t('field.email') },
      { key: 'level', label: t('members.level'), render: (m) => (m.level ? levelName(m.level) : t('members.noLevel')) },
      { key: 'gender', label: t('members.gender'), render: (m) => label('gender', m.gender) },
      { key: 'createdAt', label: t('members.joined'), render: (m) => dateTime(m.createdAt) },
      { key: 'actions', label: t('table.actions'), action: true, render: (m) => [
        button(t('members.points'), () => openMemberPoints(m, who(m)), { 'aria-label': `${t('members.points')} ${who(m)}` }),
        button(t('members.levelHistory'), () => showLevel(m), { 'aria-label': `${t('members.levelHistory')} ${who(m)}` }),
        manage ? button(t('members.setLevel'), () => setLevel(m), { 'aria-label': `${t('members.setLevel')} ${who(m)}` }) : null,
      ] },
    ],
  });
  add(root, pageHeader(t('members.title')), table.element);
  table.reload();
}
