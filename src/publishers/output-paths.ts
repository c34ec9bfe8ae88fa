import { constants } from "node:fs";
import { lstat, mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import type { Git } from "../sources/git.js";

/**
 * The pipe writes only OUTPUT_DIR and JUNIT_FILE, and never through the checkout's own content:
 * a pull request could commit `test-results/catalog-scorecard.xml -> /somewhere/precious` or
 * point OUTPUT_DIR at `.git`. Inside the repository, an output path must not be in `.git`, must
 * not pass through a symlink, and must not overwrite a tracked file.
 */
export async function outputPathProblems(cwd: string, outputs: { readonly name: string; readonly files: readonly string[] }[], git: Git): Promise<string[]> {
  const top = await git.run(["rev-parse", "--show-toplevel"], { cwd });
  if (top.code !== 0) return []; // not a repository: reported by the run itself
  const root = top.stdout.toString("utf8").trim();
  const problems: string[] = [];
  for (const { name, files } of outputs) {
    for (const file of files) {
      const abs = path.resolve(cwd, file);
      const rel = path.relative(root, abs);
      if (rel.startsWith("..") || path.isAbsolute(rel)) continue; // outside the checkout: the user's choice
      const parts = rel.split(path.sep);
      if (parts[0] === ".git") {
        problems.push(`${name} points into .git (${rel}); the pipe never writes to the repository's git directory.`);
        continue;
      }
      const link = await firstSymlink(root, parts);
      if (link !== undefined) {
        problems.push(`${name} would write through the symlink ${link}, which the repository itself contains; refusing to follow it. Use a path without symlinks.`);
        continue;
      }
      const tracked = await git.run(["ls-files", "-z", "--", rel], { cwd: root });
      const hit = tracked.stdout.toString("utf8").split("\0").filter(Boolean)[0];
      // An earlier run's own output committed by accident may be replaced; anything else may not.
      if (hit && !(await isOurOutput(path.join(root, hit)))) {
        problems.push(`${name} would overwrite ${hit}, a file tracked in the repository; choose a path the repository does not contain.`);
      }
    }
  }
  return [...new Set(problems)];
}

async function isOurOutput(file: string): Promise<boolean> {
  const head = await readFile(file, { encoding: "utf8" }).then(
    (t) => t.slice(0, 4096),
    () => "",
  );
  return /catalog[- ]scorecard/i.test(head);
}

async function firstSymlink(root: string, parts: readonly string[]): Promise<string | undefined> {
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join(path.sep);
    const st = await lstat(path.join(root, sub)).catch(() => undefined);
    if (!st) return undefined; // nothing exists from here down: nothing to follow
    if (st.isSymbolicLink()) return sub;
  }
  return undefined;
}

/** Creates a file without following a symlink in its last component (O_NOFOLLOW). */
export async function writeFileNoFollow(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
