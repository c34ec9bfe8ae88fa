import { isPlaceholder } from "./tag.js";
import type { Finding } from "./finding.js";
import type { DescriptorGit } from "./model.js";

type Built = { readonly fullName: string; readonly source: string } | undefined;

/**
 * Bitbucket compares workspace and repository slugs case-insensitively (slugs are lower case;
 * `Acme/Payments` and `acme/payments` are one repository); a trailing `.git` or slash is noise.
 */
export function sameRepository(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(s: string): string {
  return s.trim().replace(/\.git$/i, "").replace(/^\/+|\/+$/g, "").toLowerCase();
}

/** `https://bitbucket.org/ws/repo(.git)`, `git@bitbucket.org:ws/repo.git` → `ws/repo`; undefined when not a URL. */
export function repositoryFromUrl(value: string): string | undefined {
  const m = /^(?:[a-z+]+:\/\/(?:[^@/]+@)?[^/]+\/|[^@\s]+@[^:\s]+:)(.+?)(?:\.git)?\/?$/i.exec(value.trim());
  return m?.[1];
}

/**
 * `repository` must name the repository being built, as `workspace/repo`. Checked for every
 * provider: a descriptor copied from another repository keeps that repository's name, which
 * the provider error alone would not reveal.
 */
export function repositoryFindings(git: DescriptorGit, built: Built): Finding[] {
  const value = git.repository;
  if (value === undefined) return []; // missing or not a string: the schema reports it
  const path = ["info", "x-cortex-git", git.provider, "repository"];
  if (!built) {
    if (git.provider !== "bitbucket") return [];
    return [
      {
        code: "REPOSITORY_UNCONFIRMED",
        severity: "info",
        message: "could not tell which repository this is (no BITBUCKET_REPO_FULL_NAME and no recognisable origin URL), so `repository` was not confirmed",
        hint: "Set BITBUCKET_REPO_FULL_NAME=workspace/repo when running outside Pipelines.",
        path,
      },
    ];
  }
  const want = built.fullName;
  const mismatch = (message: string, hint: string): Finding[] => [{ code: "REPOSITORY_MISMATCH", severity: "error", message, hint, path }];
  if (isPlaceholder(value)) {
    return mismatch(`\`repository\` "${value}" is an unfilled template placeholder; this repository is "${want}"`, `Set repository: ${want}`);
  }
  const fromUrl = repositoryFromUrl(value);
  if (fromUrl !== undefined) {
    const same = sameRepository(fromUrl, want);
    return mismatch(
      `\`repository\` "${value}" is a URL${same ? "" : ` of another repository ("${fromUrl}")`}; the catalog expects workspace/repo, and this repository is "${want}"`,
      `Set repository: ${want}`,
    );
  }
  if (git.provider === "azure") return azureFindings(value, want, built.source, path);
  if (!value.includes("/")) {
    const slug = want.split("/").at(-1) ?? want;
    const sameSlug = sameRepository(value, slug);
    return mismatch(
      `\`repository\` "${value}" has no workspace part${sameSlug ? "" : `, and "${value}" is not this repository's name either`}; this repository is "${want}" (from ${built.source})`,
      `Write it as workspace/repo: repository: ${want}`,
    );
  }
  if (sameRepository(value, want)) return [];
  return mismatch(
    `\`repository\` is "${value}" but this repository is "${want}" (from ${built.source})`,
    `Set repository: ${want} — or, if this descriptor was copied from "${value}", also give this entity its own x-cortex-tag.`,
  );
}

/** Azure DevOps keeps the project separately: `repository` is the bare repository name. */
function azureFindings(value: string, want: string, source: string, path: readonly string[]): Finding[] {
  const slug = want.split("/").at(-1) ?? want;
  if (sameRepository(value.split("/").at(-1) ?? value, slug)) return [];
  return [
    {
      code: "REPOSITORY_MISMATCH",
      severity: "error",
      message: `\`repository\` is "${value}" but this repository is "${want}" (from ${source})`,
      hint: `Set repository: ${slug}`,
      path,
    },
  ];
}
