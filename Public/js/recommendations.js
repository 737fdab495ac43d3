// 看了又看 / 买了又买 under a product and 猜你喜欢 for a signed-in member: each
// `[data-recommendations]` section names its source and list, stays hidden while empty, and
// labels recommended tags with the words the page carries (`data-tag-hot` …).
import { api, el, yuan } from './mall.js';

const sources = new Map();

function load(source, productId) {
  const path = source === 'product'
    ? `/products/${encodeURIComponent(productId)}/recommendations?limit=8`
    : '/me/recommendations?limit=8';
  if (!sources.has(path)) sources.set(path, api('GET', path).catch(() => null));
  return sources.get(path);
}

function tagWord(section, tag) {
  const key = 'tag' + tag.split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
  return section.dataset[key] ?? tag;
}

function card(section, product) {
  const tags = (product.recommendedTags ?? []).map((tag) => el('span', { class: 'promotion-badge', 'data-kind': tag }, tagWord(section, tag)));
  return el('li', { class: 'product-card' },
    el('a', { href: `/product/${encodeURIComponent(product.id)}` },
      product.image
        ? el('img', { src: product.image, alt: '', width: 240, height: 240, loading: 'lazy', decoding: 'async' })
        : el('span', { class: 'img-placeholder', 'aria-hidden': 'true' }),
      el('span', { class: 'product-title' }, product.title),
      el('span', { class: 'price' }, yuan(product.minPriceFen)),
      tags.length ? el('span', { class: 'promotion-badges card-badges' }, tags) : null));
}

for (const section of document.querySelectorAll('[data-recommendations]')) {
  const { recommendations: source, list, productId } = section.dataset;
  load(source, productId).then((answer) => {
    const products = answer?.[list] ?? [];
    if (!products.length) return;
    section.querySelector('.product-grid').replaceChildren(...products.map((product) => card(section, product)));
    section.hidden = false;
  });
}
