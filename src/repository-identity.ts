import { repoFullNameFromUrl } from "./sources/git-parse.js";

/**
 * Which Bitbucket repository this is, and how sure we are. BITBUCKET_REPO_FULL_NAME (Pipelines,
 * or set by hand) is authoritative. An origin URL counts only when it is recognisably Bitbucket:
 * bitbucket.org, or Data Center's `/scm/PROJECT/repo` (http) and port 7999 (ssh) forms. Any other
 * origin (a local path, GitHub, GitLab, a mirror) would only produce false mismatches.
 */
export function repositoryIdentity(repoFullName: string | undefined, originUrl: string | undefined): { fullName: string; source: string } | undefined {
  if (repoFullName) return { fullName: repoFullName, source: "BITBUCKET_REPO_FULL_NAME" };
  if (!originUrl || !isBitbucketUrl(originUrl)) return undefined;
  const fullName = repoFullNameFromUrl(originUrl);
  return fullName ? { fullName, source: "the origin URL" } : undefined;
}

export function isBitbucketUrl(url: string): boolean {
  const scp = /^[^@/]+@([^:/]+):/.exec(url);
  if (scp) return scp[1] === "bitbucket.org";
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.hostname === "bitbucket.org" || u.hostname.endsWith(".bitbucket.org")) return true;
  if ((u.protocol === "http:" || u.protocol === "https:") && u.pathname.startsWith("/scm/")) return true;
  return u.protocol === "ssh:" && u.port === "7999";
}
