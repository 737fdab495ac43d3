// Paying a checkout, shared by the checkout page (right after placing) and the order page (an
// order still waiting for payment): the shopper chooses among the providers the server offers
// (GET /payments/providers: configured and switched on in settings, so the sandbox only where
// it is on); a provider answers with a page to open (Alipay, the sandbox) or a QR code to scan
// (WeChat Pay Native).
import { api, el, problemText } from './mall.js';

/** Opens the trade at `provider` and follows it: goes to its pay page, or shows its QR code in `box`. */
export async function startPayment(paymentId, provider, box) {
  const started = await api('POST', `/payments/${paymentId}/start`, { provider: provider.code });
  if (started.qrSvg) {
    box.querySelector('img.pay-qr')?.remove();
    box.append(el('img', {
      class: 'pay-qr', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(started.qrSvg)}`,
      alt: provider.name, width: 220, height: 220,
    }));
  } else if (started.payUrl) {
    location.href = started.payUrl;
  }
}

/**
 * Fills `box` with one button per provider on offer, each starting that provider; says
 * `labels.none` when none is. `labels.pay` starts each button's text. Resolves with the
 * providers; a refused start shows its problem in `box`.
 */
export async function offerProviders(paymentId, box, labels) {
  const providers = await api('GET', '/payments/providers');
  if (!providers.length) {
    box.append(el('p', { class: 'form-errors', role: 'alert' }, labels.none));
    return providers;
  }
  const buttons = el('div', { class: 'actions pay-choices' });
  for (const provider of providers) {
    buttons.append(el('button', {
      type: 'button', class: 'btn btn-primary', 'data-provider': provider.code,
      onclick: async () => {
        box.querySelector('.pay-error')?.remove();
        try {
          await startPayment(paymentId, provider, box);
        } catch (problem) {
          box.append(el('p', { class: 'form-errors pay-error', role: 'alert' }, problemText(problem)));
        }
      },
    }, `${labels.pay} · ${provider.name}`));
  }
  box.append(buttons);
  return providers;
}
