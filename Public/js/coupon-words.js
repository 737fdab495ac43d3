// How a coupon reads to a shopper, in the page's words (its data attributes): shared by the
// coupon pages and the checkout's coupon picker, and free of side effects so both can import it.
import { yuan } from './mall.js';

export const say = (template, values) => String(template || '').replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? `{${name}}`));

/** What a coupon gives, in the page's words: "¥5.00", "9 折 最多减 ¥20.00", "免运费". */
export function couponValue(coupon, words) {
  switch (coupon.kind) {
    case 'cash':
    case 'threshold':
      return yuan(coupon.amountOffFen ?? 0);
    case 'percentage': {
      const bp = coupon.percentOffBasisPoints ?? 0;
      const text = say(words.percent, { percent: bp / 100, fold: (10_000 - bp) / 1_000 });
      return coupon.capFen ? `${text} ${say(words.cap, { amount: yuan(coupon.capFen) })}` : text;
    }
    case 'free_shipping': return words.freeShipping;
    default: return words.gift;
  }
}

export function couponCondition(coupon, words) {
  const spend = coupon.minimumSpendFen > 0 ? say(words.minimum, { amount: yuan(coupon.minimumSpendFen) }) : words.noMinimum;
  // A coupon for certain stores says so before it is claimed, not only at checkout.
  return coupon.storeNames?.length ? `${spend} · ${say(words.onlyAt, { stores: coupon.storeNames.join(words.listSeparator || ', ') })}` : spend;
}
