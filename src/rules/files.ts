import picomatch from "picomatch";
import type { TreeEntry } from "../sources/git-parse.js";
import { caseVariant, globPaths } from "../sources/match.js";
import type { FileTree } from "../sources/tree.js";
import { formatBytes } from "../yaml/limits.js";
import { decodeText } from "../yaml/decode.js";
import { EvalError } from "./values.js";

/**
 * File semantics for `git.fileExists` / `git.fileContents` (documented in the README):
 *  - paths are relative to the entity's basepath; a leading "/" means the repository root; a
 *    path whose ".." would climb out of the repository is an error;
 *  - directories and submodules exist; a submodule's contents are not in this repository;
 *  - symlinks are followed inside the tree (8 hops at most); one that dangles or points outside
 *    the repository does not exist;
 *  - text is UTF-8 (BOM stripped) or UTF-16 with a BOM; line endings are kept as committed;
 *  - binary files, Git LFS pointers and files over MAX_CONTENT_BYTES cannot be read here.
 */
export const MAX_CONTENT_BYTES = 5 * 1024 * 1024;
const MAX_LINK_HOPS = 8;

export type Contents =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "absent"; readonly why: string }
  | { readonly kind: "unreadable"; readonly why: string };

/** basepath + rule path → repository path ("" = root). */
export function resolveRulePath(basepath: string, p: string): string {
  const raw = p.startsWith("/") ? p.slice(1) : basepath ? `${basepath}/${p}` : p;
  const out: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw new EvalError(`path "${p}" leaves the repository`);
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

/**
 * Where a path leads: an entry, nothing (with the reason), or into a submodule, whose files live
 * in another repository and so are neither present nor absent here.
 */
type Resolved = { readonly entry: TreeEntry; readonly path: string } | { readonly missing: string } | { readonly submodule: string };

/** Follows symlinks (in the final component and in parent directories) within the tree. */
export async function resolveEntry(tree: FileTree, path: string, hops = 0): Promise<Resolved> {
  if (path === "") return { entry: { path: "", mode: "040000", type: "tree", oid: "", size: undefined }, path: "" };
  const direct = tree.entry(path);
  if (direct && direct.mode !== "120000") return { entry: direct, path };
  if (hops >= MAX_LINK_HOPS) return { missing: `${path} is a chain of more than ${MAX_LINK_HOPS} symlinks` };
  if (direct) return followLink(tree, direct, path, "", hops);
  // A parent directory may itself be a symlink: find the longest prefix that is one.
  const parts = path.split("/");
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join("/");
    const e = tree.entry(prefix);
    if (!e) continue;
    if (e.mode === "120000") return followLink(tree, e, prefix, parts.slice(i).join("/"), hops);
    if (e.type === "commit") return { submodule: prefix };
    break;
  }
  return { missing: `${path} does not exist` };
}

async function followLink(tree: FileTree, link: TreeEntry, linkPath: string, rest: string, hops: number): Promise<Resolved> {
  const target = (await tree.read(link)).toString("utf8");
  const dir = linkPath.includes("/") ? linkPath.slice(0, linkPath.lastIndexOf("/")) : "";
  if (target.startsWith("/")) return { missing: `${linkPath} is a symlink to ${target}, outside the repository` };
  let next: string;
  try {
    next = resolveRulePath(dir, rest ? `${target}/${rest}` : target);
  } catch {
    return { missing: `${linkPath} is a symlink to ${target}, outside the repository` };
  }
  const r = await resolveEntry(tree, next, hops + 1);
  if (!("missing" in r)) return r;
  // A loop says so; a plain miss names the link the rule's path went through.
  return { missing: r.missing.includes("chain of more than") ? `${linkPath} is ${r.missing.replace(/^.* is /, "")}` : `${linkPath} is a symlink to ${target}, which does not exist` };
}

export function isGlob(p: string): boolean {
  return picomatch.scan(p).isGlob;
}

/** Glob over the tree (an extension: the catalog's fileExists takes plain paths). */
export function globMatches(tree: FileTree, pattern: string): string[] {
  return globPaths(tree, pattern);
}

/** Same path with different case, for "did you mean". */
export function caseInsensitiveMatch(tree: FileTree, path: string): string | undefined {
  return caseVariant(tree.paths(), path);
}

export function submoduleWhy(submodule: string): string {
  return `${submodule} is a git submodule; its files live in another repository, which is not read here`;
}

/**
 * Decoding once per blob: both trees share unchanged blobs (the same Buffer), so the default
 * branch and this commit get the same string, and what is derived from it downstream (a parsed
 * YAML file for jq) can be reused too.
 */
const decodedCache = new WeakMap<Buffer, ReturnType<typeof decodeText>>();
function decodedText(bytes: Buffer): ReturnType<typeof decodeText> {
  let d = decodedCache.get(bytes);
  if (!d) {
    d = decodeText(bytes);
    decodedCache.set(bytes, d);
  }
  return d;
}

const LFS_POINTER = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\n/;

export async function readContents(tree: FileTree, path: string): Promise<Contents> {
  const r = await resolveEntry(tree, path);
  if ("missing" in r) return { kind: "absent", why: r.missing };
  if ("submodule" in r) return { kind: "unreadable", why: submoduleWhy(r.submodule) };
  const { entry } = r;
  if (entry.type === "tree") return { kind: "absent", why: `${path} is a directory` };
  if (entry.type === "commit") return { kind: "unreadable", why: submoduleWhy(path) };
  const size = entry.size ?? (await tree.size(entry)) ?? 0;
  if (size > MAX_CONTENT_BYTES) {
    return { kind: "unreadable", why: `${path} is ${formatBytes(size)}, over the ${formatBytes(MAX_CONTENT_BYTES)} limit for reading files` };
  }
  const bytes = await tree.read(entry);
  const decoded = decodedText(bytes);
  if (decoded.kind === "binary") return { kind: "unreadable", why: `${path} is a binary file` };
  if (LFS_POINTER.test(decoded.text)) return { kind: "unreadable", why: `${path} is stored in Git LFS; only its pointer is in the repository` };
  return { kind: "text", text: decoded.text };
}
