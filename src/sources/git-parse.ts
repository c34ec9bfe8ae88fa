/**
 * Pure parsers for git's output and validators for what we pass to git. Table-tested; no I/O.
 */
export type EntryType = "blob" | "tree" | "commit";

export interface TreeEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: EntryType;
  readonly oid: string;
  /** Blob size in bytes from `ls-tree -l`; `undefined` for trees and submodules. */
  readonly size: number | undefined;
}

/**
 * `git ls-tree -r -t -z`, with or without `-l`: `<mode> SP <type> SP <oid> [SP+ <size|->] TAB
 * <path> NUL`. Appends to `into` and returns it; `text` holds whole records only. Written as an
 * index scan, not split/regex, because it runs once per entry of a million-file tree: modes and
 * types come out as shared constants, and the oid and path are slices of `text`.
 */
export function parseLsTreeInto(text: string, into: TreeEntry[]): TreeEntry[] {
  scanLsTree(text, (path, mode, _text, oidAt, oidEnd, size) => into.push({ path, mode, type: typeOfMode(mode), oid: text.slice(oidAt, oidEnd), size }));
  return into;
}

/**
 * The same records as callbacks, for a caller that keeps them in columns (see tree.ts): the oid
 * is given as its place in `text`, to be sliced only if it is ever needed.
 */
export function scanLsTree(
  text: string,
  onRecord: (path: string, mode: string, text: string, oidAt: number, oidEnd: number, size: number | undefined) => void,
): void {
  let at = 0;
  const n = text.length;
  while (at < n) {
    const end = text.indexOf("\0", at);
    const stop = end < 0 ? n : end;
    if (stop === at) {
      at = stop + 1;
      continue;
    }
    const tab = text.indexOf("\t", at);
    const sp1 = text.indexOf(" ", at);
    const sp2 = sp1 < 0 ? -1 : text.indexOf(" ", sp1 + 1);
    if (tab < 0 || tab > stop || sp1 < 0 || sp2 < 0 || sp2 > tab) throw badRecord(text.slice(at, stop));
    const mode = MODES.get(text.slice(at, sp1)) ?? text.slice(at, sp1);
    const type = TYPES.get(text.slice(sp1 + 1, sp2));
    // SHA-1 or SHA-256: the oid ends at the tab, or at the spaces before `-l`'s size.
    const after40 = text.charCodeAt(sp2 + 41);
    const oidEnd = sp2 + (after40 === 9 || after40 === 32 ? 41 : 65);
    const afterOid = text.charCodeAt(oidEnd);
    if (!type || oidEnd > tab || (afterOid !== 9 && afterOid !== 32) || type !== typeOfMode(mode)) throw badRecord(text.slice(at, stop));
    let size: number | undefined;
    if (oidEnd < tab) {
      const raw = text.slice(oidEnd, tab).trim();
      size = raw === "-" || raw === "" ? undefined : Number(raw);
    }
    onRecord(text.slice(tab + 1, stop), mode, text, sp2 + 1, oidEnd, size);
    at = stop + 1;
  }
}

export function parseLsTree(out: string): TreeEntry[] {
  return parseLsTreeInto(out, []);
}

const MODES = new Map(["100644", "100755", "120000", "040000", "160000"].map((m) => [m, m]));
const TYPES = new Map<string, EntryType>([
  ["blob", "blob"],
  ["tree", "tree"],
  ["commit", "commit"],
]);

function badRecord(record: string): Error {
  return new Error(`unexpected ls-tree record: ${JSON.stringify(record.slice(0, 80))}`);
}

/** What `diff-tree` says changed between two trees, as the second tree's entries. */
export interface TreeDelta {
  /** Entries added or changed (mode, type or content) in the second tree. */
  readonly changed: TreeEntry[];
  /** Paths the second tree does not have. */
  readonly removed: string[];
}

/**
 * `git diff-tree -r -t -z --no-renames A B`:
 * `:<mode A> SP <mode B> SP <oid A> SP <oid B> SP <status> NUL <path> NUL`.
 * A path whose type changes (a file that became a directory) appears as a deletion and an
 * addition; the addition wins.
 */
export function parseDiffTree(out: string): TreeDelta {
  const fields = out.split("\0");
  const changed: TreeEntry[] = [];
  const removed: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = fields[i]!;
    const p = fields[i + 1]!;
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([ADMT])$/.exec(meta);
    if (!m) throw new Error(`unexpected diff-tree record: ${JSON.stringify(meta.slice(0, 120))}`);
    const [, , modeB, , oidB, status] = m as unknown as [string, string, string, string, string, string];
    if (status === "D") {
      removed.push(p);
      continue;
    }
    if (status === "T" && typeOfMode(m[1]!) !== typeOfMode(modeB)) removed.push(p);
    changed.push({ path: p, mode: MODES.get(modeB) ?? modeB, type: typeOfMode(modeB), oid: oidB, size: undefined });
  }
  return { changed, removed };
}

function typeOfMode(mode: string): EntryType {
  if (mode === "040000") return "tree";
  if (mode === "160000") return "commit";
  return "blob";
}

/**
 * `git ls-remote --symref origin HEAD`:
 *   ref: refs/heads/main\tHEAD
 *   <oid>\tHEAD
 */
export function parseSymrefHead(out: string): { branch: string; commit: string | undefined } | undefined {
  let branch: string | undefined;
  let commit: string | undefined;
  for (const line of out.split("\n")) {
    const m = /^ref: refs\/heads\/(.+)\tHEAD$/.exec(line);
    if (m) branch = m[1];
    const c = /^([0-9a-f]{40,64})\tHEAD$/.exec(line);
    if (c) commit = c[1];
  }
  return branch ? { branch, commit } : undefined;
}

/** `git ls-remote origin refs/heads/<b>` → the commit, if the branch exists. */
export function parseLsRemoteRef(out: string, ref: string): string | undefined {
  for (const line of out.split("\n")) {
    const [oid, name] = line.split("\t");
    if (name === ref && oid && /^[0-9a-f]{40,64}$/.test(oid)) return oid;
  }
  return undefined;
}

/**
 * A branch name we are willing to hand to git. Stricter than `git check-ref-format --branch`
 * on purpose: nothing that could be read as an option (`--upload-pack=…`), no revision syntax.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > 255) return "is longer than 255 characters";
  if (name.startsWith("-")) return 'starts with "-" and could be read as an option';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return "contains a space, control character or one of ~ ^ : ? * [ \\";
  if (name.includes("..") || name.includes("@{") || name.includes("//")) return 'contains "..", "@{" or "//"';
  if (name.startsWith("/") || name.endsWith("/") || name.endsWith(".") || name.endsWith(".lock")) {
    return 'starts or ends with "/", or ends with "." or ".lock"';
  }
  if (name.split("/").some((part) => part.startsWith("."))) return 'has a path component starting with "."';
  if (name === "@" || name === "HEAD") return "is not a branch name";
  return undefined;
}

/**
 * `workspace/repo` from a remote URL: Bitbucket's https, ssh and scp forms, and the plain-HTTP
 * origin Pipelines sets (`http://bitbucket.org/ws/repo`). `undefined` when it is not recognisable.
 */
export function repoFullNameFromUrl(url: string): string | undefined {
  const trimmed = url.trim().replace(/\/+$/, "").replace(/\.git$/, "");
  let pathPart: string | undefined;
  const scp = /^[^@/]+@[^:/]+:(.+)$/.exec(trimmed);
  if (scp) pathPart = scp[1];
  else {
    try {
      pathPart = new URL(trimmed).pathname;
    } catch {
      return undefined;
    }
  }
  const parts = (pathPart ?? "").split("/").filter(Boolean);
  // Data Center: /scm/PROJECT/repo; Cloud: /workspace/repo.
  if (parts.length >= 3 && parts[parts.length - 3] === "scm") parts.splice(0, parts.length - 2);
  if (parts.length < 2) return undefined;
  return `${parts[parts.length - 2]}/${parts[parts.length - 1]}`;
}

/** Strips credentials from a URL before it can reach a log or an error. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]+@/, "//");
  }
}
