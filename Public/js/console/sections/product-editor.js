import { can, canAboveStore, canOnPlatform, merchantsWith } from '../context.js';
import { get, post, put, api } from '../api.js';
import { add, h, pageHeader, badge, link, button, busy, announce, errorNotice, uid, clear, notice, stackOnPhone } from '../dom.js';
import { field, ErrorPresenter, fenToYuan, yuanToFen, fieldCandidates } from '../form.js';
import { t, label } from '../i18n.js';
import { reasonDialog, loadMerchants as merchantDirectory, merchantLabel } from '../widgets.js';

const MAX_SPECS = 5;

export function flattenCategories(nodes, out = []) {
  for (const n of nodes) {
    // Depth shows as leading dashes because <option> cannot be styled reliably across browsers.
    out.push({ value: n.id, label: `${'— '.repeat(n.depth || 0)}${n.name}` });
    flattenCategories(n.children || [], out);
  }
  return out;
}

function splitValues(text) {
  return text.split(/[,，、;；\n]/).map((v) => v.trim()).filter(Boolean);
}

/** Every combination of spec values; no specs gives the one SKU a simple product has. */
function combinations(specs) {
  return specs.reduce((acc, spec) => acc.flatMap((combo) => spec.values.map((v) => ({ ...combo, [spec.name]: v }))), [{}]);
}

const comboKey = (specs) => JSON.stringify(Object.keys(specs).sort().map((k) => [k, specs[k]]));

/** Merchants a new product may belong to: those where the staff member holds catalog.edit. */
async function loadMerchants() {
  const allowed = merchantsWith('catalog.edit');
  const directory = await merchantDirectory();
  const ids = allowed === null ? [...directory.keys()] : allowed;
  return ids.map((id) => ({ value: id, label: merchantLabel(id, directory) }));
}

export async function render(root, productId) {
  // A new product belongs to a merchant, so creating one needs catalog.edit above store level;
  // a store's staff get a plain explanation instead of an editor they cannot use.
  if (!productId && !canAboveStore('catalog.edit')) {
    add(root, h('p', { class: 'breadcrumb' }, link('/console/catalog', t('catalog.title'))), pageHeader(t('catalog.new')), notice(t('catalog.cannotCreate'), 'info'));
    return;
  }
  let product = null; let categories; let brands; let merchants = [];
  try {
    [product, categories, brands] = await Promise.all([
      productId ? get(`/admin/products/${productId}`) : Promise.resolve(null),
      get('/admin/categories'),
      get('/admin/brands'),
    ]);
    if (!product) merchants = await loadMerchants();
  } catch (error) {
    add(root, pageHeader(t('catalog.editor')), link('/console/catalog', t('action.back')), errorNotice(error));
    return;
  }
  const editable = (product ? can('catalog.edit') : canAboveStore('catalog.edit')) && (!product || product.status !== 'pending_review');
  add(root, h('p', { class: 'breadcrumb' }, link('/console/catalog', t('catalog.title'))));
  add(root, header(product));
  if (product && product.status === 'rejected' && product.rejectionReason) add(root, notice(t('catalog.rejectedBecause', { reason: product.rejectionReason }), 'error'));
  if (product && product.status === 'pending_review') add(root, notice(t('catalog.lockedInReview'), 'info'));
  add(root, editorForm(product, { categories, brands, merchants, editable }));
  if (product) {
    const { pricesCard, listingCard } = await import('./sku-prices.js');
    const { attachmentsCard } = await import('./product-attachments.js');
    add(root, attachmentsCard(product, { editable }), pricesCard(product), listingCard(product));
  }
}

function header(product) {
  if (!product) return pageHeader(t('catalog.new'));
  const actions = [];
  const step = (text, path, body, kind = '') => button(text, async (event) => {
    try {
      await busy(event.currentTarget, () => post(`/admin/products/${product.id}/${path}`, body));
      location.reload();
    } catch (error) {
      announce(error.detail || error.title, 'error');
    }
  }, { kind });
  if (can('catalog.edit')) {
    if (['draft', 'rejected'].includes(product.status)) actions.push(step(t('catalog.submit'), 'submit', undefined, 'primary'));
    if (product.status === 'pending_review') actions.push(step(t('catalog.withdraw'), 'withdraw'));
    if (product.status === 'approved') {
      actions.push(step(product.onShelf ? t('catalog.offShelf') : t('catalog.onShelf'), 'shelf', { onShelf: !product.onShelf }, product.onShelf ? '' : 'primary'));
    }
  }
  if (canOnPlatform('catalog.review') && product.status === 'pending_review') {
    actions.push(step(t('catalog.approve'), 'approve', undefined, 'primary'));
    actions.push(button(t('catalog.reject'), async () => {
      const done = await reasonDialog(t('catalog.rejectTitle'), (v) => post(`/admin/products/${product.id}/reject`, v), { labelText: t('catalog.rejectReason') });
      if (done) location.reload();
    }, { kind: 'danger' }));
  }
  return h('header', { class: 'page-header' },
    h('h1', {}, product.title, ' ', badge('productStatus', product.status), product.onShelf ? [' ', badge('shelf', 'on')] : null),
    h('div', { class: 'page-actions' }, actions));
}

function editorForm(product, { categories, brands, merchants, editable }) {
  const p = product || { title: '', subtitle: '', descriptionHtml: '', tags: [], unit: '', weightGrams: 0, images: [], specs: [], skus: [] };
  const basics = [
    product ? null : { name: 'merchantId', label: t('field.merchant'), type: 'select', required: true, options: [{ value: '', label: t('filter.choose') }, ...merchants], value: merchants.length === 1 ? merchants[0].value : '' },
    { name: 'title', label: t('field.title'), required: true, value: p.title, wide: true },
    { name: 'subtitle', label: t('field.subtitle'), value: p.subtitle, wide: true },
    { name: 'categoryId', label: t('field.category'), type: 'select', required: true, value: p.categoryId, options: [{ value: '', label: t('filter.choose') }, ...flattenCategories(categories)] },
    { name: 'brandId', label: t('field.brand'), type: 'select', value: p.brandId, options: [{ value: '', label: t('catalog.noBrand') }, ...brands.map((b) => ({ value: b.id, label: b.name }))] },
    { name: 'tags', label: t('field.tags'), value: (p.tags || []).join(', '), help: t('catalog.tagsHelp') },
    { name: 'unit', label: t('field.unit'), required: true, value: p.unit, placeholder: t('catalog.unitPlaceholder') },
    { name: 'weightGrams', label: t('field.weightGrams'), type: 'integer', min: 0, value: p.weightGrams },
    { name: 'descriptionHtml', label: t('field.description'), type: 'textarea', rows: 6, value: p.descriptionHtml, wide: true, help: t('catalog.descriptionHelp') },
  ].filter(Boolean).map(field);
  const byName = new Map(basics.map((c) => [c.def.name, c]));

  const images = imagesEditor(p.images || [], () => (product ? product.merchantId : byName.get('merchantId').input.value));
  const matrix = matrixEditor(p.specs || [], p.skus || []);

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: product ? t('action.save') : t('catalog.createDraft'), disabled: !editable });
  const form = h('form', { class: 'form product-editor', novalidate: true },
    h('fieldset', { class: 'card', disabled: !editable },
      h('legend', { text: t('catalog.basics') }), h('div', { class: 'form-grid' }, basics.map((c) => c.wrapper))),
    h('fieldset', { class: 'card', disabled: !editable }, h('legend', { text: t('catalog.images') }), images.element),
    h('fieldset', { class: 'card', disabled: !editable }, h('legend', { text: t('catalog.specsAndSkus') }), matrix.element),
    h('div', { class: 'form-actions' }, submit));
  const presenter = new ErrorPresenter(form);

  const resolve = (name) => {
    for (const candidate of fieldCandidates(name)) {
      const c = byName.get(candidate);
      if (c) return { input: c.input, label: c.def.label };
    }
    return matrix.resolve(name) || images.resolve(name);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    presenter.clear();
    const read = Object.fromEntries(basics.map((c) => [c.def.name, c.read()]));
    const local = [];
    for (const c of basics) if (c.def.required && !c.input.value.trim()) local.push({ field: c.def.name, message: t('form.required') });
    const built = matrix.read(local);
    if (local.length) { presenter.show({ status: 422, errors: local }, resolve); return; }
    const body = {
      ...(product ? {} : { merchantId: read.merchantId }),
      title: read.title,
      subtitle: read.subtitle || '',
      descriptionHtml: read.descriptionHtml || '',
      categoryId: read.categoryId,
      brandId: read.brandId || undefined,
      tags: read.tags ? splitValues(read.tags) : [],
      unit: read.unit,
      weightGrams: read.weightGrams ?? 0,
      images: images.read(),
      specs: built.specs,
      skus: built.skus,
    };
    submit.disabled = true;
    try {
      const saved = product ? await put(`/admin/products/${product.id}`, body) : await post('/admin/products', body);
      announce(t('catalog.saved'));
      if (!product) location.assign(`/console/catalog/${saved.id}`);
      else location.reload();
    } catch (error) {
      presenter.show(error, resolve);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function imagesEditor(initial, merchantId) {
  const urls = [...initial];
  const list = h('ul', { class: 'image-list' });
  const inputId = uid('img');
  const fileInput = h('input', { id: inputId, type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true });
  const status = h('p', { class: 'field-help', role: 'status', 'aria-live': 'polite' });
  const draw = () => {
    clear(list);
    urls.forEach((url, index) => list.append(h('li', {},
      h('img', { src: url, alt: t('catalog.imageAlt', { n: index + 1 }), loading: 'lazy' }),
      h('div', { class: 'image-actions' },
        index > 0 ? button('↑', () => { urls.splice(index - 1, 0, urls.splice(index, 1)[0]); draw(); }, { 'aria-label': t('catalog.moveImageUp', { n: index + 1 }) }) : null,
        button(t('action.remove'), () => { urls.splice(index, 1); draw(); }, { 'aria-label': t('catalog.removeImage', { n: index + 1 }) })))));
  };
  fileInput.addEventListener('change', async () => {
    const merchant = merchantId();
    if (!merchant) { status.textContent = t('catalog.chooseMerchantFirst'); return; }
    for (const file of fileInput.files) {
      status.textContent = t('catalog.uploading', { name: file.name });
      const form = new FormData();
      form.append('merchantId', merchant);
      form.append('file', file);
      try {
        const media = await api('/admin/media/images', { method: 'POST', form });
        if (!urls.includes(media.url)) urls.push(media.url);
        draw();
        status.textContent = t('catalog.uploaded', { name: file.name });
      } catch (error) {
        const detail = (error.errors && error.errors[0] && error.errors[0].message) || error.detail || error.title;
        status.textContent = t('catalog.uploadFailed', { name: file.name, detail });
      }
    }
    fileInput.value = '';
  });
  draw();
  return {
    element: h('div', {}, list, h('div', { class: 'field' }, h('label', { for: inputId, text: t('catalog.uploadImages') }), fileInput, status)),
    read: () => [...urls],
    resolve: (name) => (name.startsWith('images') ? { input: fileInput, label: t('catalog.images') } : null),
  };
}

/**
 * The spec matrix: up to five specs, each with its values; "generate" lays out one SKU row per
 * combination and keeps what was already typed into rows whose combination survives.
 */
function matrixEditor(initialSpecs, initialSkus) {
  const specRows = [];
  const specBody = h('div', { class: 'spec-rows' });
  let skuRows = [];
  const skuBody = h('tbody');
  const addSpecButton = button(t('catalog.addSpec'), () => { addSpec({ name: '', values: [] }).name.focus(); });
  const generateButton = button(t('catalog.generateSkus'), () => generate(), { kind: 'primary' });

  function addSpec(spec) {
    const nameId = uid('spec-name'); const valuesId = uid('spec-values');
    const row = {
      name: h('input', { id: nameId, type: 'text', value: spec.name, autocomplete: 'off' }),
      values: h('input', { id: valuesId, type: 'text', value: spec.values.join(', '), autocomplete: 'off' }),
    };
    row.element = h('div', { class: 'spec-row' },
      h('div', { class: 'field' }, h('label', { for: nameId, text: t('catalog.specName') }), row.name),
      h('div', { class: 'field field-wide' }, h('label', { for: valuesId, text: t('catalog.specValues') }), row.values),
      button(t('action.remove'), () => { specRows.splice(specRows.indexOf(row), 1); row.element.remove(); syncAdd(); }, { 'aria-label': t('catalog.removeSpec') }));
    specRows.push(row);
    specBody.append(row.element);
    syncAdd();
    return row;
  }
  const syncAdd = () => { addSpecButton.disabled = specRows.length >= MAX_SPECS; };
  const currentSpecs = () => specRows.map((r) => ({ name: r.name.value.trim(), values: [...new Set(splitValues(r.values.value))] }))
    .filter((s) => s.name || s.values.length);

  function skuRow(sku, combo) {
    const labelText = Object.values(combo).join(' / ') || t('catalog.singleSku');
    const cell = (key, value, attrs = {}) => h('input', { id: uid(`sku-${key}`), type: 'text', value: value ?? '', autocomplete: 'off', 'aria-label': `${t(`field.${key}`)} · ${labelText}`, ...attrs });
    const row = {
      combo,
      key: comboKey(combo),
      id: sku.id,
      code: cell('skuCode', sku.code),
      barcode: cell('barcode', sku.barcode, { inputmode: 'numeric' }),
      price: cell('priceYuan', fenToYuan(sku.priceFen), { inputmode: 'decimal' }),
      market: cell('marketPriceYuan', fenToYuan(sku.marketPriceFen), { inputmode: 'decimal' }),
      enabled: h('input', { id: uid('sku-enabled'), type: 'checkbox', checked: sku.enabled !== false, 'aria-label': `${t('field.enabled')} · ${labelText}` }),
      imageUrl: sku.imageUrl,
      weightGrams: sku.weightGrams,
      costFen: sku.costFen,
    };
    row.element = h('tr', {}, h('th', { scope: 'row', text: labelText }),
      h('td', {}, row.code), h('td', {}, row.barcode), h('td', {}, row.price), h('td', {}, row.market), h('td', { class: 'center' }, row.enabled));
    return row;
  }

  function generate() {
    const specs = currentSpecs().filter((s) => s.name && s.values.length);
    const old = new Map(skuRows.map((r) => [r.key, r]));
    const readRow = (r) => ({ code: r.code.value, barcode: r.barcode.value, priceFen: yuanToFen(r.price.value), marketPriceFen: yuanToFen(r.market.value), enabled: r.enabled.checked, imageUrl: r.imageUrl, id: r.id });
    skuRows = combinations(specs).map((combo) => {
      const previous = old.get(comboKey(combo));
      return skuRow(previous ? readRow(previous) : {}, combo);
    });
    clear(skuBody).append(...skuRows.map((r) => r.element));
    stackOnPhone(skuTable);
    skuCount.textContent = t('catalog.skuCount', { count: skuRows.length });
  }

  for (const spec of initialSpecs) addSpec(spec);
  // SKUs whose combination left the matrix stay on the server (disabled, for order history) but
  // are not part of what the editor sends back.
  const wanted = new Set(combinations(initialSpecs).map(comboKey));
  skuRows = initialSkus.map((sku) => ({ sku, combo: specsOf(sku) }))
    .filter(({ combo }) => wanted.has(comboKey(combo)))
    .map(({ sku, combo }) => skuRow(sku, combo));
  skuBody.append(...skuRows.map((r) => r.element));
  if (!skuRows.length) {
    skuRows = [skuRow({}, {})];
    skuBody.append(skuRows[0].element);
  }
  const skuCount = h('p', { class: 'field-help', role: 'status', text: t('catalog.skuCount', { count: skuRows.length }) });
  const captionId = uid('skus');
  const skuTable = stackOnPhone(h('table', { class: 'data compact sku-table' },
    h('caption', { id: captionId, text: t('catalog.skus') }),
    h('thead', {}, h('tr', {}, [t('catalog.combination'), t('field.skuCode'), t('field.barcode'), t('field.priceYuan'), t('field.marketPriceYuan'), t('field.enabled')]
      .map((x) => h('th', { scope: 'col', text: x })))),
    skuBody));

  const element = h('div', { class: 'sku-matrix' },
    h('p', { class: 'field-help', text: t('catalog.specsHelp') }),
    specBody,
    h('div', { class: 'actions-row' }, addSpecButton, generateButton),
    skuCount,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': captionId }, skuTable));

  return {
    element,
    read(local) {
      const specs = currentSpecs();
      specs.forEach((s, i) => {
        if (!s.name) local.push({ field: `specs[${i}].name`, message: t('form.required') });
        if (!s.values.length) local.push({ field: `specs[${i}].values`, message: t('form.required') });
      });
      // A matrix edited after the last "generate" would not match the SKU rows.
      const expected = combinations(specs.filter((s) => s.name && s.values.length)).map(comboKey).sort().join('|');
      if (expected !== skuRows.map((r) => r.key).sort().join('|')) local.push({ field: 'skus', message: t('catalog.regenerate') });
      const skus = skuRows.map((r, i) => {
        const priceFen = yuanToFen(r.price.value);
        const marketPriceFen = yuanToFen(r.market.value);
        if (priceFen === null) local.push({ field: `skus[${i}].priceFen`, message: t('form.required') });
        else if (Number.isNaN(priceFen)) local.push({ field: `skus[${i}].priceFen`, message: t('form.badMoney') });
        if (Number.isNaN(marketPriceFen)) local.push({ field: `skus[${i}].marketPriceFen`, message: t('form.badMoney') });
        return {
          specs: r.combo, code: r.code.value.trim(), barcode: r.barcode.value.trim() || undefined,
          priceFen, marketPriceFen: marketPriceFen ?? undefined, costFen: r.costFen ?? undefined,
          weightGrams: r.weightGrams ?? undefined, imageUrl: r.imageUrl || undefined, enabled: r.enabled.checked,
        };
      });
      return { specs, skus };
    },
    resolve(name) {
      let m = /^specs\[(\d+)\](?:\.(\w+))?/.exec(name);
      if (m && specRows[Number(m[1])]) {
        const row = specRows[Number(m[1])];
        return m[2] === 'values' ? { input: row.values, label: t('catalog.specValues') } : { input: row.name, label: t('catalog.specName') };
      }
      m = /^skus\[(\d+)\](?:\.(\w+))?/.exec(name);
      if (m && skuRows[Number(m[1])]) {
        const row = skuRows[Number(m[1])];
        const map = { code: row.code, barcode: row.barcode, priceFen: row.price, marketPriceFen: row.market, enabled: row.enabled };
        const labelText = Object.values(row.combo).join(' / ') || t('catalog.singleSku');
        return { input: map[m[2]] || row.code, label: `${labelText} ${m[2] ? label('skuField', m[2]) : ''}`.trim() };
      }
      if (name === 'specs') return { input: specRows[0]?.name || addSpecButton, label: t('catalog.specsAndSkus') };
      if (name === 'skus') return { input: generateButton, label: t('catalog.skus') };
      return null;
    },
  };
}

/** The API names a SKU's combination by its key, `颜色=红|尺码=M`; rebuild the name → value map. */
function specsOf(sku) {
  const out = {};
  for (const part of (sku.specKey || '').split('|')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at)] = part.slice(at + 1);
  }
  return out;
}
