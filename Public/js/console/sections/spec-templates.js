import { canOnPlatform } from '../context.js';
import { get, post, put, del } from '../api.js';
import { add, h, pageHeader, button, announce, errorNotice, clear, notice } from '../dom.js';
import { t } from '../i18n.js';
import { formDialog, confirmDialog } from '../widgets.js';

/** `颜色: 红, 蓝` per line ↔ the API's specs; the same separators the product editor takes. */
function specsText(specs) {
  return specs.map((s) => `${s.name}: ${s.values.join(', ')}`).join('\n');
}

function parseSpecs(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const at = line.search(/[:：]/);
    const name = at < 0 ? line : line.slice(0, at).trim();
    const values = at < 0 ? [] : line.slice(at + 1).split(/[,，、;；]/).map((v) => v.trim()).filter(Boolean);
    return { name, values };
  });
}

// Spec templates: reusable spec sets (服装: 颜色 × 尺码) that HQ keeps for everyone's products.
export async function render(root, tabs) {
  const manage = canOnPlatform('catalog.edit');
  const list = h('div', { 'aria-live': 'polite' });

  const edit = async (template) => {
    const saved = await formDialog(template ? t('specTemplates.editTitle', { name: template.name }) : t('specTemplates.new'), {
      fields: [
        { name: 'name', label: t('specTemplates.name'), required: true, maxlength: 30, value: template?.name },
        { name: 'specs', label: t('specTemplates.specs'), type: 'textarea', required: true, rows: 5, value: template ? specsText(template.specs) : '', help: t('specTemplates.specsHelp') },
      ],
      onSubmit: (v) => {
        const body = { name: v.name, specs: parseSpecs(v.specs) };
        return template ? put(`/admin/spec-templates/${template.id}`, body) : post('/admin/spec-templates', body);
      },
    });
    if (saved) { announce(t('common.saved')); await load(); }
  };

  const remove = async (template) => {
    if (!(await confirmDialog(t('specTemplates.deleteTitle'), t('specTemplates.deleteConfirm', { name: template.name })))) return;
    await del(`/admin/spec-templates/${template.id}`);
    announce(t('specTemplates.deleted', { name: template.name }));
    await load();
  };

  async function load() {
    clear(list);
    try {
      const templates = await get('/admin/spec-templates');
      if (!templates.length) { list.append(notice(t('specTemplates.none'))); return; }
      list.append(h('table', { class: 'data' },
        h('caption', { text: t('specTemplates.title') }),
        h('thead', {}, h('tr', {}, [t('specTemplates.name'), t('specTemplates.specs'), manage ? t('table.actions') : null].filter(Boolean).map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, templates.map((tpl) => h('tr', {},
          h('th', { scope: 'row', text: tpl.name }),
          h('td', {}, tpl.specs.map((s) => h('div', { text: `${s.name}: ${s.values.join(' / ')}` }))),
          manage ? h('td', { class: 'cell-actions' },
            button(t('action.edit'), () => edit(tpl), { 'aria-label': t('specTemplates.editNamed', { name: tpl.name }) }),
            button(t('action.delete'), () => remove(tpl), { kind: 'danger', 'aria-label': t('specTemplates.deleteNamed', { name: tpl.name }) })) : null)))));
    } catch (error) {
      list.append(errorNotice(error));
    }
  }

  add(root, pageHeader(t('specTemplates.title'), manage ? button(t('specTemplates.new'), () => edit(null), { kind: 'primary' }) : null),
    tabs('templates'), h('section', { class: 'card' }, list));
  await load();
}
