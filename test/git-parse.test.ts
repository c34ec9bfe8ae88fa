import { describe, expect, it } from "vitest";
import { branchNameProblem, parseLsRemoteRef, parseLsTree, parseSymrefHead, repoFullNameFromUrl, safeUrl } from "../src/sources/git-parse.js";

describe("parseLsTree (ls-tree -r -t -l -z)", () => {
  it("reads blobs with sizes, trees, symlinks and submodules, and paths with spaces and tabs", () => {
    const oid = "a".repeat(40);
    const out = [
      `100644 blob ${oid}     120\tREADME.md`,
      `040000 tree ${oid}       -\tdocs`,
      `120000 blob ${oid}       9\tlink`,
      `160000 commit ${oid}       -\tvendor/lib`,
      `100755 blob ${oid} 5242880\tpath with spaces/and\ttab.sh`,
    ].join("\0");
    expect(parseLsTree(`${out}\0`)).toEqual([
      { path: "README.md", mode: "100644", type: "blob", oid, size: 120 },
      { path: "docs", mode: "040000", type: "tree", oid, size: undefined },
      { path: "link", mode: "120000", type: "blob", oid, size: 9 },
      { path: "vendor/lib", mode: "160000", type: "commit", oid, size: undefined },
      { path: "path with spaces/and\ttab.sh", mode: "100755", type: "blob", oid, size: 5242880 },
    ]);
  });
  it("refuses a record it does not understand rather than guessing", () => {
    expect(() => parseLsTree("garbage\0")).toThrow(/unexpected ls-tree record/);
  });
});

describe("ls-remote parsing", () => {
  const oid = "b".repeat(40);
  it.each([
    [`ref: refs/heads/main\tHEAD\n${oid}\tHEAD\n`, { branch: "main", commit: oid }],
    [`ref: refs/heads/release/2026\tHEAD\n`, { branch: "release/2026", commit: undefined }],
    [`${oid}\tHEAD\n`, undefined],
    ["", undefined],
  ])("--symref HEAD %#", (out, want) => expect(parseSymrefHead(out)).toEqual(want));
  it("finds one ref's commit", () => {
    expect(parseLsRemoteRef(`${oid}\trefs/heads/develop\n${"c".repeat(40)}\trefs/heads/dev\n`, "refs/heads/dev")).toBe("c".repeat(40));
    expect(parseLsRemoteRef("", "refs/heads/dev")).toBeUndefined();
  });
});

describe("branchNameProblem", () => {
  it.each(["main", "master", "release/2026.1", "feature/ABC-12_x", "trunk"])("accepts %j", (b) => expect(branchNameProblem(b)).toBeUndefined());
  it.each([
    ["--upload-pack=touch /tmp/pwned", 'starts with "-"'],
    ["-b", 'starts with "-"'],
    ["a b", "space"],
    ["a..b", '".."'],
    ["a@{1}", '"@{"'],
    ["refs/heads/../x", '".."'],
    ["x.lock", ".lock"],
    ["x/", 'ends with "/"'],
    [".hidden", 'starting with "."'],
    ["a\nb", "control character"],
    ["HEAD", "not a branch name"],
    ["", "empty"],
    ["x".repeat(300), "longer than 255"],
  ])("refuses %j (%s)", (b, why) => expect(branchNameProblem(b)).toContain(why));
});

describe("repoFullNameFromUrl", () => {
  it.each([
    ["http://bitbucket.org/acme/payments", "acme/payments"],
    ["https://x-token-auth:secret@bitbucket.org/acme/payments.git", "acme/payments"],
    ["git@bitbucket.org:acme/payments.git", "acme/payments"],
    ["ssh://git@bitbucket.org/acme/payments.git", "acme/payments"],
    ["https://bitbucket.example.com/scm/PROJ/payments.git", "PROJ/payments"],
    ["ssh://git@bitbucket.example.com:7999/proj/payments.git", "proj/payments"],
    ["/srv/git/payments.git", undefined],
    ["not a url", undefined],
  ])("%s → %s", (url, want) => expect(repoFullNameFromUrl(url)).toBe(want));

  it("strips credentials before a URL can be printed", () => {
    expect(safeUrl("https://x-token-auth:secret@bitbucket.org/acme/p.git")).toBe("https://bitbucket.org/acme/p.git");
  });
});
