import type { EntryType, TreeEntry } from "./git-parse.js";

/**
 * A snapshot of one commit's files: the listing is held in memory (one listing per tree, or one
 * listing plus a diff for a tree that differs little from another), blob contents are read on
 * demand through `read`, and each blob is read at most once.
 */
export interface FileTree {
  /** How people call this tree in messages: the default branch's name, or "this commit". */
  readonly label: string;
  readonly commit: string;
  entry(path: string): TreeEntry | undefined;
  /** All entry paths (files, directories, submodules, symlinks), sorted. */
  paths(): readonly string[];
  read(entry: TreeEntry): Promise<Buffer>;
  /**
   * A blob's size in bytes without reading it: `entry.size` when the listing carried it (YAML
   * files always do, see git-source.ts), else asked of git.
   */
  size(entry: TreeEntry): Promise<number | undefined>;
}

export type BlobSource = (oid: string) => Promise<Buffer>;
export type SizeSource = (oid: string) => Promise<number>;

/** A cache in front of a blob source, so trees that share it read each blob once between them. */
export function cachedSource(source: BlobSource): BlobSource {
  const cache = new Map<string, Promise<Buffer>>();
  return (oid) => {
    let hit = cache.get(oid);
    if (!hit) {
      hit = source(oid);
      cache.set(oid, hit);
    }
    return hit;
  };
}

const MODES = ["100644", "100755", "120000", "040000", "160000"] as const;
const MODE_CODE = new Map<string, number>(MODES.map((m, i) => [m, i]));

function typeOf(mode: string): EntryType {
  return mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob";
}

/**
 * A tree listing held as columns in sorted path order and searched by binary search: a
 * million-file tree is a million paths sliced from git's output, a byte for each mode, and the
 * place of each oid in that output (sliced when an entry is asked for: a rule asks for a handful).
 * A third of the time and memory of a Map of entry objects.
 */
export class Listing {
  private constructor(
    readonly sorted: readonly string[],
    private readonly cols: Columns,
    /** Sizes known from the listing (`ls-tree -l`, or looked up for YAML files), by position. */
    private readonly sizes: Map<number, number>,
  ) {}

  /** Position of `path`, or -1. */
  find(path: string): number {
    const i = lowerBound(this.sorted, path);
    return i < this.sorted.length && this.sorted[i] === path ? i : -1;
  }

  entryAt(i: number): TreeEntry {
    const c = this.cols;
    const mode = MODES[c.modes[i]!] ?? c.otherModes.get(i) ?? "100644";
    const at = c.oidAt[i]!;
    const oid = c.texts[c.textOf[i]!]!.slice(at, at + c.oidLen[i]!);
    return { path: this.sorted[i]!, mode, type: typeOf(mode), oid, size: this.sizes.get(i) };
  }

  /** Records the size of the blob at position `i`, so entries made later carry it. */
  setSizeAt(i: number, size: number): void {
    this.sizes.set(i, size);
  }

  get length(): number {
    return this.sorted.length;
  }

  static build(paths: string[], cols: Columns, sizes: Map<number, number>): Listing {
    const order = sortedOrder(paths);
    if (!order) return new Listing(paths, cols, sizes);
    const n = order.length;
    const now = new Int32Array(paths.length).fill(-1);
    const sorted = new Array<string>(n);
    const next: Columns = { texts: cols.texts, textOf: new Uint32Array(n), oidAt: new Uint32Array(n), oidLen: new Uint8Array(n), modes: new Uint8Array(n), otherModes: new Map() };
    for (let i = 0; i < n; i++) {
      const old = order[i]!;
      now[old] = i;
      sorted[i] = paths[old]!;
      next.textOf[i] = cols.textOf[old]!;
      next.oidAt[i] = cols.oidAt[old]!;
      next.oidLen[i] = cols.oidLen[old]!;
      next.modes[i] = cols.modes[old]!;
    }
    const remap = <T>(m: ReadonlyMap<number, T>, into: Map<number, T>) => {
      for (const [old, v] of m) if (now[old]! >= 0) into.set(now[old]!, v);
      return into;
    };
    remap(cols.otherModes, next.otherModes);
    return new Listing(sorted, next, remap(sizes, new Map()));
  }

  static fromEntries(entries: readonly TreeEntry[]): Listing {
    const b = new ListingBuilder();
    for (const e of entries) b.push(e.path, e.mode, e.oid, 0, e.oid.length, e.size);
    return b.done();
  }
}

interface Columns {
  /** The texts oids are sliced from (git's output, chunk by chunk). */
  readonly texts: readonly string[];
  readonly textOf: Uint32Array;
  readonly oidAt: Uint32Array;
  readonly oidLen: Uint8Array;
  readonly modes: Uint8Array;
  /** Modes outside the five git writes, by position (never seen in practice). */
  readonly otherModes: Map<number, string>;
}

/**
 * The positions of `paths` in sorted order, or `undefined` when they already are. Git lists a
 * tree recursively in the order of its paths' bytes, except that a directory's own entry sorts as
 * "name/", after siblings like "name-x" and "name.x" and their contents. So the entries out of
 * place are set aside in one pass, sorted (they are few), and each put back at its place, found
 * by binary search. For equal paths the later entry wins, as a Map would keep it.
 */
function sortedOrder(paths: readonly string[]): number[] | undefined {
  const n = paths.length;
  let i = 1;
  while (i < n && paths[i - 1]! < paths[i]!) i++;
  if (i >= n) return undefined;
  const kept: number[] = [];
  const aside: number[] = [];
  for (let k = 0; k < n; k++) {
    const last = kept.length ? paths[kept[kept.length - 1]!]! : undefined;
    if (last === undefined || last < paths[k]!) kept.push(k);
    else if (last === paths[k]) kept[kept.length - 1] = k;
    else aside.push(k);
  }
  aside.sort((a, b) => (paths[a]! < paths[b]! ? -1 : paths[a]! > paths[b]! ? 1 : a - b));
  const keptPaths = kept.map((k) => paths[k]!);
  const order: number[] = [];
  let from = 0;
  for (let a = 0; a < aside.length; a++) {
    const p = paths[aside[a]!]!;
    const at = lowerBound(keptPaths, p, from);
    for (; from < at; from++) order.push(kept[from]!);
    if (from < kept.length && keptPaths[from] === p) {
      // The same path twice: the later entry wins.
      if (aside[a]! > kept[from]!) kept[from] = aside[a]!;
      continue;
    }
    if (a + 1 < aside.length && paths[aside[a + 1]!] === p) continue;
    order.push(aside[a]!);
  }
  for (; from < kept.length; from++) order.push(kept[from]!);
  return order;
}

function codeOf(mode: string, i: number, otherModes: Map<number, string>): number {
  const code = MODE_CODE.get(mode);
  if (code !== undefined) return code;
  otherModes.set(i, mode);
  return 255;
}

/** Collects a listing as git writes it. */
export class ListingBuilder {
  private readonly paths: string[] = [];
  private readonly texts: string[] = [];
  private textOf = new Uint32Array(1024);
  private oidAt = new Uint32Array(1024);
  private oidLen = new Uint8Array(1024);
  private modes = new Uint8Array(1024);
  private readonly otherModes = new Map<number, string>();
  private readonly sizes = new Map<number, number>();

  /** One entry; its oid is `text.slice(oidAt, oidEnd)`. */
  push(path: string, mode: string, text: string, oidAt: number, oidEnd: number, size: number | undefined): void {
    const i = this.paths.length;
    if (i === this.modes.length) this.grow();
    if (this.texts[this.texts.length - 1] !== text) this.texts.push(text);
    this.paths.push(path);
    this.textOf[i] = this.texts.length - 1;
    this.oidAt[i] = oidAt;
    this.oidLen[i] = oidEnd - oidAt;
    this.modes[i] = codeOf(mode, i, this.otherModes);
    if (size !== undefined) this.sizes.set(i, size);
  }

  private grow(): void {
    const n = this.modes.length * 2;
    const grow = <T extends Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.textOf = grow(this.textOf, (k) => new Uint32Array(k));
    this.oidAt = grow(this.oidAt, (k) => new Uint32Array(k));
    this.oidLen = grow(this.oidLen, (k) => new Uint8Array(k));
    this.modes = grow(this.modes, (k) => new Uint8Array(k));
  }

  done(): Listing {
    const n = this.paths.length;
    const cols: Columns = {
      texts: this.texts,
      textOf: this.textOf.subarray(0, n),
      oidAt: this.oidAt.subarray(0, n),
      oidLen: this.oidLen.subarray(0, n),
      modes: this.modes.subarray(0, n),
      otherModes: this.otherModes,
    };
    return Listing.build(this.paths, cols, this.sizes);
  }
}

export function makeTree(label: string, commit: string, entries: readonly TreeEntry[] | Listing, source: BlobSource, sizes?: SizeSource): FileTree {
  const listing = entries instanceof Listing ? entries : Listing.fromEntries(entries);
  const read = cachedSource(source);
  return {
    label,
    commit,
    entry: (p) => {
      const i = listing.find(p);
      return i < 0 ? undefined : listing.entryAt(i);
    },
    paths: () => listing.sorted,
    read: (entry) => read(entry.oid),
    size: async (entry) => entry.size ?? (entry.type === "blob" && sizes ? sizes(entry.oid) : undefined),
  };
}

/**
 * `base` with some entries changed or removed: the default branch's tree as this commit's tree
 * plus what `git diff-tree` says differs, so the unchanged 99 % is neither listed nor stored twice.
 */
export function overlayTree(
  label: string,
  commit: string,
  base: FileTree,
  changed: readonly TreeEntry[],
  removed: readonly string[],
  /** Where this tree's blobs are read (its changed ones may not be where the base's are). */
  source?: BlobSource,
  sizes?: SizeSource,
): FileTree {
  const overrides = new Map<string, TreeEntry | null>();
  for (const p of removed) overrides.set(p, null);
  for (const e of changed) overrides.set(e.path, e);
  let sorted: readonly string[] | undefined;
  const listing = () => {
    if (!sorted) {
      const from = base.paths();
      const added = [...overrides].filter(([p, e]) => e && !base.entry(p)).map(([p]) => p);
      const gone = [...overrides].filter(([p, e]) => !e && base.entry(p)).map(([p]) => p);
      sorted = added.length || gone.length ? patchSorted(from, added, gone) : from;
      if (sorted !== from) derivations.set(sorted, { base: from, added: added.sort(), removed: new Set(gone) });
    }
    return sorted;
  };
  return {
    label,
    commit,
    entry: (p) => {
      const o = overrides.get(p);
      return o === undefined ? base.entry(p) : (o ?? undefined);
    },
    paths: listing,
    read: (entry) => (source ? source(entry.oid) : base.read(entry)),
    size: async (entry) => entry.size ?? (entry.type === "blob" && sizes ? sizes(entry.oid) : base.size(entry)),
  };
}

/**
 * How an overlay's listing differs from its base's, so that what is computed over the base
 * (glob matches, case variants) is reused for the overlay and only the difference is looked at.
 */
export interface Derivation {
  readonly base: readonly string[];
  /** Paths the base does not have, sorted. */
  readonly added: readonly string[];
  readonly removed: ReadonlySet<string>;
}
const derivations = new WeakMap<readonly string[], Derivation>();
export function derivationOf(paths: readonly string[]): Derivation | undefined {
  return derivations.get(paths);
}

/** A sorted list with a few paths added and removed: one pass, a binary search per change. */
function patchSorted(from: readonly string[], added: readonly string[], removed: readonly string[]): string[] {
  type Edit = { at: number; add?: string };
  const edits: Edit[] = [];
  for (const p of removed) edits.push({ at: lowerBound(from, p) });
  for (const p of added) edits.push({ at: lowerBound(from, p), add: p });
  // At one position: the removal of from[at] and insertions before it, insertions in order.
  edits.sort((a, b) => a.at - b.at || (a.add === undefined ? 1 : b.add === undefined ? -1 : a.add < b.add ? -1 : 1));
  const out: string[] = [];
  let next = 0;
  for (const e of edits) {
    for (; next < e.at; next++) out.push(from[next]!);
    if (e.add !== undefined) out.push(e.add);
    else next = e.at + 1;
  }
  for (; next < from.length; next++) out.push(from[next]!);
  return out;
}

export function lowerBound(xs: readonly string[], x: string, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
