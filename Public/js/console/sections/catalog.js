import { canAboveStore, canOnPlatform } from '../context.js';
import { get, post } from '../api.js';
import { add, pageHeader, badge, link, subnav, button, busy, announce, errorNotice } from '../dom.js';
import { createTable } from '../table.js';
import { t, money, dateTime, label, number } from '../i18n.js';
import { enumOptions, reasonDialog, confirmDialog } from '../widgets.js';

const statuses = ['draft', 'pending_review', 'approved', 'rejected'];

export async function render(root, { id, params }) {
  if (id === 'review') return renderReview(root);
  if (id === 'templates') return import('./spec-templates.js').then((m) => m.render(root, tabs));
  if (id === 'csv') return import('./csv-transfer.js').then((m) => m.renderCatalog(root, tabs));
  if (id) {
    const editor = await import('./product-editor.js');
    return editor.render(root, id === 'new' ? null : id);
  }
  return renderList(root, params);
}

/**
 * The category tree flattened for a <select>, depth shown by indenting each name with
 * no-break spaces (ordinary spaces collapse inside an option).
 */
function categoryOptions(tree) {
  const out = [{ value: '', label: t('filter.allCategories') }];
  const walk = (nodes, depth) => {
    for (const node of nodes || []) {
      out.push({ value: node.id, label: `${'\u00a0'.repeat(depth * 3)}${node.name}` });
      walk(node.children, depth + 1);
    }
  };
  walk(tree, 0);
  return out;
}

/** The public category tree; the list still works without the filter if it cannot load. */
async function categoryFilter() {
  try {
    const tree = await get('/categories');
    if (!Array.isArray(tree) || !tree.length) return [];
    return [{ name: 'categoryId', label: t('field.category'), type: 'select', options: categoryOptions(tree) }];
  } catch (error) {
    console.warn('category tree unavailable', error);
    return [];
  }
}

function tabs(current) {
  const entries = [{ key: 'list', label: t('catalog.products'), href: '/console/catalog' }];
  if (canOnPlatform('catalog.review')) entries.push({ key: 'review', label: t('catalog.reviewQueue'), href: '/console/catalog/review' });
  entries.push({ key: 'templates', label: t('specTemplates.title'), href: '/console/catalog/templates' });
  entries.push({ key: 'csv', label: t('csv.tab'), href: '/console/catalog/csv' });
  return entries.length > 1 ? subnav(t('catalog.title'), entries, current) : null;
}

function priceRange(p) {
  const prices = p.skus.filter((s) => s.enabled).map((s) => s.priceFen);
  if (!prices.length) return '';
  const min = Math.min(...prices); const max = Math.max(...prices);
  return min === max ? money(min) : `${money(min)} – ${money(max)}`;
}

const baseColumns = () => [
  { key: 'title', label: t('field.title'), render: (p) => link(`/console/catalog/${p.id}`, p.title) },
  { key: 'status', label: t('field.status'), render: (p) => badge('productStatus', p.status) },
  { key: 'onShelf', label: t('field.onShelf'), render: (p) => (p.onShelf ? t('common.yes') : t('common.no')) },
  { key: 'skus', label: t('field.skuCount'), align: 'num', render: (p) => number(p.skus.length) },
  { key: 'price', sortField: 'minPriceFen', label: t('field.price'), align: 'num', render: priceRange },
  { key: 'updatedAt', label: t('field.updatedAt'), render: (p) => dateTime(p.updatedAt) },
];

async function renderList(root) {
  const categories = await categoryFilter();
  const table = createTable({
    caption: t('catalog.caption'),
    endpoint: '/admin/products',
    sortFields: ['title', 'status', 'onShelf', 'salesCount', 'minPriceFen', 'createdAt', 'updatedAt'],
    syncUrl: true,
    filters: [
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('productStatus', statuses) },
      ...categories,
      { name: 'q', label: t('field.keyword'), type: 'search' },
    ],
    columns: baseColumns(),
  });
  add(root, 
    // A product belongs to a merchant: creating one needs catalog.edit above store level.
    pageHeader(t('catalog.title'), canAboveStore('catalog.edit') ? link('/console/catalog/new', t('catalog.new'), { class: 'btn btn-primary' }) : null),
    tabs('list'),
    table.element);
  table.reload();
}

function renderReview(root) {
  const review = canOnPlatform('catalog.review');
  let table;
  const act = async (event, product, action) => {
    const buttonNode = event.currentTarget;
    try {
      if (action === 'approve') {
        if (!(await confirmDialog(t('catalog.approveTitle'), t('catalog.approveConfirm', { title: product.title })))) return;
        await busy(buttonNode, () => post(`/admin/products/${product.id}/approve`));
        announce(t('catalog.approved', { title: product.title }));
      } else {
        const result = await reasonDialog(t('catalog.rejectTitle'), (v) => post(`/admin/products/${product.id}/reject`, v), { labelText: t('catalog.rejectReason') });
        if (!result) return;
        announce(t('catalog.rejected', { title: product.title }));
      }
      table.reload();
    } catch (error) {
      announce(error.detail || error.title, 'error');
    }
  };
  table = createTable({
    caption: t('catalog.reviewCaption'),
    endpoint: '/admin/products',
    sortFields: ['title', 'status', 'onShelf', 'salesCount', 'minPriceFen', 'createdAt', 'updatedAt'],
    baseParams: { status: 'pending_review' },
    filters: [{ name: 'q', label: t('field.keyword'), type: 'search' }],
    columns: [
      ...baseColumns().filter((c) => c.key !== 'onShelf' && c.key !== 'status'),
      ...(review ? [{ key: 'actions', label: t('table.actions'), action: true, render: (p) => [
        button(t('catalog.approve'), (e) => act(e, p, 'approve'), { kind: 'primary', 'aria-label': `${t('catalog.approve')} ${p.title}` }),
        button(t('catalog.reject'), (e) => act(e, p, 'reject'), { kind: 'danger', 'aria-label': `${t('catalog.reject')} ${p.title}` }),
      ] }] : []),
    ],
  });
  add(root, pageHeader(t('catalog.reviewQueue')), tabs('review'), review ? table.element : errorNotice({ status: 403 }));
  if (review) table.reload();
}
