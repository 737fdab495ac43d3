import { canOnPlatform } from '../context.js';
import { get, patch } from '../api.js';
import { add, h, pageHeader, errorNotice, announce, notice, clear } from '../dom.js';
import { field, ErrorPresenter, fieldCandidates } from '../form.js';
import { t, dateTime } from '../i18n.js';

const inputType = { integer: 'integer', boolean: 'checkbox', string: 'text', timeZone: 'text' };

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function render(root) {
  add(root, pageHeader(t('settings.title')));
  const holder = h('div');
  add(root, holder);
  const draw = (settings) => clear(holder).append(settingsForm(settings, draw));
  try {
    draw(await get('/admin/settings'));
  } catch (error) {
    holder.append(errorNotice(error));
  }
}

/** Sends only the values that changed, since the server writes all or none of what it gets. */
function settingsForm(settings, redraw) {
  const manage = canOnPlatform('settings.manage');
  const controls = settings.map((s) => field({
    name: s.key,
    label: s.key,
    type: inputType[s.type] || 'text',
    value: s.value,
    help: `${s.summary} ${t('settings.default', { value: String(s.defaultValue) })}${s.updatedAt ? ` · ${t('settings.updated', { at: dateTime(s.updatedAt) })}` : ''}`,
    disabled: !manage,
    readOnly: !manage,
    keepEmpty: true,
  }));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('action.save'), hidden: !manage });
  const form = h('form', { class: 'form card settings-form', novalidate: true },
    manage ? null : notice(t('common.readOnly'), 'info'),
    h('div', { class: 'form-grid' }, controls.map((c) => c.wrapper)),
    h('div', { class: 'form-actions' }, submit));
  const presenter = new ErrorPresenter(form);
  const byKey = new Map(controls.map((c) => [c.def.name, c]));
  const resolve = (name) => {
    for (const candidate of fieldCandidates(name.replace(/^values\./, ''))) {
      const c = byKey.get(candidate);
      if (c) return { input: c.input, label: c.def.label };
    }
    return null;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    presenter.clear();
    const values = {};
    const local = [];
    settings.forEach((s, i) => {
      const v = controls[i].read();
      if (s.type === 'integer' && (v === undefined || !Number.isInteger(v))) { local.push({ field: s.key, message: t('form.badInteger') }); return; }
      if (!same(v ?? '', s.value)) values[s.key] = v ?? '';
    });
    if (local.length) { presenter.show({ status: 422, errors: local }, resolve); return; }
    if (!Object.keys(values).length) { announce(t('settings.nothingChanged'), 'info'); return; }
    submit.disabled = true;
    try {
      const updated = await patch('/admin/settings', { values });
      announce(t('settings.saved', { count: Object.keys(values).length }));
      redraw(updated);
    } catch (error) {
      presenter.show(error, resolve);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
