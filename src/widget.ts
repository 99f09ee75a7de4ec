// enable3-client/widget: what an operator's web server needs to show the widget: a cache for widget
// URLs and SDK tokens, and the iframe markup.

export type { CacheOptions } from "./wrappers/widget/expiring-cache.js";
export type { IframeOptions } from "./wrappers/widget/iframe.js";
export { escapeHtml, widgetIframeHtml } from "./wrappers/widget/iframe.js";
export type { WidgetCache } from "./wrappers/widget/widget-cache.js";
export { createWidgetCache } from "./wrappers/widget/widget-cache.js";
