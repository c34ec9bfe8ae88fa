import type { TreeEntry } from "./git-parse.js";

/**
 * A snapshot of one commit's files: the listing is held in memory (one `ls-tree` per tree), blob
 * contents are read on demand through `readBlob`, and each blob is read at most once.
 */
export interface FileTree {
  /** How people call this tree in messages: the default branch's name, or "this commit". */
  readonly label: string;
  readonly commit: string;
  entry(path: string): TreeEntry | undefined;
  /** All entry paths (files, directories, submodules, symlinks), sorted. */
  paths(): readonly string[];
  read(entry: TreeEntry): Promise<Buffer>;
}

export type BlobSource = (oid: string) => Promise<Buffer>;

export function makeTree(label: string, commit: string, entries: readonly TreeEntry[], source: BlobSource): FileTree {
  const byPath = new Map<string, TreeEntry>();
  for (const e of entries) byPath.set(e.path, e);
  const sorted = [...byPath.keys()].sort();
  const cache = new Map<string, Promise<Buffer>>();
  return {
    label,
    commit,
    entry: (p) => byPath.get(p),
    paths: () => sorted,
    read(entry) {
      let hit = cache.get(entry.oid);
      if (!hit) {
        hit = source(entry.oid);
        cache.set(entry.oid, hit);
      }
      return hit;
    },
  };
}
