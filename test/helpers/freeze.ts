// Stages never edit their input: the stage tests freeze what they pass in, so an edit
// throws a TypeError (ES modules are strict) instead of passing unnoticed.

/** Freezes `value` and every object and array it reaches; returns it. */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  // A Map or Set cannot be frozen by Object.freeze: its entries are frozen, and callers
  // that pass one also compare it before and after (see the tests).
  if (value instanceof Map) for (const [k, v] of value) (deepFreeze(k, seen), deepFreeze(v, seen));
  else if (value instanceof Set) for (const v of value) deepFreeze(v, seen);
  else for (const v of Object.values(value)) deepFreeze(v, seen);
  Object.freeze(value);
  return value;
}
