// enable3-client/widget: what an operator's web server needs to show the widget: a cache for widget
// URLs and SDK tokens, and the iframe markup.

export type { CacheOptions } from "./types/deprecated.js";
export type { WidgetCacheOptions } from "./widget/expiring-cache.js";
export type { IframeOptions } from "./widget/iframe.js";
export { escapeHtml, widgetIframeHtml } from "./widget/iframe.js";
export type { WidgetCache } from "./widget/widget-cache.js";
export { createWidgetCache } from "./widget/widget-cache.js";
