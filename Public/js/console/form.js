import { h, uid, clear, errorText } from './dom.js';
import { t } from './i18n.js';

/** Yuan typed by staff to integer fen, without floating-point drift (12.3 → 1230). */
export function yuanToFen(text) {
  const value = String(text).trim();
  if (value === '') return null;
  const match = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(value);
  if (!match) return Number.NaN;
  const fen = Number(match[2]) * 100 + Number((match[3] || '').padEnd(2, '0'));
  return match[1] ? -fen : fen;
}

export function fenToYuan(fen) {
  if (fen === undefined || fen === null || fen === '') return '';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Number(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** ISO instant to the value a datetime-local input shows, in the browser's time zone. */
export function isoToLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function localInputToIso(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * One labelled control. Returns the wrapper and the control; `read()` converts the control's
 * text to what the API takes (fen for money, numbers, booleans, ISO times).
 */
export function field(def) {
  const id = def.id || uid(`f-${def.name}`);
  const type = def.type || 'text';
  let input;
  if (type === 'select') {
    input = h('select', { id, name: def.name, required: def.required, disabled: def.disabled },
      (def.options || []).map((o) => h('option', { value: o.value, selected: String(o.value) === String(def.value ?? '') }, o.label)));
  } else if (type === 'multiselect') {
    // Nothing chosen reads as null: no restriction, as the API's optional lists mean.
    const chosen = new Set((def.value || []).map(String));
    input = h('select', { id, name: def.name, multiple: true, size: Math.min(6, Math.max(2, (def.options || []).length)), disabled: def.disabled },
      (def.options || []).map((o) => h('option', { value: o.value, selected: chosen.has(String(o.value)) }, o.label)));
  } else if (type === 'textarea') {
    input = h('textarea', { id, name: def.name, rows: def.rows || 4, required: def.required, placeholder: def.placeholder, readOnly: def.readOnly });
    input.value = def.value ?? '';
  } else if (type === 'checkbox') {
    input = h('input', { id, name: def.name, type: 'checkbox', checked: Boolean(def.value), disabled: def.disabled });
  } else {
    const htmlType = { money: 'text', integer: 'number', datetime: 'datetime-local' }[type] || type;
    input = h('input', {
      id, name: def.name, type: htmlType, required: def.required, placeholder: def.placeholder,
      autocomplete: def.autocomplete || (type === 'password' ? 'new-password' : 'off'),
      min: def.min, max: def.max, step: def.step ?? (type === 'integer' ? 1 : null),
      inputmode: type === 'money' ? 'decimal' : def.inputmode, readOnly: def.readOnly, disabled: def.disabled,
      maxlength: def.maxlength,
    });
    if (type === 'money') input.value = fenToYuan(def.value);
    else if (type === 'datetime') input.value = isoToLocalInput(def.value);
    else input.value = def.value ?? '';
  }
  const labelNode = h('label', { for: id }, def.label, def.required ? h('span', { class: 'required', 'aria-hidden': 'true', text: ' *' }) : null);
  const help = def.help ? h('p', { class: 'field-help', id: `${id}-help`, text: def.help }) : null;
  if (help) input.setAttribute('aria-describedby', help.id);
  const wrapper = type === 'checkbox'
    ? h('div', { class: ['field', 'field-checkbox', def.wide && 'field-wide'] }, input, labelNode, help)
    : h('div', { class: ['field', def.wide && 'field-wide'] }, labelNode, input, help);
  const read = () => readControl(type, input, def);
  return { def, id, input, wrapper, read };
}

function readControl(type, input, def) {
  const raw = input.value;
  switch (type) {
    case 'checkbox': return input.checked;
    case 'multiselect': {
      const values = Array.from(input.selectedOptions, (o) => o.value);
      return values.length ? values : null;
    }
    case 'integer': case 'number':
      if (raw.trim() === '') return def.nullable ? null : undefined;
      return Number(raw);
    case 'money': {
      const fen = yuanToFen(raw);
      if (fen === null) return def.nullable ? null : undefined;
      return fen;
    }
    case 'datetime': return localInputToIso(raw) ?? undefined;
    default:
      if (raw.trim() === '' && !def.keepEmpty) return def.nullable ? null : undefined;
      return def.trim === false ? raw : raw.trim();
  }
}

/**
 * Shows a 422's field errors beside their controls (aria-describedby, aria-invalid) and a
 * summary at the top that links to each control, the pattern GOV.UK found works for everyone.
 */
export class ErrorPresenter {
  constructor(container) {
    this.summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true });
    container.prepend(this.summary);
    this.marks = [];
  }

  clear() {
    this.summary.hidden = true;
    clear(this.summary);
    for (const { input, note, describedBy } of this.marks) {
      note.remove();
      input.removeAttribute('aria-invalid');
      if (describedBy) input.setAttribute('aria-describedby', describedBy);
      else input.removeAttribute('aria-describedby');
    }
    this.marks = [];
  }

  /** `resolve(fieldName)` returns `{input, label}` for a field the server named, or null. */
  show(error, resolve = () => null) {
    this.clear();
    const items = [];
    for (const fe of error.errors || []) {
      const target = resolve(fe.field);
      if (target && target.input) {
        const note = h('p', { class: 'field-error', id: uid('err'), text: fe.message });
        const describedBy = target.input.getAttribute('aria-describedby');
        target.input.setAttribute('aria-describedby', [describedBy, note.id].filter(Boolean).join(' '));
        target.input.setAttribute('aria-invalid', 'true');
        const anchor = target.input.closest('.field, td, .inline-field') || target.input.parentElement;
        anchor.append(note);
        this.marks.push({ input: target.input, note, describedBy });
        items.push(h('li', {}, h('a', {
          href: `#${target.input.id}`,
          onclick: (event) => { event.preventDefault(); target.input.focus(); },
        }, `${target.label || fe.field}: ${fe.message}`)));
      } else {
        items.push(h('li', { text: `${fe.field}: ${fe.message}` }));
      }
    }
    this.summary.append(h('h2', { text: items.length ? t('form.fixErrors') : t('form.failed') }));
    if (!items.length || error.status !== 422) this.summary.append(h('p', { text: errorText(error) }));
    if (items.length) this.summary.append(h('ul', {}, items));
    this.summary.hidden = false;
    this.summary.focus();
  }
}

/** Tries the full server field name, then shorter prefixes: `skus[2].priceFen` → `skus[2]` → `skus`. */
export function fieldCandidates(name) {
  const out = [name];
  let rest = name;
  while (/[.[]/.test(rest)) {
    rest = rest.replace(/(\.[^.[\]]*|\[[^\]]*\])$/, '');
    out.push(rest);
  }
  const lastDot = name.lastIndexOf('.');
  if (lastDot >= 0) out.push(name.slice(lastDot + 1));
  return out;
}

/**
 * A complete form: fields, error summary, submit. `onSubmit(values)` does the API call; its
 * thrown problem is shown on the fields. `aliases` maps server field names to field names
 * where they differ (the pickup endpoint names `code` `pickupCode` in its errors). `validate(values)`
 * returns more field errors found before sending (lines, cross-field rules).
 */
export function createForm({ fields, submitLabel, onSubmit, onSuccess, aliases = {}, extra, cancel, className, resolveExtra, validate }) {
  const controls = fields.map(field);
  const byName = new Map(controls.map((c) => [c.def.name, c]));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: submitLabel || t('action.save') });
  const element = h('form', { class: ['form', className], novalidate: true },
    h('div', { class: 'form-grid' }, controls.map((c) => c.wrapper)),
    extra || null,
    h('div', { class: 'form-actions' }, submit,
      cancel ? h('button', { type: 'button', class: 'btn', onclick: cancel, text: t('action.cancel') }) : null));
  const presenter = new ErrorPresenter(element);

  const values = () => {
    const out = {};
    for (const c of controls) {
      if (c.def.readOnlyValue) continue;
      const v = c.read();
      if (v !== undefined) out[c.def.name] = v;
    }
    return out;
  };

  const resolve = (name) => {
    for (const candidate of fieldCandidates(name)) {
      const c = byName.get(aliases[candidate] || candidate);
      if (c) return { input: c.input, label: c.def.label };
    }
    return resolveExtra ? resolveExtra(name) : null;
  };

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    presenter.clear();
    // Every problem the browser can see is shown at once, the form's own and `validate`'s.
    const local = [...localErrors(controls), ...(validate ? validate(values()) : [])];
    if (local.length) {
      presenter.show({ status: 422, errors: local }, resolve);
      return;
    }
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      const result = await onSubmit(values());
      if (onSuccess) await onSuccess(result);
    } catch (error) {
      if (error && error.status !== undefined) presenter.show(error, resolve);
      else throw error;
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });

  return { element, controls, presenter, values, input: (name) => byName.get(name)?.input, resolve };
}

/** Catches what the browser can tell before a round trip: empty required fields, bad amounts. */
function localErrors(controls) {
  const errors = [];
  for (const c of controls) {
    const { type, required, name } = c.def;
    const raw = c.input.value;
    if (required && type !== 'checkbox' && String(raw).trim() === '') errors.push({ field: name, message: t('form.required') });
    else if (type === 'money' && String(raw).trim() !== '' && Number.isNaN(yuanToFen(raw))) errors.push({ field: name, message: t('form.badMoney') });
    else if ((type === 'integer') && String(raw).trim() !== '' && !Number.isInteger(Number(raw))) errors.push({ field: name, message: t('form.badInteger') });
  }
  return errors;
}
