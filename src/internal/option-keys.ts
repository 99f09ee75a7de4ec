// Each options type's list of keys, the one list checkKnownKeys (validate.ts) holds its options to:
// written next to the type, and checked by the compiler to name every key of it and nothing else.

/** The keys of `T` that `L` leaves out: none, or a compile error that names them. */
type Unlisted<T, L extends readonly unknown[]> = [Exclude<keyof T, L[number]>] extends [never]
  ? unknown
  : { "options not listed": Exclude<keyof T, L[number]> };

/**
 * The list of every option of `T`, as given: a key `T` lacks, or one of `T`'s keys left out, fails to
 * compile, so an option added to the type cannot be forgotten here (it would be refused at run time).
 * @example export const CACHE_OPTION_KEYS = optionKeys<CacheOptions>()(["maxEntries", "refreshMarginMs"]);
 */
export function optionKeys<T>() {
  return <const L extends readonly (keyof T & string)[]>(keys: L & Unlisted<T, L>): L => keys;
}
