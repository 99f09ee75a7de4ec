// Public names renamed before 1.0 (CHANGELOG lists old and new), kept one minor version so code
// written against the old names still compiles. Nothing inside the SDK uses them.
import type { BulkDeliveredItem, BulkFailedItem, BulkSettledItem } from "../client/bulk-types.js";
import type { WidgetCacheOptions } from "../widget/expiring-cache.js";

/** @deprecated Renamed {@link BulkDeliveredItem}. */
export type BulkDelivered = BulkDeliveredItem;
/** @deprecated Renamed {@link BulkFailedItem}. */
export type BulkFailure = BulkFailedItem;
/** @deprecated Renamed {@link BulkSettledItem}. */
export type BulkOutcome<I> = BulkSettledItem<I>;
/** @deprecated Renamed {@link WidgetCacheOptions}. */
export type CacheOptions = WidgetCacheOptions;
