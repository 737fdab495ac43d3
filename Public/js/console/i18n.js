import { context } from './context.js';

let messages = {};
const missing = new Set();

export const lang = context.lang;
const locale = lang === 'en' ? 'en-GB' : 'zh-CN';

/** Loads the catalog for the shell's language; call once before rendering anything. */
export async function loadMessages() {
  const response = await fetch(`/js/console/messages/${lang}.json`, { credentials: 'same-origin' });
  messages = response.ok ? await response.json() : {};
}

/** A message by key with `{name}` placeholders filled in; an unknown key shows itself. */
export function t(key, params = {}) {
  let text = messages[key];
  if (text === undefined) {
    if (!missing.has(key)) {
      missing.add(key);
      console.warn(`missing message: ${key}`);
    }
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? `{${name}}` : String(params[name])));
}

/** Whether the catalog has the key, for messages that exist only for some values. */
export function has(key) {
  return messages[key] !== undefined;
}

/** Choices for a select from every catalog key `group.<value>`, sorted by their text. */
export function labelledOptions(group) {
  const prefix = `${group}.`;
  return Object.keys(messages).filter((key) => key.startsWith(prefix))
    .map((key) => ({ value: key.slice(prefix.length), label: messages[key] }))
    .sort((a, b) => a.label.localeCompare(b.label, locale));
}

/** A label for an enum value such as an order status, falling back to the raw value. */
export function label(group, value) {
  if (value === undefined || value === null || value === '') return '';
  const key = `${group}.${value}`;
  return messages[key] === undefined ? String(value) : messages[key];
}

// 'narrowSymbol' keeps "¥12.50" in English too; the default symbol there is "CN¥".
const moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' });
const numberFormat = new Intl.NumberFormat(locale);
const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

/** Amounts travel as integer fen; only the display divides. */
export function money(fen) {
  if (fen === undefined || fen === null) return '';
  return moneyFormat.format(Number(fen) / 100);
}

export function number(value) {
  return value === undefined || value === null ? '' : numberFormat.format(value);
}

export function dateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateTimeFormat.format(date);
}

/** A file's size in KB (at least 1) or, from one megabyte, MB with one decimal. */
export function fileSize(bytes) {
  if (bytes >= 1024 * 1024) return t('unit.megabytes', { value: (bytes / 1024 / 1024).toFixed(1) });
  return t('unit.kilobytes', { value: numberFormat.format(Math.max(1, Math.round(bytes / 1024))) });
}

/** A playing time as m:ss (h:mm:ss from an hour). */
export function duration(milliseconds) {
  const total = Math.round(milliseconds / 1000);
  const pad = (n) => String(n).padStart(2, '0');
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function distance(meters) {
  if (meters === undefined || meters === null) return '';
  return meters >= 1000 ? t('unit.km', { value: (meters / 1000).toFixed(1) }) : t('unit.m', { value: meters });
}
