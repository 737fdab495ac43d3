import { post } from '../api.js';
import { add, h, pageHeader, notice } from '../dom.js';
import { createForm } from '../form.js';
import { t } from '../i18n.js';

// Shown instead of every section while the account's first password (chosen by someone else)
// is unchanged; the server grants nothing until it is.
export async function render(root) {
  const form = createForm({
    fields: [
      { name: 'currentPassword', label: t('password.current'), type: 'password', required: true, autocomplete: 'current-password' },
      { name: 'newPassword', label: t('password.new'), type: 'password', required: true, help: t('password.rule') },
      { name: 'confirm', label: t('password.confirm'), type: 'password', required: true },
    ],
    submitLabel: t('password.submit'),
    validate: (v) => (v.newPassword !== v.confirm ? [{ field: 'confirm', message: t('password.mismatch') }] : []),
    onSubmit: (v) => post('/admin/auth/password', { currentPassword: v.currentPassword, newPassword: v.newPassword }),
    onSuccess: () => location.assign('/console'),
  });
  add(root, pageHeader(t('password.title')), notice(t('password.required'), 'info'), h('section', { class: 'card' }, form.element));
}
