// enable3-client/widget: what an operator's web server needs to show the widget: a cache for widget
// URLs and SDK tokens, and the iframe markup.
export { createWidgetCache } from "./wrappers/widget-cache.js";
export type { WidgetCache } from "./wrappers/widget-cache.js";
export type { CacheOptions } from "./wrappers/cache.js";
export { widgetIframeHtml, escapeHtml } from "./wrappers/embed.js";
export type { IframeOptions } from "./wrappers/embed.js";
