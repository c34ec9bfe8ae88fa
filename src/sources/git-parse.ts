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

/** `git ls-tree -r -t -l -z`: `<mode> SP <type> SP <oid> SP+ <size|-> TAB <path> NUL`. */
export function parseLsTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    if (tab < 0) throw new Error(`unexpected ls-tree record: ${JSON.stringify(record.slice(0, 80))}`);
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    if (!mode || !oid || (type !== "blob" && type !== "tree" && type !== "commit")) {
      throw new Error(`unexpected ls-tree record: ${JSON.stringify(record.slice(0, 80))}`);
    }
    const n = size === undefined || size === "-" ? undefined : Number(size);
    entries.push({ path: record.slice(tab + 1), mode, type, oid, size: n });
  }
  return entries;
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
