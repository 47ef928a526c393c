/**
 * What a kind of generated entry is: the key a pattern template renders it
 * under, how that rendered value is read, how the values of two parts of one
 * service combine, and what it adds to the output, stated as data the merge
 * planner (src/merge/edits.ts) carries out. The planner alone knows the
 * source (what is written where, what comes through `<<`); a kind never
 * does, so it says "append to this list", not which edit that takes.
 */

type Obj = Record<string, unknown>;

/** What one kind puts on the service a fragment is for. */
export type ServiceChange =
  /** These items appended to the list under the service's `key` (a list of them when it has none). */
  | { op: 'append'; key: string; items: readonly unknown[] }
  /**
   * These entries merged into the mapping under the service's `key`, over any of the same name;
   * the current value is first read as a mapping by `asMapping` (a short form turned into the long one).
   */
  | { op: 'mergeInto'; key: string; entries: Readonly<Obj>; asMapping: (current: unknown) => Obj }
  /** These keys deep-merged into the service: mappings key by key, lists appended, anything else replaced. */
  | { op: 'deepMerge'; keys: Readonly<Obj> };

export interface EntryKindBase<Field extends string, Value> {
  /** The key a template writes the entries under (and the messages name). */
  key: string;
  /** Its field in a Fragment. */
  field: Field;
  /** The rendered value (undefined when the template wrote none) as this kind's value. */
  read(rendered: unknown): Value;
  /** The values of two parts of one service (a pattern per mount), in plan order: one value. */
  combine(first: Value, second: Value): Value;
  /**
   * What a user-defined pattern's template may write of this kind (README, "User-defined
   * patterns"): the problems of its rendered value, empty when it keeps to the rules. Absent:
   * a user pattern may not write the kind at all (only built-in patterns do), so a kind added
   * later is refused there until its rule is written here.
   */
  userProblems?(value: Value, plan: UserPlan): string[];
}

/** What a user pattern's rule knows of the plan it rendered: the volumes the plan gives the service. */
export interface UserPlan {
  ownVolumes: ReadonlySet<string>;
}

/** A kind whose entries go on the service: what it changes there (undefined: nothing, the value is empty). */
export interface ServiceEntryKind<Field extends string, Value> extends EntryKindBase<Field, Value> {
  change(value: Value): ServiceChange | undefined;
}

/** A kind whose value is new entries (name -> value) of a top-level mapping of the output. */
export interface TopEntryKind<Field extends string, Value extends Obj> extends EntryKindBase<Field, Value> {
  top: {
    /** The top-level key the entries are added under. */
    key: string;
    /**
     * Each name is declared once: by the file when it declares it, else by the first fragment
     * that has it (later ones leave it out); the plan checked that they all mean the same.
     */
    once?: boolean;
    /** Written as a mapping even with no new entries, when the file writes the key as something else (an empty `key:`). */
    always?: boolean;
  };
}
