// enable3-client/widget: what an operator's web server needs to show the widget: a cache for widget
// URLs and SDK tokens, and the iframe markup.
export { createWidgetCache } from "./wrappers/widget/widget-cache.js";
export type { WidgetCache } from "./wrappers/widget/widget-cache.js";
export type { CacheOptions } from "./wrappers/widget/expiring-cache.js";
export { widgetIframeHtml, escapeHtml } from "./wrappers/widget/iframe.js";
export type { IframeOptions } from "./wrappers/widget/iframe.js";
