import { h, clear, uid, errorText } from './dom.js';
import { field, fieldCandidates } from './form.js';
import { get } from './api.js';
import { t, number } from './i18n.js';

const defaultEnvelope = (data) => (Array.isArray(data)
  ? { items: data, total: data.length, page: 1, per: data.length || 1 }
  : { items: data.items || [], total: data.total ?? 0, page: data.page ?? 1, per: data.per ?? 20 });

/**
 * A list bound to an admin endpoint with the API's `page`/`per` pagination and `sort`. The
 * server orders the whole list, so a column is sortable only when its field (`sortField`, else
 * its key) is one of the endpoint's `sortFields`. With `syncUrl`, filters, sort and page live in
 * the address bar so a reload or the back button returns to the same view.
 */
export function createTable({
  caption, endpoint, columns, filters = [], baseParams = {}, per = 20, envelope = defaultEnvelope,
  syncUrl = false, keepUrlParams = [], onLoad, emptyText, rowClass, sortFields = [],
}) {
  const urlParams = syncUrl ? new URLSearchParams(location.search) : new URLSearchParams();
  const state = {
    page: Number(urlParams.get('page')) || 1,
    per: Number(urlParams.get('per')) || per,
    sort: parseSort(urlParams.get('sort')),
    items: [],
    total: 0,
  };
  const filterControls = filters.map((def) => field({
    ...def, value: urlParams.has(def.name) ? (def.type === 'checkbox' ? urlParams.get(def.name) === 'true' : urlParams.get(def.name)) : def.value,
  }));

  const captionId = uid('cap');
  const status = h('p', { class: 'table-status', role: 'status', 'aria-live': 'polite' });
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { class: 'data' },
    h('caption', { id: captionId }, caption, sortFields.length ? h('span', { class: 'visually-hidden', text: ` ${t('table.sortHint')}` }) : null),
    thead, tbody);
  const pageInfo = h('span', { class: 'pager-info' });
  const prev = h('button', { type: 'button', class: 'btn', text: t('table.prev'), onclick: () => go(state.page - 1) });
  const next = h('button', { type: 'button', class: 'btn', text: t('table.next'), onclick: () => go(state.page + 1) });
  const perId = uid('per');
  const perSelect = h('select', { id: perId, onchange: () => { state.per = Number(perSelect.value); go(1); } },
    [10, 20, 50, 100].map((n) => h('option', { value: n, selected: n === state.per }, String(n))));
  const pager = h('nav', { class: 'pager', 'aria-label': t('table.pagination') },
    prev, pageInfo, next, h('label', { for: perId, class: 'pager-per' }, t('table.perPage')), perSelect);

  let filterForm = null;
  let filterToggle = null;
  if (filterControls.length) {
    const filterId = uid('filters');
    filterForm = h('form', { id: filterId, class: 'filters', role: 'search', 'aria-label': t('table.filters') },
      filterControls.map((c) => c.wrapper),
      h('div', { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', text: t('table.apply') }),
        h('button', { type: 'reset', class: 'btn', text: t('table.reset') })));
    filterForm.addEventListener('submit', (event) => { event.preventDefault(); go(1); });
    filterForm.addEventListener('reset', () => setTimeout(() => go(1), 0));
    // Selects and checkboxes apply at once; text filters wait for Enter or the button.
    for (const c of filterControls) {
      if (c.def.type === 'select' || c.def.type === 'checkbox') c.input.addEventListener('change', () => go(1));
    }
    // On a phone four or more filters (orders, audit) would push the list below the fold: they
    // fold behind a button there (the stylesheet shows the button and folds the form only on
    // narrow screens). Up to three stay in view, so the common ones are one tap away.
    if (filterControls.length > 3) {
      filterToggle = h('button', { type: 'button', class: 'btn filter-toggle', 'aria-controls': filterId, 'aria-expanded': 'false', onclick: () => setFiltersOpen(filterToggle.getAttribute('aria-expanded') !== 'true') });
    }
  }

  const element = h('section', { class: ['card', 'table-card', filterToggle && 'filters-folded'] },
    filterToggle,
    filterForm,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': captionId }, table),
    status, pager);

  renderHead();
  syncFilterToggle();

  function setFiltersOpen(open) {
    if (!filterToggle) return;
    filterToggle.setAttribute('aria-expanded', String(open));
    element.classList.toggle('filters-folded', !open);
    if (open) filterControls[0]?.input.focus();
  }

  /** The toggle says how many filters are in force, so a folded form hides nothing silently. */
  function syncFilterToggle() {
    if (!filterToggle) return;
    const active = filterControls.filter((c, i) => (c.def.type === 'checkbox'
      ? c.input.checked !== Boolean(filters[i].value)
      : c.input.value !== String(filters[i].value ?? ''))).length;
    filterToggle.textContent = active ? t('table.filtersActive', { count: active }) : t('table.filters');
  }

  // Field errors from the list endpoint (a 422 on `phone`) sit beside their filter input.
  let filterMarks = [];
  function clearFilterErrors() {
    for (const { input, note, describedBy } of filterMarks) {
      note.remove();
      input.removeAttribute('aria-invalid');
      if (describedBy) input.setAttribute('aria-describedby', describedBy);
      else input.removeAttribute('aria-describedby');
    }
    filterMarks = [];
  }

  /** Marks the filters the server named; returns the errors no filter owns. */
  function showFilterErrors(errors) {
    const rest = [];
    for (const fe of errors) {
      const control = fieldCandidates(fe.field).map((name) => filterControls.find((c) => c.def.name === name)).find(Boolean);
      if (!control) { rest.push(fe); continue; }
      const note = h('p', { class: 'field-error', id: uid('err'), text: fe.message });
      const describedBy = control.input.getAttribute('aria-describedby');
      control.input.setAttribute('aria-describedby', [describedBy, note.id].filter(Boolean).join(' '));
      control.input.setAttribute('aria-invalid', 'true');
      control.wrapper.append(note);
      filterMarks.push({ input: control.input, note, describedBy });
    }
    return rest;
  }

  function sortFieldOf(col) {
    const name = col.sortField || col.key;
    return !col.action && sortFields.includes(name) ? name : null;
  }

  function parseSort(raw) {
    if (!raw) return null;
    const key = raw.startsWith('-') ? raw.slice(1) : raw;
    return sortFields.includes(key) ? { key, dir: raw.startsWith('-') ? -1 : 1 } : null;
  }

  function renderHead() {
    clear(thead);
    thead.append(h('tr', {}, columns.map((col) => {
      const field = sortFieldOf(col);
      const sorted = field && state.sort && state.sort.key === field;
      const th = h('th', {
        scope: 'col', class: col.align === 'num' ? 'num' : null,
        'aria-sort': sorted ? (state.sort.dir === 1 ? 'ascending' : 'descending') : null,
      });
      if (!field) {
        th.textContent = col.label;
        return th;
      }
      th.append(h('button', { type: 'button', class: 'sort', onclick: () => sortBy(field) },
        col.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true', text: sorted ? (state.sort.dir === 1 ? ' ▲' : ' ▼') : ' ↕' })));
      return th;
    })));
  }

  async function sortBy(key) {
    state.sort = state.sort && state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: 1 };
    renderHead();
    await go(1);
    thead.querySelector('th[aria-sort] button')?.focus();
  }

  function renderBody() {
    clear(tbody);
    for (const row of state.items) {
      tbody.append(h('tr', { class: rowClass ? rowClass(row) : null }, columns.map((col, index) => {
        const content = col.render ? col.render(row) : row[col.key];
        const attrs = { class: [col.align === 'num' && 'num', col.action && 'cell-actions', col.nowrap && 'nowrap'] };
        // The first column names the row, so it is the row header for screen readers.
        return index === 0 && !col.action ? h('th', { scope: 'row', ...attrs }, content) : h('td', attrs, content);
      })));
    }
  }

  function params() {
    const out = { ...baseParams };
    if (state.sort) out.sort = `${state.sort.dir < 0 ? '-' : ''}${state.sort.key}`;
    for (const c of filterControls) {
      const v = c.read();
      if (v !== undefined && v !== null && v !== '' && v !== false) out[c.def.name] = v;
    }
    return out;
  }

  function writeUrl(query) {
    if (!syncUrl) return;
    const search = new URLSearchParams();
    const current = new URLSearchParams(location.search);
    for (const name of keepUrlParams) if (current.has(name)) search.set(name, current.get(name));
    for (const c of filterControls) {
      const raw = c.def.type === 'checkbox' ? (c.input.checked ? 'true' : '') : c.input.value;
      if (raw) search.set(c.def.name, raw);
    }
    if (query.sort) search.set('sort', query.sort);
    if (query.page > 1) search.set('page', query.page);
    if (query.per !== per) search.set('per', query.per);
    const text = search.toString();
    history.replaceState(null, '', `${location.pathname}${text ? `?${text}` : ''}`);
  }

  let generation = 0;
  async function load() {
    const mine = ++generation;
    const query = { ...params(), page: state.page, per: state.per };
    writeUrl(query);
    syncFilterToggle();
    status.textContent = t('table.loading');
    element.setAttribute('aria-busy', 'true');
    try {
      const data = await get(typeof endpoint === 'function' ? endpoint() : endpoint, query);
      if (mine !== generation) return;
      clearFilterErrors();
      const page = envelope(data);
      state.items = page.items;
      state.total = page.total;
      renderBody();
      const pages = Math.max(1, Math.ceil(page.total / (page.per || state.per)));
      pageInfo.textContent = t('table.pageInfo', { page: page.page, pages, total: number(page.total) });
      prev.disabled = page.page <= 1;
      next.disabled = page.page >= pages;
      status.textContent = page.items.length ? '' : (emptyText || t('table.empty'));
      status.classList.remove('table-error');
      if (onLoad) onLoad(data, page);
    } catch (error) {
      if (mine !== generation) return;
      state.items = [];
      state.total = 0;
      renderBody();
      clearFilterErrors();
      const rest = error && error.errors && error.errors.length ? showFilterErrors(error.errors) : [];
      const named = error && error.errors && error.errors.length > rest.length;
      // A refused filter leaves no list: the pager must not go on counting the previous one.
      pageInfo.textContent = '';
      status.textContent = [named ? t('table.filterRejected') : errorText(error), ...rest.map((fe) => `${fe.field}: ${fe.message}`)].join(' ');
      status.classList.add('table-error');
      prev.disabled = true;
      next.disabled = true;
      if (named) {
        setFiltersOpen(true);
        filterMarks[0]?.input.focus();
      }
    } finally {
      if (mine === generation) element.removeAttribute('aria-busy');
    }
  }

  function go(page) {
    state.page = Math.max(1, page);
    return load();
  }

  return {
    element,
    reload: () => load(),
    go,
    filter: (name) => filterControls.find((c) => c.def.name === name)?.input,
    get items() { return state.items; },
  };
}
