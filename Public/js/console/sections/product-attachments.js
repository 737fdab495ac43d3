import { api, get, del } from '../api.js';
import { h, button, busy, announce, errorNotice, notice, clear, link, uid, stackOnPhone } from '../dom.js';
import { t, fileSize, duration } from '../i18n.js';

const label = (attachment) => attachment.title || attachment.url.split('/').pop();

/** The first thing the server said is wrong: a field's message, else the problem's detail. */
function problemText(error) {
  return (error.errors && error.errors[0] && error.errors[0].message) || error.detail || error.title;
}

/**
 * A product's videos and documents in its editor: the list (kind, title, size, length, open,
 * remove) and two small upload forms that post to `/admin/products/{id}/attachments`. A video's
 * poster is one of the product's saved images, since the server takes only an image the
 * merchant uploaded.
 */
export function attachmentsCard(product, { editable }) {
  const list = h('div', { class: 'attachment-list', 'aria-live': 'polite' });
  const status = h('p', { class: 'field-help', role: 'status', 'aria-live': 'polite' });
  const path = `/admin/products/${product.id}/attachments`;

  const load = async () => {
    clear(list);
    try {
      const attachments = await get(path);
      if (!attachments.length) { list.append(notice(t('attachments.none'))); return; }
      list.append(stackOnPhone(h('table', { class: 'data compact' },
        h('caption', { text: t('attachments.caption') }),
        h('thead', {}, h('tr', {}, [t('attachments.kind'), t('attachments.name'), t('attachments.size'), t('attachments.duration'), t('table.actions')]
          .map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, attachments.map((a) => h('tr', { 'data-attachment': a.id },
          h('td', { text: `${a.format === 'pdf' ? t('attachments.document') : t('attachments.video')} · ${a.format.toUpperCase()}` }),
          h('th', { scope: 'row', text: label(a) }),
          h('td', { class: 'num', text: fileSize(a.byteCount) }),
          h('td', { class: 'num', text: a.durationMilliseconds == null ? '' : duration(a.durationMilliseconds) }),
          h('td', { class: 'cell-actions' },
            link(a.url, t('attachments.open'), { target: '_blank', rel: 'noopener', 'aria-label': t('attachments.openNamed', { name: label(a) }) }),
            editable ? button(t('attachments.remove'), async (event) => {
              try {
                await busy(event.currentTarget, () => del(`${path}/${a.id}`));
                announce(t('attachments.removed', { name: label(a) }));
              } catch (error) {
                announce(problemText(error), 'error');
              }
              await load();
            }, { 'aria-label': t('attachments.removeNamed', { name: label(a) }) }) : null)))))));
    } catch (error) {
      list.append(errorNotice(error));
    }
  };

  const upload = async (event, fileInput, fields) => {
    const file = fileInput.files[0];
    if (!file) { status.textContent = t('attachments.chooseFile'); return; }
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) if (value) form.append(name, value);
    form.append('file', file);
    status.textContent = t('catalog.uploading', { name: file.name });
    try {
      await busy(event.currentTarget, () => api(path, { method: 'POST', form }));
      status.textContent = t('catalog.uploaded', { name: file.name });
      fileInput.value = '';
      await load();
    } catch (error) {
      status.textContent = t('catalog.uploadFailed', { name: file.name, detail: problemText(error) });
    }
  };

  const input = (labelText, attrs) => {
    const id = uid('attachment');
    const control = h(attrs.tag || 'input', { id, ...attrs, tag: undefined });
    return { control, element: h('div', { class: 'field' }, h('label', { for: id, text: labelText }), control) };
  };

  const forms = [];
  if (editable) {
    const images = product.images || [];
    const videoFile = input(t('attachments.videoFile'), { type: 'file', accept: 'video/mp4,video/webm,.mp4,.webm' });
    const videoTitle = input(t('attachments.titleOptional'), { type: 'text', maxlength: '60', autocomplete: 'off' });
    const poster = input(t('attachments.poster'), { tag: 'select' });
    images.forEach((url, index) => poster.control.append(h('option', { value: url, text: t('attachments.posterN', { n: index + 1 }) })));
    forms.push(h('fieldset', { class: 'attachment-upload' },
      h('legend', { text: t('attachments.videoTitle') }),
      images.length
        ? [videoFile.element, poster.element, videoTitle.element,
          button(t('attachments.upload'), (event) => upload(event, videoFile.control, { posterUrl: poster.control.value, title: videoTitle.control.value.trim() }))]
        : notice(t('attachments.noPoster'))));
    const documentFile = input(t('attachments.documentFile'), { type: 'file', accept: 'application/pdf,.pdf' });
    const documentTitle = input(t('attachments.documentName'), { type: 'text', maxlength: '60', autocomplete: 'off' });
    forms.push(h('fieldset', { class: 'attachment-upload' },
      h('legend', { text: t('attachments.documentTitle') }),
      documentFile.element, documentTitle.element,
      button(t('attachments.upload'), (event) => upload(event, documentFile.control, { title: documentTitle.control.value.trim() }))));
  }

  load();
  return h('section', { class: 'card product-attachments' },
    h('h2', { text: t('attachments.title') }),
    h('p', { class: 'field-help', text: t('attachments.help') }),
    list, ...forms, status);
}
