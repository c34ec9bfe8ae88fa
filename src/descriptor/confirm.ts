import type { Diagnostic } from "../diagnostics.js";
import type { FileTree } from "../sources/tree.js";
import { closest } from "../text.js";
import { basepathFindings } from "./basepath.js";
import { toDiagnostic, type Finding } from "./finding.js";
import type { Descriptor, DescriptorGit } from "./model.js";
import { repositoryFindings } from "./repository.js";

export { sameRepository } from "./repository.js";

export interface ConfirmContext {
  /** `workspace/repo` of the repository being built, and where that came from. */
  readonly repository: { readonly fullName: string; readonly source: string } | undefined;
  /** Known account aliases: from ALIASES or the catalog; undefined when neither source exists. */
  readonly aliases: { readonly names: readonly string[]; readonly source: string } | undefined;
  readonly defaultTree: FileTree;
  readonly headTree: FileTree;
}

/**
 * Checks the descriptor's `x-cortex-git` against the repository it lives in: provider,
 * repository, alias and basepath (on the default branch, which is what the catalog reads).
 */
export function confirmDescriptor(d: Descriptor, ctx: ConfirmContext): Diagnostic[] {
  const git = d.git;
  const findings: Finding[] = git
    ? [
        ...providerFindings(git, ctx),
        ...repositoryFindings(git, ctx.repository),
        ...aliasFindings(git, ctx.aliases),
        ...basepathFindings(d.file, git, ctx.defaultTree, ctx.headTree),
      ]
    : missingGitFindings(d, ctx);
  return findings.map((f) => toDiagnostic(d.yaml, f));
}

function missingGitFindings(d: Descriptor, ctx: ConfirmContext): Finding[] {
  // An `x-cortex-git` block without a known provider is the schema's error (unknown key), not this one.
  if ("x-cortex-git" in d.info) return [];
  return [
    {
      code: "PROVIDER_MISMATCH",
      severity: "warning",
      message: "the descriptor names no repository (`x-cortex-git` is missing): unless the catalog links the entity to this repository some other way, its git rules have nothing to read",
      hint: `Add under info:\n  x-cortex-git:\n    bitbucket:\n      repository: ${ctx.repository?.fullName ?? "workspace/repo"}`,
      path: ["info"],
      atKey: true,
    },
  ];
}

function providerFindings(git: DescriptorGit, ctx: ConfirmContext): Finding[] {
  if (git.provider === "bitbucket") return [];
  return [
    {
      code: "PROVIDER_MISMATCH",
      severity: "error",
      message: `this repository is on Bitbucket but the descriptor names ${git.provider}: the catalog will look for the code on ${git.provider}`,
      hint: `Replace \`${git.provider}:\` with \`bitbucket:\` and set \`repository: ${ctx.repository?.fullName ?? "workspace/repo"}\`.`,
      path: ["info", "x-cortex-git", git.provider],
      atKey: true,
    },
  ];
}

function aliasFindings(git: DescriptorGit, aliases: ConfirmContext["aliases"]): Finding[] {
  if (git.alias === undefined) return [];
  const path = ["info", "x-cortex-git", git.provider, "alias"];
  if (!aliases) {
    return [
      {
        code: "ALIAS_UNCONFIRMED",
        severity: "info",
        message: `\`alias\` "${git.alias}" could not be confirmed: there is no ALIASES variable and no catalog key to check it against`,
        hint: "Set ALIASES to the account aliases configured in the catalog (or CORTEX_API_KEY), so a misspelt alias fails here instead of silently in the catalog.",
        path,
      },
    ];
  }
  if (aliases.names.includes(git.alias)) return [];
  const near = closest(git.alias, aliases.names);
  const list = aliases.names.length ? aliases.names.join(", ") : "none";
  return [
    {
      code: "ALIAS_UNKNOWN",
      severity: "error",
      message: `\`alias\` "${git.alias}" is not a configured account alias${near ? `; did you mean "${near}"?` : ""} (configured: ${list}, from ${aliases.source})`,
      hint: near ? `Set alias: ${near}` : "Use one of the configured aliases, or remove `alias` to use the default account.",
      path,
    },
  ];
}
