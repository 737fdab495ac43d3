import { canOnPlatform } from '../context.js';
import { get, patch } from '../api.js';
import { add, h, pageHeader, errorNotice, announce, notice, clear } from '../dom.js';
import { field, ErrorPresenter, fieldCandidates, yuanToFen } from '../form.js';
import { t, dateTime, money, number, has } from '../i18n.js';

// Groups in the order staff look for them; a key's group is its prefix (`order.` → orders).
const groups = ['shop', 'order', 'aftersales', 'inventory', 'shipping', 'member', 'security', 'payments', 'backup'];

/** Amounts are stored in fen; staff read and type them in yuan. */
const isMoney = (setting) => setting.type === 'integer' && /Fen$/.test(setting.key);

function inputType(setting) {
  if (isMoney(setting)) return 'money';
  return { integer: 'integer', boolean: 'checkbox', string: 'text', timeZone: 'text' }[setting.type] || 'text';
}

/** A message for the setting when the catalog has one, else what the server says. */
function message(kind, setting, fallback) {
  const key = `setting.${setting.key}.${kind}`;
  return has(key) ? t(key) : fallback;
}

function shown(setting, value) {
  if (setting.type === 'boolean') return value ? t('common.yes') : t('common.no');
  if (isMoney(setting)) return money(value);
  if (setting.type === 'integer') return number(value);
  return String(value ?? '');
}

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
    label: message('label', s, s.summary || s.key),
    type: inputType(s),
    value: s.value,
    // One line each (the stylesheet keeps the line breaks), so the default and the last change
    // never read as part of the help sentence.
    help: [
      message('help', s, s.summary),
      t('settings.default', { value: shown(s, s.defaultValue) }),
      s.updatedAt ? t('settings.updated', { at: dateTime(s.updatedAt) }) : '',
    ].filter(Boolean).join('\n'),
    disabled: !manage,
    readOnly: !manage,
    keepEmpty: true,
  }));
  const byKey = new Map(controls.map((c) => [c.def.name, c]));
  const sections = [...groups, 'other'].map((group) => {
    const members = controls.filter((c) => {
      const prefix = c.def.name.split('.')[0];
      return group === 'other' ? !groups.includes(prefix) : prefix === group;
    });
    if (!members.length) return null;
    return h('fieldset', { class: 'settings-group' },
      h('legend', { text: t(`settings.group.${group}`) }),
      h('div', { class: 'form-grid' }, members.map((c) => c.wrapper)));
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('action.save'), hidden: !manage });
  const form = h('form', { class: 'form card settings-form', novalidate: true },
    manage ? null : notice(t('common.readOnly'), 'info'),
    sections,
    h('div', { class: 'form-actions' }, submit));
  const presenter = new ErrorPresenter(form);
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
      const control = controls[i];
      const v = control.read();
      if (isMoney(s)) {
        if (v === undefined || Number.isNaN(yuanToFen(control.input.value))) { local.push({ field: s.key, message: t('form.badMoney') }); return; }
      } else if (s.type === 'integer' && (v === undefined || !Number.isInteger(v))) {
        local.push({ field: s.key, message: t('form.badInteger') });
        return;
      }
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
