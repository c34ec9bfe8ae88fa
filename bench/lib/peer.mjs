// A peer on the same checkout: repolinter (TODO Group), installed from npm into bench/.work/peer
// only — never into the project's package.json. Its rules are the closest equivalents of ours:
//   git.fileExists(file or glob)  → file-existence { globsAny }
//   git.fileExists(directory)     → directory-existence { globsAny }
//   fileContents(...).matches…    → file-contents { globsAll, content } (jq rules: a regex on the
//                                   same file, repolinter has no jq)
//   catalog-only rules            → none (nothing to check locally)
// repolinter reads one working tree (the checkout); the pipe reads two trees from git objects.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const PEER_VERSION = "0.12.0";

export function installPeer(dir) {
  const bin = path.join(dir, "node_modules", "repolinter", "bin", "repolinter.js");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), '{ "private": true }\n');
  execFileSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--no-save", `repolinter@${PEER_VERSION}`], { stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 });
  if (!existsSync(bin)) throw new Error("repolinter did not install");
  return bin;
}

/** repolinter.json equivalent to the 150-rule scorecards, from their expressions. */
export function peerRuleset(expressions, isDirectory) {
  const rules = {};
  expressions.forEach((expr, i) => {
    const id = `r${String(i + 1).padStart(4, "0")}`;
    let m = /^git\.fileExists\("\/?([^"]+)"\)$/.exec(expr);
    if (m) {
      const p = m[1];
      rules[id] = { level: "error", rule: { type: isDirectory(p) ? "directory-existence" : "file-existence", options: { globsAny: [p] } } };
      return;
    }
    m = /git\.fileContents\("\/?([^"]+)"\)/.exec(expr);
    if (m) {
      const re = /\.(?:matches|matchesIn|contains)\("((?:[^"\\]|\\.)*)"\)/.exec(expr);
      const content = re ? JSON.parse(`"${re[1]}"`).replace(/^\(\?[is]+\)/, "") : ".";
      rules[id] = { level: "error", rule: { type: "file-contents", options: { globsAll: [m[1]], content: re && expr.includes(".contains(") ? escapeRegex(content) : content, flags: "i" } } };
    }
  });
  return { $schema: "https://raw.githubusercontent.com/todogroup/repolinter/master/rulesets/schema.json", version: 2, axioms: {}, rules };
}

function escapeRegex(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
