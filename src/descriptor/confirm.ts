import { diagnostic, type Diagnostic, type Severity } from "../diagnostics.js";
import type { FileTree } from "../sources/tree.js";
import { closest } from "../text.js";
import { codeFrame } from "../yaml/frame.js";
import { locate } from "../yaml/locate.js";
import type { Descriptor } from "./model.js";

export interface ConfirmContext {
  /** `workspace/repo` of the repository being built, and where that came from. */
  readonly repository: { readonly fullName: string; readonly source: string } | undefined;
  /** Known account aliases: from ALIASES or the catalog; undefined when neither source exists. */
  readonly aliases: { readonly names: readonly string[]; readonly source: string } | undefined;
  readonly defaultTree: FileTree;
  readonly headTree: FileTree;
}

/** Bitbucket compares workspace and repository slugs case-insensitively. */
export function sameRepository(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\.git$/, "").toLowerCase();
  return norm(a) === norm(b);
}

/**
 * Checks the descriptor's `x-cortex-git` against the repository it lives in: provider,
 * repository, alias and basepath (on the default branch, which is what the catalog reads).
 */
export function confirmDescriptor(d: Descriptor, ctx: ConfirmContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const git = d.git;
  const at = (parts: (string | number)[], keyOf = false) => {
    const p = locate(d.yaml.doc, d.yaml.lineCounter, parts, { keyOf });
    return { place: { file: d.file, line: p.line, column: p.column }, frame: codeFrame(d.yaml.text, p.line, p.column) };
  };
  const add = (code: Diagnostic["code"], severity: Severity, message: string, parts: (string | number)[], hint?: string, keyOf = false) =>
    out.push(diagnostic(code, severity, message, { hint, ...at(parts, keyOf) }));

  if (!git) {
    if (d.gitProviders.length === 0) {
      add(
        "PROVIDER_MISMATCH",
        "warning",
        "the descriptor has no `x-cortex-git` block, so the catalog cannot link it to this repository and git rules will not run there",
        ["info"],
        `Add:\n  x-cortex-git:\n    bitbucket:\n      repository: ${ctx.repository?.fullName ?? "workspace/repo"}`,
        true,
      );
    }
    return out;
  }
  const base = ["info", "x-cortex-git", git.provider];
  if (git.provider !== "bitbucket") {
    add(
      "PROVIDER_MISMATCH",
      "error",
      `this repository is on Bitbucket but the descriptor names ${git.provider}`,
      ["info", "x-cortex-git", git.provider],
      `Replace \`${git.provider}:\` with \`bitbucket:\` and \`repository: ${ctx.repository?.fullName ?? "workspace/repo"}\`.`,
      true,
    );
  }

  if (git.provider === "bitbucket" && git.repository !== undefined && ctx.repository) {
    const want = ctx.repository.fullName;
    if (!git.repository.includes("/")) {
      add(
        "REPOSITORY_MISMATCH",
        "error",
        `\`repository\` "${git.repository}" has no workspace part; this repository is "${want}"`,
        [...base, "repository"],
        `Write it as workspace/repo: repository: ${want}`,
      );
    } else if (!sameRepository(git.repository, want)) {
      add(
        "REPOSITORY_MISMATCH",
        "error",
        `\`repository\` is "${git.repository}" but this repository is "${want}" (from ${ctx.repository.source})`,
        [...base, "repository"],
        `Set repository: ${want} — or, if the descriptor was copied from another repository, give this entity its own tag too.`,
      );
    }
  } else if (git.provider === "bitbucket" && !ctx.repository) {
    add(
      "REPOSITORY_UNCONFIRMED",
      "info",
      "could not tell which repository this is (no BITBUCKET_REPO_FULL_NAME and no recognisable origin URL), so `repository` was not confirmed",
      [...base, "repository"],
    );
  }

  if (git.alias !== undefined) {
    if (!ctx.aliases) {
      add(
        "ALIAS_UNCONFIRMED",
        "info",
        `\`alias\` "${git.alias}" could not be confirmed: no ALIASES variable and no catalog configuration to check it against`,
        [...base, "alias"],
        "Set ALIASES to the account aliases configured in the catalog.",
      );
    } else if (!ctx.aliases.names.includes(git.alias)) {
      const near = closest(git.alias, ctx.aliases.names);
      add(
        "ALIAS_UNKNOWN",
        "error",
        `\`alias\` "${git.alias}" is not one of the configured aliases (${ctx.aliases.names.join(", ") || "none"}, from ${ctx.aliases.source})`,
        [...base, "alias"],
        near ? `Did you mean "${near}"?` : "Use one of the configured aliases, or remove `alias` to use the default account.",
      );
    }
  }

  if (git.basepathRaw !== undefined && git.basepathKey) {
    out.push(...confirmBasepath(d, git.basepathRaw, git.basepath ?? "", [...base, git.basepathKey], ctx, at));
  }
  return out;
}

function confirmBasepath(
  d: Descriptor,
  raw: string,
  basepath: string,
  parts: (string | number)[],
  ctx: ConfirmContext,
  at: (parts: (string | number)[]) => { place: { file: string; line: number; column: number }; frame: string },
): Diagnostic[] {
  const mk = (code: Diagnostic["code"], severity: Severity, message: string, hint?: string) => diagnostic(code, severity, message, { hint, ...at(parts) });
  if (raw.trim().startsWith("/")) {
    return [mk("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" is absolute`, `Write it relative to the repository root: basepath: ${raw.trim().replace(/^\/+/, "")}`)];
  }
  if (basepath.split("/").includes("..")) {
    return [mk("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" contains ".."`, "A basepath names a directory inside this repository, relative to its root.")];
  }
  if (/[*?[\]{}]/.test(basepath)) return [mk("BASEPATH_INVALID", "error", `\`basepath\` "${raw}" contains glob characters`, "Name one directory.")];
  const out: Diagnostic[] = [];
  if (basepath !== raw.trim()) out.push(mk("BASEPATH_INVALID", "info", `\`basepath\` "${raw}" is read as "${basepath || "."}"`, `Write basepath: ${basepath || "."}`));
  if (basepath === "") return out;

  const kind = (tree: FileTree) => tree.entry(basepath)?.type;
  const onDefault = kind(ctx.defaultTree);
  const onHead = kind(ctx.headTree);
  const branch = ctx.defaultTree.label;
  if (onDefault === "tree") {
    // fine
  } else if (onDefault === "blob") {
    out.push(mk("BASEPATH_INVALID", "error", `\`basepath\` "${basepath}" is a file on ${branch}, not a directory`));
  } else if (onHead === "tree") {
    out.push(
      mk(
        "BASEPATH_MISSING",
        "warning",
        `\`basepath\` "${basepath}" does not exist on ${branch} yet, only in this commit: the catalog will find it once this is merged`,
      ),
    );
  } else {
    const dirs = ctx.defaultTree.paths().filter((p) => ctx.defaultTree.entry(p)?.type === "tree");
    const caseOnly = dirs.find((p) => p.toLowerCase() === basepath.toLowerCase());
    if (caseOnly) {
      out.push(
        mk("BASEPATH_SPELLING", "error", `\`basepath\` "${basepath}" does not exist on ${branch}; "${caseOnly}" does (paths are case-sensitive)`, `Set basepath: ${caseOnly}`),
      );
    } else {
      const near = closest(basepath, dirs, 0.3);
      out.push(
        mk(
          "BASEPATH_MISSING",
          "error",
          `\`basepath\` "${basepath}" is not a directory on ${branch} or in this commit`,
          near ? `Did you mean "${near}"?` : "Point basepath at the directory that holds this entity's code.",
        ),
      );
    }
  }
  const dir = d.file.includes("/") ? d.file.slice(0, d.file.lastIndexOf("/")) : "";
  if (dir !== basepath && !dir.startsWith(`${basepath}/`) && dir !== "" && !basepath.startsWith(`${dir}/`)) {
    out.push(
      diagnostic("DESCRIPTOR_OUTSIDE_BASEPATH", "warning", `${d.file} lives outside its own basepath "${basepath}"`, {
        hint: "Keep each monorepo descriptor inside the directory it describes, so moving one moves the other.",
        ...at(parts),
      }),
    );
  }
  return out;
}
