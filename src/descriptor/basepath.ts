import type { FileTree } from "../sources/tree.js";
import { closest } from "../text.js";
import type { Finding } from "./finding.js";
import type { DescriptorGit } from "./model.js";

type Code = Finding["code"];
type Sev = Finding["severity"];
type Make = (code: Code, severity: Sev, message: string, hint: string) => Finding;

/**
 * The basepath rule: relative to the repository root, normalised, no `..`, no globs, and a
 * DIRECTORY on the default branch (what the catalog reads). Missing there but present in this
 * commit is a warning (the catalog finds it after merge); missing in both is an error with the
 * nearest real directory; a case-only difference has its own code because it works on
 * case-insensitive laptops and fails in the catalog.
 */
export function basepathFindings(file: string, git: DescriptorGit, defaultTree: FileTree, headTree: FileTree): Finding[] {
  const raw = git.basepathRaw;
  if (raw === undefined || !git.basepathKey) return [];
  const path = ["info", "x-cortex-git", git.provider, git.basepathKey];
  const make: Make = (code, severity, message, hint) => ({ code, severity, message, hint, path });
  const basepath = git.basepath ?? "";
  const form = formFindings(raw, basepath, make);
  if (form.some((f) => f.severity === "error")) return form;
  if (basepath === "") return form;
  return [...form, ...existenceFindings(basepath, defaultTree, headTree, make), ...placementFindings(file, basepath, make)];
}

function formFindings(raw: string, basepath: string, make: Make): Finding[] {
  const trimmed = raw.trim();
  if (trimmed.startsWith("/")) {
    const relative = trimmed.replace(/^\/+/, "").replace(/\/+$/, "") || ".";
    return [make("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" is absolute; it must be relative to the repository root`, `Write basepath: ${relative}`)];
  }
  if (/^[A-Za-z]:[\\/]/.test(trimmed)) {
    return [make("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" is a Windows path; it must be relative to the repository root`, "Write the directory relative to the repository root, with / between names.")];
  }
  if (basepath.split("/").includes("..")) {
    return [make("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" contains "..": it would leave the repository`, "Name a directory inside this repository, relative to its root, without \"..\".")];
  }
  if (/[*?[\]{}]/.test(basepath)) {
    return [make("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" contains glob characters; it names exactly one directory`, "Write the one directory that holds this entity's code.")];
  }
  if ((basepath || ".") !== trimmed) {
    return [make("BASEPATH_INVALID", "info", `\`basepath\` "${raw}" is read as "${basepath || "."}"`, `Write basepath: ${basepath || "."}`)];
  }
  return [];
}

function existenceFindings(basepath: string, defaultTree: FileTree, headTree: FileTree, make: Make): Finding[] {
  const branch = defaultTree.label;
  const onDefault = defaultTree.entry(basepath);
  const onHead = headTree.entry(basepath);
  if (onDefault?.type === "tree") {
    if (onHead?.type === "tree") return [];
    return [make("BASEPATH_MISSING", "warning", `\`basepath\` "${basepath}" is a directory on ${branch} but not in this commit: after merge the catalog will not find it`, "Keep the directory, or point basepath at where the code moved.")];
  }
  if (onDefault) {
    const what = onDefault.mode === "120000" ? "a symlink" : onDefault.type === "commit" ? "a submodule" : "a file";
    return [make("BASEPATH_INVALID", "error", `\`basepath\` "${basepath}" is ${what} on ${branch}, not a directory`, "Point basepath at the directory that holds this entity's code.")];
  }
  if (onHead?.type === "tree") {
    return [
      make(
        "BASEPATH_MISSING",
        "warning",
        `\`basepath\` "${basepath}" does not exist on ${branch} yet, only in this commit: the catalog will find it once this is merged`,
        "Nothing to do if this change adds the directory; merge it before relying on the catalog's view.",
      ),
    ];
  }
  return [missingEverywhere(basepath, defaultTree, headTree, make)];
}

function missingEverywhere(basepath: string, defaultTree: FileTree, headTree: FileTree, make: Make): Finding {
  const branch = defaultTree.label;
  const dirs = [...new Set([...directories(defaultTree), ...directories(headTree)])];
  const caseOnly = dirs.find((p) => p.toLowerCase() === basepath.toLowerCase());
  if (caseOnly) {
    return make(
      "BASEPATH_SPELLING",
      "error",
      `\`basepath\` "${basepath}" does not exist on ${branch}; "${caseOnly}" does: paths are case-sensitive in git and in the catalog`,
      `Set basepath: ${caseOnly}`,
    );
  }
  const near = closest(basepath, dirs, 0.3) ?? closestByName(basepath, dirs);
  return make(
    "BASEPATH_MISSING",
    "error",
    `\`basepath\` "${basepath}" is not a directory on ${branch} or in this commit${near ? `; did you mean "${near}"?` : ""}`,
    near ? `Set basepath: ${near}` : "Point basepath at the directory that holds this entity's code, relative to the repository root.",
  );
}

/** A directory with the same last name elsewhere (`payments` → `services/payments`) is a likely fix. */
function closestByName(basepath: string, dirs: readonly string[]): string | undefined {
  const name = basepath.split("/").at(-1) ?? basepath;
  const same = dirs.filter((d) => (d.split("/").at(-1) ?? d).toLowerCase() === name.toLowerCase());
  return same.length === 1 ? same[0] : undefined;
}

function directories(tree: FileTree): string[] {
  return tree.paths().filter((p) => tree.entry(p)?.type === "tree");
}

function placementFindings(file: string, basepath: string, make: Make): Finding[] {
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  // At the root or in an ancestor of the basepath is the usual layout; elsewhere is surprising.
  if (dir === "" || dir === basepath || dir.startsWith(`${basepath}/`) || basepath.startsWith(`${dir}/`)) return [];
  return [
    make(
      "DESCRIPTOR_OUTSIDE_BASEPATH",
      "warning",
      `${file} lives outside its own basepath "${basepath}"`,
      "Keep each monorepo descriptor inside (or above) the directory it describes, so moving one moves the other.",
    ),
  ];
}
