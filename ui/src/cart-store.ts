/**
 * The cart being rung up, outside any screen: its lines, its sale discount, its receipt id and
 * the backend's numbers for it. The sale screen draws it and turns the cashier's presses into the
 * operations below; the store holds no element and never computes money: `price_cart` answers
 * every number (`priced`), and an answer for an older cart never overwrites a newer one.
 *
 * It survives the screen: a shift closed elsewhere leaves it waiting (`waitForShift`), and after
 * Start or Join shift the same cart comes back and is recorded once, under the receipt id chosen
 * once per cart.
 */
import * as api from "./api";
import { addProduct, approvalKey, changeQuantity, saleLines, setQuantity, type CartLine } from "./cart";
import { timedAsync } from "./profile";
import type { Approval, ApprovalReason, Discount, PriceChangeReason, PricedCart, Product, SaleRequest, SessionView, Tender } from "./types";

/**
 * A manager's approval taken as a discount or new price was given (checked by the backend then),
 * for exactly the approvals it covers: Pay sends it with the sale without asking again, and the
 * backend checks it again with the sale. A change that needs more is asked for again.
 */
export interface HeldApproval {
  readonly approval: Approval;
  /** The manager's user name, as the backend answered it. */
  readonly manager: string;
  /** `approvalKey`s of what the manager saw and approved. */
  readonly covers: readonly string[];
}

/** The cart as it is now. Replaced, never changed in place: a listener may keep the old one. */
export interface Cart {
  readonly session: SessionView;
  readonly lines: readonly CartLine[];
  /** On the whole sale, applied by the backend after the line discounts. */
  readonly receiptDiscount: Discount | null;
  /** Why the sale discount. */
  readonly receiptDiscountReason: PriceChangeReason | null;
  /** A manager's approval given with a discount or new price; null when none is held. */
  readonly approval: HeldApproval | null;
  /** Chosen once per cart: a retried or resumed Pay records the sale once. */
  readonly receiptId: string;
  /** The backend's numbers for exactly these lines and discount; null while it prices (or failed). */
  readonly priced: PricedCart | null;
  /** Set when Pay met `session_closed`: the next open session brings the cart back. */
  readonly waitingForShift: boolean;
  /** Who rang it up (the login's user name): another login is told before it goes on with it. */
  readonly cashier: string | null;
}

/** What a cashier's change would make of the cart (a dialog's), before the backend has priced it. */
export interface CartDraft {
  readonly lines: readonly CartLine[];
  readonly receiptDiscount: Discount | null;
  readonly receiptDiscountReason: PriceChangeReason | null;
}

/**
 * What listeners hear after a change of the lines or discounts: the cart changed (`priced` is
 * null; the backend is asked, unless the cart is empty), the backend's numbers for it came, or
 * pricing it failed (the cart stays unpriced: Pay waits). Opening, clearing, setting aside and
 * finishing a cart are steps of the screens, which draw what follows themselves: no event.
 */
export type CartEvent = { kind: "changed" } | { kind: "priced" } | { kind: "failed"; error: unknown };

let cart: Cart | null = null;
/** Bumped by every change: a pricing answer for an older cart is dropped. */
let version = 0;
const listeners = new Set<(event: CartEvent) => void>();

function notify(event: CartEvent): void {
  for (const listener of [...listeners]) listener(event);
}

/** Calls `listener` after every change until the returned function is called. */
export function subscribe(listener: (event: CartEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The cart, or null when no sale is under way. */
export function currentCart(): Cart | null {
  return cart;
}

/** A cart is waiting for a shift (closed elsewhere): after Start/Join shift, go back to it. */
export function cartWaitingForShift(): boolean {
  return cart !== null && cart.waitingForShift && cart.lines.length > 0;
}

function newCart(session: SessionView): Cart {
  return {
    session,
    lines: [],
    receiptDiscount: null,
    receiptDiscountReason: null,
    approval: null,
    receiptId: api.newRequestId(),
    priced: null,
    waitingForShift: false,
    cashier: null,
  };
}

/** The cart for the sale screen in `session`: the unfinished one (of any session of this register) comes back. */
export function openCart(session: SessionView, user: string | null): Cart {
  const open = cart ?? newCart(session);
  // An empty cart is whoever opens it; one with lines stays its cashier's until taken over.
  cart = { ...open, session, waitingForShift: false, cashier: open.lines.length === 0 ? user : open.cashier };
  return cart;
}

/** Replaces the lines and asks the backend for their numbers. An emptied cart loses its sale discount too. */
function setLines(lines: readonly CartLine[]): void {
  if (!cart) return;
  const empty = lines.length === 0;
  cart = {
    ...cart,
    lines,
    receiptDiscount: empty ? null : cart.receiptDiscount,
    receiptDiscountReason: empty ? null : cart.receiptDiscountReason,
  };
  reprice();
}

/**
 * Asks the backend for the cart's numbers. Listeners hear "changed" at once (unpriced), then
 * "priced" or "failed" for this version of the cart only.
 */
export function reprice(): void {
  if (!cart) return;
  const seq = ++version;
  cart = { ...cart, priced: null };
  notify({ kind: "changed" });
  if (cart.lines.length === 0) return;
  const { lines, receiptDiscount } = cart;
  timedAsync("price_cart", () => api.priceCart(saleLines(lines), receiptDiscount)).then(
    (priced) => {
      if (seq !== version || !cart) return;
      cart = { ...cart, priced };
      notify({ kind: "priced" });
    },
    (error: unknown) => {
      if (seq !== version) return;
      notify({ kind: "failed", error });
    },
  );
}

/** A scanned or picked product (`quantity` of it): more on the last line when it is the same product, else a new line. */
export function addToCart(product: Product, quantity = 1): void {
  if (cart) setLines(addProduct(cart.lines, product, quantity));
}

/** Line `index` set to `quantity` (the number typed, then Qty). */
export function setLineQuantity(index: number, quantity: number): void {
  if (cart) setLines(setQuantity(cart.lines, index, quantity));
}

/** One more (`delta` 1) or one less (−1) on line `index`; a line that reaches 0 goes. */
export function changeLineQuantity(index: number, delta: number): void {
  if (cart) setLines(changeQuantity(cart.lines, index, delta));
}

export function removeLine(index: number): void {
  if (cart) setLines(cart.lines.filter((_, i) => i !== index));
}

export function removeSaleDiscount(): void {
  if (!cart) return;
  cart = { ...cart, receiptDiscount: null, receiptDiscountReason: null };
  reprice();
}

function withLine(lines: readonly CartLine[], index: number, change: Partial<CartLine>): CartLine[] {
  return lines.map((line, i) => (i === index ? { ...line, ...change } : line));
}

function draft(change: Partial<CartDraft>): CartDraft {
  return { lines: cart?.lines ?? [], receiptDiscount: cart?.receiptDiscount ?? null, receiptDiscountReason: cart?.receiptDiscountReason ?? null, ...change };
}

/**
 * The cart with a discount on line `index` (null: none) given for `reason`, as a draft for
 * `priceDraft`/`commitDraft`. A line keeps one reason for its discount and new price: the last given.
 */
export function draftLineDiscount(index: number, discount: Discount | null, reason: PriceChangeReason | null): CartDraft {
  const line = cart?.lines[index];
  return draft({ lines: withLine(cart?.lines ?? [], index, { discount, reason: reason ?? (line?.priceOverride !== null ? line?.reason ?? null : null) }) });
}

/** The cart with a new unit price on line `index` (null: the catalog's) given for `reason`; the backend asks for a manager. */
export function draftPriceOverride(index: number, priceOverride: number | null, reason: PriceChangeReason | null): CartDraft {
  const line = cart?.lines[index];
  return draft({ lines: withLine(cart?.lines ?? [], index, { priceOverride, reason: reason ?? (line?.discount ? line.reason : null) }) });
}

/** The cart with a discount on the whole sale (null: none) given for `reason`. */
export function draftSaleDiscount(receiptDiscount: Discount | null, receiptDiscountReason: PriceChangeReason | null): CartDraft {
  return draft({ receiptDiscount, receiptDiscountReason: receiptDiscount ? receiptDiscountReason : null });
}

/** True when `approvals` need a manager whom `held` did not approve them all: someone must be asked. */
export function approvalNeeded(held: HeldApproval | null, approvals: readonly ApprovalReason[]): boolean {
  return approvals.length > 0 && !(held !== null && approvals.every((a) => held.covers.includes(approvalKey(a))));
}

/** Forgets the held approval (the backend refused the sale with it): Pay asks again. */
export function dropHeldApproval(): void {
  if (cart) cart = { ...cart, approval: null };
}

/** The backend's numbers for a draft, without changing the cart: a refusal (a discount too large) leaves it as it was. */
export function priceDraft(next: CartDraft): Promise<PricedCart> {
  return api.priceCart(saleLines(next.lines), next.receiptDiscount);
}

/**
 * Takes a draft with the numbers `priceDraft` answered for it; a pricing answer still on its way
 * is for the cart before. `approval`: the manager's, just given for what the draft needs.
 */
export function commitDraft(next: CartDraft, priced: PricedCart, approval: HeldApproval | null = null): void {
  if (!cart) return;
  version++;
  cart = {
    ...cart,
    lines: next.lines,
    receiptDiscount: next.receiptDiscount,
    receiptDiscountReason: next.receiptDiscountReason,
    priced,
    approval: approval ?? cart.approval,
  };
  notify({ kind: "priced" });
}

/** `user` goes on with the cart another login rang up (they were told, and chose to). */
export function takeOverCart(user: string | null): void {
  if (cart) cart = { ...cart, cashier: user };
}

/** Starts again with an empty cart (and a new receipt id) in the same session; the screen is then drawn anew, as on opening. */
export function clearCart(): void {
  if (!cart) return;
  version++;
  cart = newCart(cart.session);
}

/** What Pay asks the backend to record: products, quantities and what the cashier changed, and the tenders; never a price or a total of the UI's. */
export function saleRequest(of: Cart, tenders: readonly Tender[]): SaleRequest {
  return {
    lines: saleLines(of.lines),
    receipt_discount: of.receiptDiscount,
    ...(of.receiptDiscount && of.receiptDiscountReason ? { receipt_discount_reason: of.receiptDiscountReason } : {}),
    tenders: [...tenders],
  };
}

/** Pay met `session_closed`: the cart stays for the next open shift. */
export function waitForShift(): void {
  if (cart) cart = { ...cart, waitingForShift: true };
}

/** The sale is recorded: the next sale starts with a new cart. */
export function finishCart(): void {
  version++;
  cart = null;
}
