import { createHash } from "node:crypto";
import type { TreeEntry } from "./git-parse.js";
import { makeTree, type FileTree } from "./tree.js";

/**
 * An in-memory tree for unit tests: `{ "README.md": "text", "docs/": null,
 * "link": { symlink: "README.md" }, "vendor/lib": { submodule: true } }`.
 */
export type MemoryFile = string | Buffer | null | { readonly symlink: string } | { readonly submodule: true };

export function memoryTree(files: Readonly<Record<string, MemoryFile>>, label = "this commit", commit = "0".repeat(40)): FileTree {
  const entries = new Map<string, TreeEntry>();
  const blobs = new Map<string, Buffer>();
  const addDirs = (p: string) => {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!entries.has(dir)) entries.set(dir, { path: dir, mode: "040000", type: "tree", oid: oidOf(`tree:${dir}`), size: undefined });
    }
  };
  for (const [rawPath, content] of Object.entries(files)) {
    const p = rawPath.replace(/\/$/, "");
    addDirs(p);
    if (content === null) {
      entries.set(p, { path: p, mode: "040000", type: "tree", oid: oidOf(`tree:${p}`), size: undefined });
    } else if (typeof content === "object" && !Buffer.isBuffer(content) && "submodule" in content) {
      entries.set(p, { path: p, mode: "160000", type: "commit", oid: oidOf(`commit:${p}`), size: undefined });
    } else {
      const isLink = typeof content === "object" && !Buffer.isBuffer(content) && "symlink" in content;
      const bytes = isLink ? Buffer.from(content.symlink) : Buffer.isBuffer(content) ? content : Buffer.from(content);
      const oid = oidOf(bytes);
      blobs.set(oid, bytes);
      entries.set(p, { path: p, mode: isLink ? "120000" : "100644", type: "blob", oid, size: bytes.length });
    }
  }
  return makeTree(label, commit, [...entries.values()], async (oid) => {
    const b = blobs.get(oid);
    if (!b) throw new Error(`no blob ${oid}`);
    return b;
  });
}

function oidOf(content: string | Buffer): string {
  return createHash("sha1").update(content).digest("hex");
}
