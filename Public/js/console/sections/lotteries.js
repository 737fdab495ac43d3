import { get, post, put } from '../api.js';
import { add, h, uid, pageHeader, button, announce, badge, shortId, link, facts, openDialog, notice, stackOnPhone } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, label, number } from '../i18n.js';
import { formDialog, storeOptions } from '../widgets.js';
import { resolveSku } from './points-mall.js';

const kinds = ['points', 'sku', 'nothing'];

export async function render(root, { id }) {
  if (id) return renderLottery(root, id);
  let table;
  add(root, pageHeader(t('lottery.title'), button(t('lottery.new'), async () => {
    if (await edit(null)) table.reload();
  }, { kind: 'primary' })));
  table = createTable({
    caption: t('lottery.caption'),
    endpoint: '/admin/lotteries',
    syncUrl: true,
    columns: [
      { key: 'name', label: t('lottery.name'), render: (l) => link(`/console/lotteries/${l.id}`, l.name) },
      { key: 'costPoints', label: t('lottery.cost'), render: (l) => number(l.costPoints) },
      { key: 'dailyLimit', label: t('lottery.dailyLimit'), render: (l) => number(l.dailyLimit) },
      { key: 'prizes', label: t('lottery.prizes'), render: (l) => l.prizes.map((p) => p.name).join(' · ') },
      { key: 'tableVersion', label: t('lottery.version'), render: (l) => `v${l.tableVersion}` },
      { key: 'availability', label: t('mall.availability'), render: (l) => badge('mallAvailability', l.availability) },
      { key: 'actions', label: t('table.actions'), action: true, render: (l) => button(t('action.edit'), async () => {
        if (await edit(l)) table.reload();
      }, { 'aria-label': `${t('action.edit')} ${l.name}` }) },
    ],
  });
  add(root, table.element);
  table.reload();
}

/** The wheel's prizes as editable rows; `read()` resolves SKU codes and returns LotteryPrizeInput objects. */
function prizesEditor(prizes) {
  const body = h('tbody');
  const rows = [];
  const stores = storeOptions({ all: false });
  const captionId = uid('prizes');
  const cell = (node) => h('td', {}, node);
  const addRow = (prize = {}) => {
    const n = rows.length + 1;
    const row = {
      id: prize.id || null,
      name: h('input', { id: uid('prize-name'), type: 'text', maxlength: 30, value: prize.name || '', 'aria-label': t('lottery.prizeName', { n }) }),
      kind: h('select', { id: uid('prize-kind'), 'aria-label': t('lottery.prizeKind', { n }) },
        kinds.map((k) => h('option', { value: k, selected: (prize.kind || 'points') === k }, label('prizeKind', k)))),
      points: h('input', { id: uid('prize-points'), type: 'number', min: 1, step: 1, value: prize.points ?? '', 'aria-label': t('lottery.prizePoints', { n }) }),
      sku: h('input', { id: uid('prize-sku'), type: 'text', value: prize.skuId || '', placeholder: t('field.barcodeOrCode'), 'aria-label': t('lottery.prizeSku', { n }) }),
      store: h('select', { id: uid('prize-store'), 'aria-label': t('lottery.prizeStore', { n }) },
        stores.map((o) => h('option', { value: o.value, selected: String(o.value).toUpperCase() === String(prize.storeId || '').toUpperCase() }, o.label))),
      weight: h('input', { id: uid('prize-weight'), type: 'number', min: 0, step: 1, value: prize.weight ?? 1, 'aria-label': t('lottery.prizeWeight', { n }) }),
      stock: h('input', { id: uid('prize-stock'), type: 'number', min: 0, step: 1, value: prize.stock ?? '', 'aria-label': t('lottery.prizeStock', { n }) }),
    };
    const sync = () => {
      const kind = row.kind.value;
      row.points.disabled = kind !== 'points';
      row.sku.disabled = kind !== 'sku';
      row.store.disabled = kind !== 'sku';
      row.stock.disabled = kind === 'nothing';
    };
    row.kind.addEventListener('change', sync);
    sync();
    const tr = h('tr', {}, cell(row.name), cell(row.kind), cell(row.points), cell(row.sku), cell(row.store), cell(row.weight), cell(row.stock),
      h('td', { class: 'cell-actions' }, button(t('action.remove'), () => { rows.splice(rows.indexOf(row), 1); tr.remove(); },
        { 'aria-label': t('lottery.removePrize', { n }) })));
    rows.push(row);
    body.append(tr);
    stackOnPhone(table);
    return row;
  };
  const heads = ['prizeNameHead', 'prizeKindHead', 'prizePointsHead', 'prizeSkuHead', 'prizeStoreHead', 'prizeWeightHead', 'prizeStockHead'];
  const table = h('table', { class: 'data compact', 'aria-labelledby': captionId },
    h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col', text: t(`lottery.${k}`) })), h('th', { scope: 'col', text: t('table.actions') }))),
    body);
  (prizes.length ? prizes : [{ kind: 'points', points: 10, weight: 3 }, { kind: 'nothing', name: t('lottery.nothingName'), weight: 7 }]).forEach(addRow);
  const element = h('fieldset', { class: 'lines-editor' },
    h('legend', { id: captionId, text: t('lottery.prizes') }),
    h('p', { class: 'field-help', text: t('lottery.prizesHelp') }),
    h('div', { class: 'table-scroll' }, table),
    button(t('lottery.addPrize'), () => addRow().name.focus()));
  const whole = (input) => (input.value.trim() === '' ? null : Number(input.value));
  const read = async () => {
    const out = [];
    for (const [index, row] of rows.entries()) {
      const kind = row.kind.value;
      out.push({
        id: row.id, name: row.name.value.trim(), kind, weight: whole(row.weight) ?? 0,
        points: kind === 'points' ? whole(row.points) : null,
        skuId: kind === 'sku' ? await resolveSku(row.sku.value, row.store.value, `prizes[${index}].skuId`) : null,
        storeId: kind === 'sku' ? row.store.value || null : null,
        stock: kind === 'nothing' ? null : whole(row.stock),
      });
    }
    return out;
  };
  const resolve = (name) => {
    const m = /^prizes\[(\d+)\](?:\.(\w+))?/.exec(name);
    if (!m) return name === 'prizes' ? { input: rows[0]?.name, label: t('lottery.prizes') } : null;
    const row = rows[Number(m[1])];
    if (!row) return null;
    const key = { id: 'name', name: 'name', kind: 'kind', points: 'points', skuId: 'sku', storeId: 'store', weight: 'weight', stock: 'stock' }[m[2]] || 'name';
    return { input: row[key], label: `${t('lottery.prizes')} ${Number(m[1]) + 1}` };
  };
  return { element, read, resolve };
}

async function edit(lottery) {
  const editor = prizesEditor(lottery?.prizes || []);
  return formDialog(lottery ? t('lottery.editTitle', { name: lottery.name }) : t('lottery.new'), {
    fields: [
      { name: 'name', label: t('lottery.name'), required: true, value: lottery?.name, maxlength: 40 },
      { name: 'description', label: t('mall.description'), type: 'textarea', rows: 2, value: lottery?.description },
      { name: 'costPoints', label: t('lottery.cost'), type: 'integer', required: true, min: 0, value: lottery?.costPoints ?? 10 },
      { name: 'dailyLimit', label: t('lottery.dailyLimit'), type: 'integer', required: true, min: 1, value: lottery?.dailyLimit ?? 3 },
      { name: 'startsAt', label: t('mall.startsAt'), type: 'datetime', value: lottery?.startsAt },
      { name: 'endsAt', label: t('mall.endsAt'), type: 'datetime', value: lottery?.endsAt },
      { name: 'sortOrder', label: t('mall.sortOrder'), type: 'integer', min: 0, value: lottery?.sortOrder ?? 0 },
      { name: 'enabled', label: t('mall.enabled'), type: 'checkbox', value: lottery?.enabled ?? true },
    ],
    extra: editor.element,
    resolveExtra: editor.resolve,
    onSubmit: async (v) => {
      const body = {
        name: v.name, description: v.description ?? '', costPoints: v.costPoints, dailyLimit: v.dailyLimit, startsAt: v.startsAt ?? null,
        endsAt: v.endsAt ?? null, sortOrder: v.sortOrder ?? 0, enabled: v.enabled, prizes: await editor.read(),
      };
      return lottery ? put(`/admin/lotteries/${lottery.id}`, body) : post('/admin/lotteries', body);
    },
  }).then((saved) => {
    if (saved) announce(t('common.saved'));
    return saved;
  });
}

async function renderLottery(root, id) {
  let lottery = await get(`/admin/lotteries/${id}`);
  const body = h('div');
  const show = () => {
    body.replaceChildren();
    add(body,
      h('section', { class: 'card' }, facts([
        [t('lottery.cost'), number(lottery.costPoints)],
        [t('lottery.dailyLimit'), number(lottery.dailyLimit)],
        [t('lottery.window'), [lottery.startsAt ? dateTime(lottery.startsAt) : '…', ' – ', lottery.endsAt ? dateTime(lottery.endsAt) : '…'].join('')],
        [t('mall.availability'), badge('mallAvailability', lottery.availability)],
        [t('lottery.version'), `v${lottery.tableVersion}`],
      ])),
      h('section', { class: 'card' }, h('h2', { text: t('lottery.prizes') }), stackOnPhone(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('lottery.prizeNameHead'), t('lottery.prizeKindHead'), t('lottery.prizeWhat'), t('lottery.prizeWeightHead'), t('lottery.chance'), t('lottery.prizeStockHead')]
          .map((text) => h('th', { scope: 'col', text })))),
        h('tbody', {}, lottery.prizes.map((p) => h('tr', {},
          h('td', { text: p.name }), h('td', {}, badge('prizeKind', p.kind)),
          h('td', { text: p.kind === 'points' ? `${number(p.points)} ${t('mall.points')}` : p.kind === 'sku' ? `${p.skuTitle || ''} @ ${p.storeName || ''}` : '' }),
          h('td', { text: number(p.weight) }), h('td', { text: `${(p.chanceBasisPoints / 100).toFixed(2)}%` }),
          h('td', { text: p.stock === null || p.stock === undefined ? t('mall.noLimit') : `${number(p.remaining)} / ${number(p.stock)}` }))))))));
  };
  show();
  add(root, pageHeader(lottery.name, link('/console/lotteries', t('action.back')), button(t('action.edit'), async () => {
    if (await edit(lottery)) { lottery = await get(`/admin/lotteries/${id}`); show(); draws.reload(); }
  }, { kind: 'primary' })), body);

  const replay = async (draw) => {
    const audit = await get(`/admin/lotteries/${id}/draws/${draw.id}`);
    await openDialog(t('lottery.replayTitle'), h('div', {},
      notice(audit.reproduced ? t('lottery.reproduced') : t('lottery.notReproduced'), audit.reproduced ? 'info' : 'error'),
      facts([
        [t('lottery.random'), h('span', { class: 'mono', text: audit.draw.random })],
        [t('lottery.version'), `v${audit.table.version}`],
        [t('lottery.drawnSlot'), `${audit.draw.drawnSlot + 1} · ${audit.table.slots[audit.draw.drawnSlot]?.name ?? ''}`],
        [t('lottery.replayedSlot'), audit.replayedSlot === null || audit.replayedSlot === undefined ? '—' : String(audit.replayedSlot + 1)],
        [t('lottery.weights'), audit.table.slots.map((s) => `${s.name}:${s.weight}`).join(' · ')],
      ])));
  };
  const draws = createTable({
    caption: t('lottery.draws'),
    endpoint: `/admin/lotteries/${id}/draws`,
    columns: [
      { key: 'createdAt', label: t('mall.when'), render: (d) => dateTime(d.createdAt) },
      { key: 'memberId', label: t('mall.member'), render: (d) => h('span', { class: 'mono', text: shortId(d.memberId) }) },
      { key: 'prize', label: t('lottery.prize'), render: (d) => [badge('prizeKind', d.prizeKind), ' ', d.prizeName, d.points ? ` (${number(d.points)})` : ''] },
      { key: 'fallback', label: t('lottery.fallback'), render: (d) => (d.fallback ? label('lotteryFallback', d.fallback) : '') },
      { key: 'order', label: t('mall.order'), render: (d) => (d.orderId ? link(`/console/orders/${d.orderId}`, d.orderNumber || shortId(d.orderId)) : '') },
      { key: 'random', label: t('lottery.random'), render: (d) => h('span', { class: 'mono', text: `${d.random} · v${d.tableVersion}` }) },
      { key: 'actions', label: t('table.actions'), action: true, render: (d) => button(t('lottery.replay'), () => replay(d)) },
    ],
  });
  add(root, draws.element);
  draws.reload();
}
