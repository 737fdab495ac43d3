import { context, can, canOnPlatform } from '../context.js';
import { get, post, patch, del } from '../api.js';
import { add, h, pageHeader, badge, link, subnav, button, announce, errorNotice, uid, clear, errorText } from '../dom.js';
import { createTable } from '../table.js';
import { createForm } from '../form.js';
import { t, dateTime, label } from '../i18n.js';
import { enumOptions, confirmDialog, storeCell, loadMerchants, merchantLabel, roleLabel } from '../widgets.js';

export async function render(root, { id }) {
  if (id === 'roles') return renderRoles(root);
  if (id) return renderMember(root, id === 'new' ? null : id);
  return renderList(root);
}

function tabs(current) {
  if (!canOnPlatform('role.manage')) return null;
  return subnav(t('staff.title'), [
    { key: 'staff', label: t('staff.accounts'), href: '/console/staff' },
    { key: 'roles', label: t('staff.roles'), href: '/console/staff/roles' },
  ], current);
}

function scopeText(grant, merchants) {
  if (grant.scope === 'platform') return label('scope', 'platform');
  if (grant.scope === 'store') return `${label('scope', 'store')} · ${storeCell(grant.storeId, grant.storeName)}`;
  return `${label('scope', 'merchant')} · ${merchantLabel(grant.merchantId, merchants)}`;
}

async function renderList(root) {
  const merchants = await loadMerchants();
  const table = createTable({
    caption: t('staff.caption'),
    endpoint: '/admin/staff',
    sortFields: ['username', 'displayName', 'mobile', 'status', 'createdAt'],
    syncUrl: true,
    filters: [{ name: 'q', label: t('field.keyword'), type: 'search' }],
    columns: [
      { key: 'username', label: t('field.username'), render: (s) => link(`/console/staff/${s.id}`, s.username) },
      { key: 'displayName', label: t('field.displayName') },
      { key: 'mobile', label: t('field.mobile') },
      { key: 'status', label: t('field.status'), render: (s) => badge('staffStatus', s.status) },
      { key: 'grants', label: t('staff.grants'), render: (s) => h('ul', { class: 'plain' }, s.grants.map((g) => h('li', { text: `${roleLabel(g.roleCode, g.roleName)} · ${scopeText(g, merchants)}` }))) },
      { key: 'createdAt', label: t('field.createdAt'), render: (s) => dateTime(s.createdAt) },
    ],
  });
  add(root, pageHeader(t('staff.title'), can('staff.manage') ? link('/console/staff/new', t('staff.new'), { class: 'btn btn-primary' }) : null), tabs('staff'), table.element);
  table.reload();
}

/**
 * Grants as rows of role + scope (+ merchant or store). A role only fits the scopes it allows,
 * so choosing a role narrows the scope list.
 */
function grantsEditor(roles, initial, directory) {
  const body = h('tbody');
  const rows = [];
  // Every merchant in the list when it could be read, else the merchants of the stores in reach.
  const merchantIds = directory.size ? [...directory.keys()] : [...new Set(context.stores.map((s) => String(s.merchantId).toUpperCase()))];
  for (const g of initial) if (g.merchantId && !merchantIds.includes(String(g.merchantId).toUpperCase())) merchantIds.push(String(g.merchantId).toUpperCase());
  const addRow = (grant = {}) => {
    const n = rows.length + 1;
    const role = h('select', { id: uid('g-role'), 'aria-label': t('staff.grantRole', { n }) },
      h('option', { value: '', text: t('filter.choose') }), roles.map((r) => h('option', { value: r.id, selected: r.id === grant.roleId, text: roleLabel(r.code, r.name) })));
    const scope = h('select', { id: uid('g-scope'), 'aria-label': t('staff.grantScope', { n }) });
    const target = h('select', { id: uid('g-target'), 'aria-label': t('staff.grantTarget', { n }) });
    const syncScopes = () => {
      const allowed = roles.find((r) => r.id === role.value)?.allowedScopes || ['platform', 'merchant', 'store'];
      const keep = scope.value || grant.scope;
      clear(scope).append(...allowed.map((s) => h('option', { value: s, selected: s === keep, text: label('scope', s) })));
      syncTarget();
    };
    const syncTarget = () => {
      const keep = String(target.value || (scope.value === 'store' ? grant.storeId : grant.merchantId) || '').toUpperCase();
      clear(target);
      if (scope.value === 'store') target.append(...context.stores.map((s) => h('option', { value: s.id, selected: String(s.id).toUpperCase() === keep, text: `${s.code} ${s.name}` })));
      if (scope.value === 'merchant') target.append(...merchantIds.map((id) => h('option', { value: id, selected: id === keep, text: merchantLabel(id, directory) })));
      target.hidden = scope.value === 'platform';
    };
    role.addEventListener('change', syncScopes);
    scope.addEventListener('change', syncTarget);
    const row = { role, scope, target };
    const tr = h('tr', {}, h('td', {}, role), h('td', {}, scope), h('td', {}, target),
      h('td', { class: 'cell-actions' }, button(t('action.remove'), () => { rows.splice(rows.indexOf(row), 1); tr.remove(); }, { 'aria-label': t('staff.removeGrant', { n }) })));
    rows.push(row);
    body.append(tr);
    syncScopes();
    return row;
  };
  (initial.length ? initial : [{}]).forEach(addRow);
  const legendId = uid('grants');
  return {
    element: h('fieldset', { class: 'lines-editor' }, h('legend', { id: legendId, text: t('staff.grants') }),
      h('div', { class: 'table-scroll' }, h('table', { class: 'data compact', 'aria-labelledby': legendId },
        h('thead', {}, h('tr', {}, [t('staff.role'), t('staff.scope'), t('staff.target'), t('table.actions')].map((x) => h('th', { scope: 'col', text: x })))), body)),
      button(t('staff.addGrant'), () => addRow().role.focus())),
    read: () => rows.filter((r) => r.role.value).map((r) => ({
      roleId: r.role.value, scope: r.scope.value,
      ...(r.scope.value === 'merchant' ? { merchantId: r.target.value } : {}),
      ...(r.scope.value === 'store' ? { storeId: r.target.value } : {}),
    })),
    resolve: (name) => {
      const m = /^grants\[(\d+)\]/.exec(name);
      const row = m ? rows.filter((r) => r.role.value)[Number(m[1])] : rows[0];
      return name.startsWith('grants') && row ? { input: row.role, label: t('staff.grants') } : null;
    },
  };
}

async function renderMember(root, id) {
  let member = null; let roles = []; let merchants;
  try {
    [member, roles, merchants] = await Promise.all([id ? get(`/admin/staff/${id}`) : null, get('/admin/roles'), loadMerchants()]);
  } catch (error) {
    add(root, pageHeader(t('staff.title')), errorNotice(error));
    return;
  }
  const manage = can('staff.manage');
  add(root, h('p', { class: 'breadcrumb' }, link('/console/staff', t('staff.title'))),
    pageHeader(member ? `${member.displayName} (${member.username})` : t('staff.new')));
  const grants = grantsEditor(roles, member ? member.grants : [], merchants);
  const fields = [
    ...(member ? [] : [
      { name: 'username', label: t('field.username'), required: true, autocomplete: 'off' },
      { name: 'password', label: t('field.password'), type: 'password', required: true, help: t('staff.passwordHelp') },
    ]),
    { name: 'displayName', label: t('field.displayName'), required: true, value: member?.displayName },
    { name: 'mobile', label: t('field.mobile'), type: 'tel', value: member?.mobile },
    ...(member ? [{ name: 'status', label: t('field.status'), type: 'select', value: member.status, options: enumOptions('staffStatus', ['active', 'disabled'], { all: false }) }] : []),
  ];
  const form = createForm({
    fields,
    extra: grants.element,
    resolveExtra: grants.resolve,
    submitLabel: member ? t('action.save') : t('staff.create'),
    onSubmit: (v) => (member ? patch(`/admin/staff/${member.id}`, { ...v, grants: grants.read() }) : post('/admin/staff', { ...v, grants: grants.read() })),
    onSuccess: (saved) => {
      announce(t('common.saved'));
      if (!member) location.assign(`/console/staff/${saved.id}`);
    },
  });
  if (!manage) form.element.querySelectorAll('input, select, button').forEach((n) => { n.disabled = true; });
  add(root, h('section', { class: 'card' }, form.element));
}

const allPermissions = ['store.view', 'store.manage', 'merchant.view', 'merchant.manage', 'staff.view', 'staff.manage', 'role.manage', 'catalog.view', 'catalog.edit', 'catalog.review',
  'inventory.view', 'inventory.manage', 'order.view', 'order.fulfil', 'aftersales.handle', 'payment.view', 'payment.refund', 'member.view', 'member.manage', 'marketing.manage', 'review.moderate', 'review.reply',
  'report.view', 'settings.view', 'settings.manage', 'audit.view', 'jobs.manage'];

function permissionBoxes(selected = []) {
  const boxes = allPermissions.map((p) => {
    const id = uid('perm');
    return { p, input: h('input', { id, type: 'checkbox', value: p, checked: selected.includes(p) }), id };
  });
  const legendId = uid('perms');
  return {
    element: h('fieldset', { class: 'permission-grid' }, h('legend', { id: legendId, text: t('staff.permissions') }),
      boxes.map((b) => h('div', { class: 'field-checkbox' }, b.input, h('label', { for: b.id }, label('permission', b.p), ' ', h('span', { class: 'mono muted', text: b.p }))))),
    read: () => boxes.filter((b) => b.input.checked).map((b) => b.p),
    resolve: (name) => (name.startsWith('permissions') ? { input: boxes[0].input, label: t('staff.permissions') } : null),
  };
}

async function renderRoles(root) {
  add(root, pageHeader(t('staff.roles')), tabs('roles'));
  const list = h('div', { class: 'roles' });
  add(root, list);
  const draw = async () => {
    clear(list);
    let roles;
    try {
      roles = await get('/admin/roles');
    } catch (error) {
      list.append(errorNotice(error));
      return;
    }
    const manage = canOnPlatform('role.manage');
    for (const role of roles) {
      const card = h('section', { class: 'card role' },
        h('h2', {}, roleLabel(role.code, role.name), ' ', h('span', { class: 'mono muted', text: role.code }), role.builtin ? [' ', badge('role', 'builtin')] : null),
        h('p', { class: 'muted', text: t('staff.allowedScopes', { scopes: role.allowedScopes.map((s) => label('scope', s)).join(', ') }) }),
        h('ul', { class: 'tags' }, role.permissions.map((p) => h('li', { text: label('permission', p) }))));
      if (manage && !role.builtin) {
        const boxes = permissionBoxes(role.permissions);
        const form = createForm({
          fields: [{ name: 'name', label: t('field.name'), required: true, value: role.name }],
          extra: boxes.element,
          resolveExtra: boxes.resolve,
          onSubmit: (v) => patch(`/admin/roles/${role.id}`, { ...v, permissions: boxes.read() }),
          onSuccess: () => { announce(t('common.saved')); draw(); },
        });
        card.append(h('details', {}, h('summary', { text: t('action.edit') }), form.element),
          button(t('action.delete'), async () => {
            if (!(await confirmDialog(t('staff.deleteRole'), t('staff.deleteRoleConfirm', { name: roleLabel(role.code, role.name) })))) return;
            try { await del(`/admin/roles/${role.id}`); announce(t('common.deleted')); draw(); } catch (error) { announce(errorText(error), 'error'); }
          }, { kind: 'danger' }));
      }
      list.append(card);
    }
    if (manage) {
      const boxes = permissionBoxes();
      const form = createForm({
        fields: [{ name: 'code', label: t('field.code'), required: true }, { name: 'name', label: t('field.name'), required: true }],
        extra: boxes.element,
        resolveExtra: boxes.resolve,
        submitLabel: t('staff.createRole'),
        onSubmit: (v) => post('/admin/roles', { ...v, permissions: boxes.read() }),
        onSuccess: () => { announce(t('common.saved')); draw(); },
      });
      list.append(h('section', { class: 'card' }, h('h2', { text: t('staff.newRole') }), form.element));
    }
  };
  await draw();
}
