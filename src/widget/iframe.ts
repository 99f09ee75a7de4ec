// HTML for embedding the widget in an iframe, with every attribute escaped: the URL comes from an
// API response and must not be able to break out of the attribute.
import { Enable3ValidationError } from "../errors/validation.js";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, httpUrl, plainObject, typeName } from "../internal/validate.js";

/** Attributes of the iframe {@link widgetIframeHtml} writes; every value is escaped. */
export interface IframeOptions {
  /** Accessible name of the frame. Default "Enable3 rewards". */
  title?: string | undefined;
  /** Default "100%". */
  width?: string | number | undefined;
  /** Default 600. */
  height?: string | number | undefined;
  /** The `class` attribute. */
  className?: string | undefined;
  /** The `id` attribute. */
  id?: string | undefined;
  /** Permissions policy. Default "clipboard-write". */
  allow?: string | undefined;
  /** Default "strict-origin-when-cross-origin": the widget learns your origin, never your page's path. */
  referrerPolicy?: string | undefined;
  /** Default "lazy". */
  loading?: "lazy" | "eager" | undefined;
}

const IFRAME_OPTION_KEYS = optionKeys<IframeOptions>()([
  "title",
  "width",
  "height",
  "className",
  "id",
  "allow",
  "referrerPolicy",
  "loading",
]);

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/**
 * Escapes text for an HTML attribute value or text node. Throws Enable3ValidationError for a non-string.
 * @example `<p>Hello ${escapeHtml(user.name)}</p>`
 */
export function escapeHtml(value: string): string {
  if (typeof value !== "string") throw new Enable3ValidationError("value", `must be a string, got ${typeName(value)}`);
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/**
 * The `<iframe>` for a widget URL. Only http(s) URLs are accepted (a `javascript:` URL would run).
 * @example res.end(`<main>${widgetIframeHtml(url, { height: 720 })}</main>`);
 */
export function widgetIframeHtml(url: string, options: IframeOptions = {}): string {
  const src = httpUrl(url, "url");
  checkKnownKeys(plainObject(options, "options"), IFRAME_OPTION_KEYS, "options");
  if (options.loading !== undefined && options.loading !== "lazy" && options.loading !== "eager") {
    throw new Enable3ValidationError("options.loading", 'must be "lazy" or "eager"');
  }
  const attributes: [string, string | number | undefined][] = [
    ["src", src],
    ["title", options.title ?? "Enable3 rewards"],
    ["width", options.width ?? "100%"],
    ["height", options.height ?? 600],
    ["class", options.className],
    ["id", options.id],
    ["allow", options.allow ?? "clipboard-write"],
    ["referrerpolicy", options.referrerPolicy ?? "strict-origin-when-cross-origin"],
    ["loading", options.loading ?? "lazy"],
  ];
  const html = attributes
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeHtml(String(v))}"`)
    .join(" ");
  return `<iframe ${html} style="border:0"></iframe>`;
}
