import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmDescriptor } from "../src/descriptor/confirm.js";
import { validateDescriptor } from "../src/descriptor/validate.js";
import type { Diagnostic } from "../src/diagnostics.js";
import { readYamlFile } from "../src/entities.js";
import { memoryTree, type MemoryFile } from "../src/sources/memory-tree.js";
import { makeTree } from "../src/sources/tree.js";
import { loadYaml } from "../src/yaml/load.js";
import { descriptorYaml } from "./helpers/fixtures.js";
import { BUNDLE, cleanup, makeOrigin, makeRepo, pipelinesClone, runBundle } from "./helpers/repo.js";

/**
 * Edge cases of the descriptor, each with the message users see. Most run through the pure
 * pipeline (loadYaml → validateDescriptor → confirmDescriptor); the ones that need git (sizes
 * from the tree, the default branch vs this commit, monorepos) run through the built bundle.
 */
interface Options {
  readonly repository?: string | null;
  readonly aliases?: readonly string[];
  /** Files on the default branch besides cortex.yaml. */
  readonly onDefault?: Readonly<Record<string, MemoryFile>>;
  /** Files only in this commit. */
  readonly onHead?: Readonly<Record<string, MemoryFile>>;
  readonly file?: string;
}

function check(content: string | Buffer, o: Options = {}): Diagnostic[] {
  const file = o.file ?? "cortex.yaml";
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const y = loadYaml(file, bytes);
  if (!y.loaded) return y.diagnostics;
  const v = validateDescriptor(y.loaded);
  if (!v.descriptor) return [...y.diagnostics, ...v.diagnostics];
  const repository = o.repository === null ? undefined : { fullName: o.repository ?? "acme/payments", source: "BITBUCKET_REPO_FULL_NAME" };
  const aliases = o.aliases ? { names: o.aliases, source: "ALIASES" } : undefined;
  const onDefault = { [file]: bytes, ...o.onDefault };
  const ctx = { repository, aliases, defaultTree: memoryTree(onDefault, "main"), headTree: memoryTree({ ...onDefault, ...o.onHead }) };
  return [...y.diagnostics, ...v.diagnostics, ...confirmDescriptor(v.descriptor, ctx)];
}

const heads = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.line ?? "-"}:${d.column ?? "-"} ${d.severity} ${d.code}`);
const only = (ds: readonly Diagnostic[], code: string) => {
  const found = ds.filter((d) => d.code === code);
  expect(found, `${code} in ${JSON.stringify(heads(ds))}`).toHaveLength(1);
  return found[0]!;
};

const VALID = descriptorYaml();
/** descriptorYaml() with a tag that has a space, on line 4 from column 17. */
const BAD_TAG = descriptorYaml().replace("x-cortex-tag: payments", "x-cortex-tag: pay ments");

describe("YAML edge cases", () => {
  it("a valid descriptor has no diagnostics at all", () => {
    expect(heads(check(VALID))).toEqual([]);
  });

  it("tabs used for indentation: one syntax error at the tab, not its echoes", () => {
    const ds = check("openapi: 3.0.1\ninfo:\n\ttitle: payments\n  x-cortex-tag: payments\n");
    expect(heads(ds)).toEqual(["3:1 error YAML_SYNTAX"]);
    expect(ds[0]).toMatchObject({ message: "a tab is used for indentation; YAML allows only spaces there", hint: expect.stringContaining("spaces") });
  });

  it("a tab inside a value is fine", () => {
    expect(heads(check(VALID.replace("title: payments", "title:\tpayments")))).toEqual([]);
  });

  it("a UTF-8 byte-order mark is skipped and does not shift columns", () => {
    const ds = check(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BAD_TAG)]));
    expect(heads(ds)).toEqual(["4:17 error TAG_INVALID"]);
  });

  it.each([
    ["utf-16le", "little-endian", Buffer.from([0xff, 0xfe])],
    ["utf-16be", "big-endian", Buffer.from([0xfe, 0xff])],
  ] as const)("%s with a BOM is read, with a warning to re-save as UTF-8", (encoding, words, bom) => {
    const body = Buffer.from(BAD_TAG, "utf16le");
    if (encoding === "utf-16be") body.swap16();
    const ds = check(Buffer.concat([bom, body]));
    expect(heads(ds)).toEqual(["1:1 warning ENCODING", "4:17 error TAG_INVALID"]);
    expect(ds[0]!.message).toBe(`cortex.yaml is UTF-16 ${words}; it was read, but catalog YAML is expected in UTF-8`);
    expect(ds[0]!.hint).toContain("iconv");
  });

  it("UTF-16 without a BOM is binary: an ENCODING error that says how to fix it", () => {
    const ds = check(Buffer.from(VALID, "utf16le"));
    expect(heads(ds)).toEqual(["1:1 error ENCODING"]);
    expect(ds[0]!.message).toContain("binary file");
    expect(ds[0]!.hint).toContain("byte-order mark");
  });

  it("invalid UTF-8 is a warning at the first bad byte", () => {
    const ds = check(Buffer.concat([Buffer.from(VALID), Buffer.from("  description: caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    expect(heads(ds)).toEqual(["12:19 warning ENCODING"]);
    expect(ds[0]!.hint).toContain("Latin-1");
  });

  it("CRLF line ends give the same places as LF, and no \\r in values", () => {
    const lf = check(BAD_TAG);
    const crlf = check(BAD_TAG.replace(/\n/g, "\r\n"));
    expect(heads(crlf)).toEqual(heads(lf));
    expect(crlf[0]!.message).toBe('`info.x-cortex-tag` "pay ments" contains whitespace');
    expect(crlf[0]!.frame).not.toContain("\r");
  });

  it("multiple documents: a warning at the second, and the first is validated", () => {
    const ds = check(`${BAD_TAG}---\nother: document\n`);
    expect(heads(ds)).toEqual(["12:1 warning YAML_MULTIPLE_DOCUMENTS", "4:17 error TAG_INVALID"]);
    expect(ds[0]!.message).toBe("cortex.yaml holds 2 YAML documents; only the first is read and the rest are ignored");
  });

  it("an explicit start and end marker is still one document", () => {
    expect(heads(check(`---\n${VALID}...\n`))).toEqual([]);
  });

  it.each([
    ["", "cortex.yaml is empty: there is nothing to read"],
    ["# only a comment\n\n", "cortex.yaml holds only comments: there is nothing to read"],
    ["~\n", "cortex.yaml is empty, not a catalog descriptor"],
    ["hello\n", "cortex.yaml is a single string, not a catalog descriptor"],
    ["42\n", "cortex.yaml is a single number, not a catalog descriptor"],
    ["- a\n- b\n", "cortex.yaml is a list, not a catalog descriptor"],
  ])("%j is NOT_A_DESCRIPTOR: %s", (text, message) => {
    const ds = check(text);
    expect(heads(ds)).toEqual(["1:1 error NOT_A_DESCRIPTOR"]);
    expect(ds[0]).toMatchObject({ message, hint: expect.stringContaining("x-cortex-tag") });
  });

  it("another tool's config that shares the name is NOT_A_DESCRIPTOR naming its keys", () => {
    const ds = check("storage:\n  directory: ./storage\nsqlite:\n  path: x.db\n");
    expect(only(ds, "NOT_A_DESCRIPTOR").message).toContain("top-level keys: storage, sqlite");
  });

  it("a duplicate key is reported at the second occurrence, naming the first", () => {
    const ds = check(`${VALID}  x-cortex-type: library\n`);
    expect(heads(ds)).toEqual(["12:3 error YAML_DUPLICATE_KEY"]);
    expect(ds[0]!.message).toBe('duplicate key "x-cortex-type": it is already defined at line 5, column 3');
  });

  it("an unclosed quote is reported where the string starts, not at the end of the file", () => {
    const ds = check('openapi: 3.0.1\ninfo:\n  title: "payments\n  x-cortex-tag: payments\n');
    expect(heads(ds)).toEqual(["3:10 error YAML_SYNTAX"]);
    expect(ds[0]!.message).toBe('the "quoted" string that starts here is never closed');
  });

  it("an alias with no anchor is a syntax error at the alias", () => {
    const ds = check("openapi: 3.0.1\ninfo:\n  title: t\n  x-cortex-tag: *tag\n");
    expect(heads(ds)).toEqual(["4:17 error YAML_SYNTAX"]);
    expect(ds[0]!.message).toBe("alias *tag refers to no anchor &tag defined before it");
  });

  it("an alias inside its own anchor (a cycle) is refused, not expanded forever", () => {
    const ds = check("openapi: 3.0.1\ninfo: &i\n  title: t\n  x-cortex-tag: t\n  self: *i\n");
    expect(heads(ds)).toEqual(["5:9 error YAML_SYNTAX"]);
    expect(ds[0]!.message).toContain("would contain itself");
  });

  it("anchors, aliases and << merge keys within the limits work", () => {
    const text = "openapi: 3.0.1\nx-defaults: &d\n  x-cortex-type: service\ninfo:\n  <<: *d\n  title: payments\n  x-cortex-tag: payments\n  x-cortex-git:\n    bitbucket:\n      repository: acme/payments\n";
    expect(heads(check(text))).toEqual([]);
  });

  it("a list used as a key is refused, and nothing is printed to stderr", () => {
    const ds = check("openapi: 3.0.1\ninfo:\n  title: t\n  x-cortex-tag: t\n  ? [a, b]\n  : c\n");
    expect(heads(ds)).toEqual(["5:5 error YAML_SYNTAX"]);
  });

  it("deep block nesting is YAML_LIMIT at the level that crosses the limit", () => {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\n  x-cortex-tag: t\n  x-cortex-custom-metadata:\n";
    for (let i = 0; i < 80; i++) text += `${"  ".repeat(i + 2)}k${i}:\n`;
    text += `${"  ".repeat(82)}v\n`;
    const ds = check(text);
    expect(heads(ds)).toEqual(["69:131 error YAML_LIMIT"]);
    expect(ds[0]!.message).toBe("cortex.yaml nests more than 64 levels deep here; it was not read further");
  });

  it("a flow-nesting bomb ([[[[… 400,000 deep) is refused before parsing, quickly", () => {
    const started = Date.now();
    const ds = check(`openapi: 3.0.1\ninfo: ${"[".repeat(400_000)}\n`);
    expect(heads(ds)).toEqual([expect.stringMatching(/^2:\d+ error YAML_LIMIT$/)]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("an alias bomb (billion laughs) is YAML_LIMIT at the first alias", () => {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\n  x-cortex-tag: t\n  x-cortex-custom-metadata:\n    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    let prev = "a";
    for (const n of "bcdefghi") {
      text += `    ${n}: &${n} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
      prev = n;
    }
    const started = Date.now();
    const ds = check(text);
    expect(heads(ds)).toEqual(["7:12 error YAML_LIMIT"]);
    expect(ds[0]!.message).toContain("expand to more than 100 copies");
    expect(ds[0]!.hint).toContain("billion laughs");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a file over 1 MiB is refused from its size in the tree, without reading the blob", async () => {
    const entry = { path: "cortex.yaml", mode: "100644", type: "blob" as const, oid: "a".repeat(40), size: 1_200_000 };
    const tree = makeTree("this commit", "0".repeat(40), [entry], () => Promise.reject(new Error("the blob must not be read")));
    const y = await readYamlFile(tree, "cortex.yaml");
    expect(y.loaded).toBeUndefined();
    expect(y.diagnostics).toEqual([
      expect.objectContaining({ code: "YAML_LIMIT", severity: "error", file: "cortex.yaml", message: "cortex.yaml is 1.1 MiB, over the 1.0 MiB limit for catalog YAML; it was not read" }),
    ]);
  });
});

describe("keys", () => {
  it("an unknown x-cortex key is a warning with did-you-mean", () => {
    const ds = check(`${VALID}  x-cortex-onwers:\n    - type: GROUP\n      name: x\n`);
    expect(heads(ds)).toEqual(["12:3 warning UNKNOWN_KEY"]);
    expect(ds[0]).toMatchObject({
      message: 'unknown catalog key "x-cortex-onwers" in info (the catalog ignores it); did you mean "x-cortex-owners"?',
      hint: 'Rename "x-cortex-onwers" to "x-cortex-owners".',
    });
  });

  it("an unrelated unknown x-cortex key gets no far-fetched suggestion", () => {
    const ds = check(`${VALID}  x-cortex-frobnicator: {}\n`);
    expect(only(ds, "UNKNOWN_KEY").message).not.toContain("did you mean");
  });

  it("a catalog key at the top level belongs under info", () => {
    const ds = check(`${VALID}x-cortex-groups: [a]\n`);
    expect(heads(ds)).toEqual(["12:1 warning UNKNOWN_KEY"]);
    expect(ds[0]!.message).toContain("catalog keys belong under info");
  });

  it("XXinfo instead of info: one error, at the look-alike", () => {
    const ds = check("openapi: 3.0.0\nXXinfo:\n  title: t\n  x-cortex-tag: t\n");
    expect(heads(ds)).toEqual(["2:1 error SCHEMA"]);
    expect(ds[0]).toMatchObject({ message: '`info` is required; found "XXinfo" instead', hint: 'Rename "XXinfo" to "info".' });
  });

  it("an extra info look-alike next to info is a warning", () => {
    const ds = check(`${VALID}XXinfo:\n  title: old\n`);
    expect(heads(ds)).toEqual(["12:1 warning UNKNOWN_KEY"]);
  });

  it("a misspelt required key points at the misspelling", () => {
    const ds = check(VALID.replace("repository:", "repo:"));
    expect(heads(ds)).toEqual(["11:7 error SCHEMA"]);
    expect(ds[0]).toMatchObject({ message: '`info.x-cortex-git.bitbucket.repository` is required; found "repo" instead', hint: 'Rename "repo" to "repository".' });
  });

  it("a misspelt provider is UNKNOWN_KEY with did-you-mean, and no second complaint about a missing block", () => {
    const ds = check(VALID.replace("bitbucket:", "bitbuckett:"));
    expect(heads(ds)).toEqual(["10:5 error UNKNOWN_KEY"]);
    expect(ds[0]!.message).toBe('`info.x-cortex-git` has an unknown key "bitbuckett"; did you mean "bitbucket"?');
  });

  it("an empty required value points at its key", () => {
    const ds = check(VALID.replace("title: payments", "title:"));
    expect(heads(ds)).toEqual(["3:3 error SCHEMA"]);
    expect(ds[0]!.message).toBe("`info.title` is empty; it must be a string");
  });

  it("basePath is a warning and is read as basepath", () => {
    const ds = check(descriptorYaml({ basepath: "services/payments" }).replace("basepath:", "basePath:"), { onDefault: { "services/payments/index.ts": "x" } });
    expect(heads(ds)).toEqual(["12:7 warning DEPRECATED_KEY"]);
    expect(ds[0]!.message).toBe("`basePath` is read as `basepath`");
    const y = loadYaml("cortex.yaml", Buffer.from(descriptorYaml({ basepath: "./services/payments/" }).replace("basepath:", "basePath:")));
    expect(validateDescriptor(y.loaded!).descriptor!.git).toMatchObject({ basepath: "services/payments", basepathKey: "basePath" });
  });

  it("a missing openapi line is a warning", () => {
    const ds = check(VALID.replace("openapi: 3.0.1\n", ""));
    expect(heads(ds)).toEqual(["1:1 warning SCHEMA"]);
    expect(ds[0]!.hint).toBe("Add `openapi: 3.0.1` as the first line.");
  });

  it("links need name, type and url; dependency method and path go together", () => {
    const ds = check(`${VALID}  x-cortex-link:\n    - url: https://x\n  x-cortex-dependency:\n    - tag: billing\n      method: GET\n`);
    expect(ds.map((d) => d.message)).toEqual([
      "`info.x-cortex-link[0].name` is required",
      "`info.x-cortex-link[0].type` is required",
      "`info.x-cortex-dependency[0]` has `method` but not `path`; they go together",
    ]);
    expect(heads(ds)).toEqual(["13:7 error SCHEMA", "13:7 error SCHEMA", "15:7 error SCHEMA"]);
  });
});

describe("the tag rule", () => {
  it.each([
    ['""', "error", "`info.x-cortex-tag` is empty: every entity needs a tag"],
    ["$SERVICE_NAME", "error", '`info.x-cortex-tag` "$SERVICE_NAME" is an unfilled template placeholder'],
    ["<SERVICE_TAG>", "error", '`info.x-cortex-tag` "<SERVICE_TAG>" is an unfilled template placeholder'],
    ['"{{ name }}"', "error", '`info.x-cortex-tag` "{{ name }}" is an unfilled template placeholder'],
    ["new test10", "error", '`info.x-cortex-tag` "new test10" contains whitespace'],
    ['".."', "error", '`info.x-cortex-tag` ".." is a path segment, not a name: in a URL it points at another resource'],
    ["12345", "error", "`info.x-cortex-tag` must be a string, found number 12345"],
    [`${"a".repeat(256)}`, "error", "`info.x-cortex-tag` is 256 characters long (limit 255)"],
    ["'@scope/name'", "warning", '`info.x-cortex-tag` "@scope/name" contains "@", "/", which must be percent-encoded in catalog URLs'],
    ["kienan/with/slashes", "warning", '`info.x-cortex-tag` "kienan/with/slashes" contains "/", which must be percent-encoded in catalog URLs'],
    ["Payments", "info", '`info.x-cortex-tag` "Payments" has upper-case letters'],
  ])("x-cortex-tag: %s → %s", (tag, severity, message) => {
    const ds = check(VALID.replace("x-cortex-tag: payments", `x-cortex-tag: ${tag}`));
    const d = only(ds, "TAG_INVALID");
    expect(d).toMatchObject({ severity, message, line: 4, hint: expect.any(String) });
  });

  it("a missing tag is the schema's error", () => {
    const ds = check(VALID.replace("  x-cortex-tag: payments\n", ""));
    expect(heads(ds)).toEqual(["2:1 error SCHEMA"]);
    expect(ds[0]!.message).toBe("`info.x-cortex-tag` is required");
  });
});

describe("confirmation against the repository", () => {
  it("a github provider is PROVIDER_MISMATCH: this pipe is for Bitbucket", () => {
    const ds = check(VALID.replace("bitbucket:", "github:"));
    const d = only(ds, "PROVIDER_MISMATCH");
    expect(d).toMatchObject({ severity: "error", line: 10, column: 5, message: expect.stringContaining("this repository is on Bitbucket but the descriptor names github") });
    expect(d.hint).toContain("repository: acme/payments");
  });

  it("no x-cortex-git block is a warning with the block to add", () => {
    const ds = check("openapi: 3.0.1\ninfo:\n  title: t\n  x-cortex-tag: t\n");
    expect(heads(ds)).toEqual(["2:1 warning PROVIDER_MISMATCH"]);
    expect(ds[0]!.hint).toContain("bitbucket:\n      repository: acme/payments");
  });

  it.each([
    ["acme/billing", '`repository` is "acme/billing" but this repository is "acme/payments" (from BITBUCKET_REPO_FULL_NAME)'],
    ["payments", '`repository` "payments" has no workspace part; this repository is "acme/payments" (from BITBUCKET_REPO_FULL_NAME)'],
    ["billing", '`repository` "billing" has no workspace part, and "billing" is not this repository\'s name either; this repository is "acme/payments" (from BITBUCKET_REPO_FULL_NAME)'],
    ["https://bitbucket.org/acme/payments.git", '`repository` "https://bitbucket.org/acme/payments.git" is a URL; the catalog expects workspace/repo, and this repository is "acme/payments"'],
    ["$REPO", '`repository` "$REPO" is an unfilled template placeholder; this repository is "acme/payments"'],
  ])("repository: %s → REPOSITORY_MISMATCH", (value, message) => {
    const ds = check(descriptorYaml({ repository: value }));
    expect(heads(ds)).toEqual(["11:19 error REPOSITORY_MISMATCH"]);
    expect(ds[0]).toMatchObject({ message, hint: expect.stringContaining("acme/payments") });
  });

  it.each(["Acme/Payments", "ACME/payments", "acme/payments.git", " acme/payments "])("repository %j is the same repository (slugs compare case-insensitively)", (value) => {
    expect(heads(check(descriptorYaml({ repository: JSON.stringify(value) })))).toEqual([]);
  });

  it("without a known repository, an info that it was not confirmed", () => {
    const ds = check(VALID, { repository: null });
    expect(heads(ds)).toEqual(["11:19 info REPOSITORY_UNCONFIRMED"]);
    expect(ds[0]!.hint).toContain("BITBUCKET_REPO_FULL_NAME");
  });

  it("ALIASES: an unknown alias is an error with did-you-mean; a known one passes", () => {
    const ds = check(descriptorYaml({ alias: "acme-clod" }), { aliases: ["acme-cloud", "acme-dc"] });
    expect(heads(ds)).toEqual(["12:14 error ALIAS_UNKNOWN"]);
    expect(ds[0]).toMatchObject({
      message: '`alias` "acme-clod" is not a configured account alias; did you mean "acme-cloud"? (configured: acme-cloud, acme-dc, from ALIASES)',
      hint: "Set alias: acme-cloud",
    });
    expect(heads(check(descriptorYaml({ alias: "acme-dc" }), { aliases: ["acme-cloud", "acme-dc"] }))).toEqual([]);
    expect(check(descriptorYaml({ alias: "zzz" }), { aliases: ["acme-cloud"] })[0]!.hint).toContain("remove `alias`");
  });

  it("without ALIASES, an alias is an info that it could not be confirmed", () => {
    const ds = check(descriptorYaml({ alias: "acme-cloud" }));
    expect(heads(ds)).toEqual(["12:14 info ALIAS_UNCONFIRMED"]);
    expect(ds[0]!.message).toContain("could not be confirmed");
  });
});

describe("basepath", () => {
  const withBase = (basepath: string) => descriptorYaml({ basepath });
  const tree = { "services/payments/index.ts": "x", "services/billing/index.ts": "x", "README.md": "x" };

  it("an existing directory on the default branch passes", () => {
    expect(heads(check(withBase("services/payments"), { onDefault: tree }))).toEqual([]);
  });

  it.each([
    ["/services/payments", '`basepath` "/services/payments" is absolute; it must be relative to the repository root', "Write basepath: services/payments"],
    ["services/../../etc", '`basepath` "services/../../etc" contains "..": it would leave the repository', expect.stringContaining("without")],
    ["services/*", '`basepath` "services/*" contains glob characters; it names exactly one directory', expect.any(String)],
  ])("%s is BASEPATH_INVALID", (value, message, hint) => {
    const ds = check(withBase(value), { onDefault: tree });
    expect(heads(ds)).toEqual(["12:17 error BASEPATH_INVALID"]);
    expect(ds[0]).toMatchObject({ message, hint });
  });

  it("basepath . is the repository root, with nothing to say", () => {
    expect(heads(check(withBase("."), { onDefault: tree }))).toEqual([]);
  });

  it("a basepath written loosely is read normalised, with an info", () => {
    const ds = check(withBase("./services/payments/"), { onDefault: tree });
    expect(heads(ds)).toEqual(["12:17 info BASEPATH_INVALID"]);
    expect(ds[0]!.message).toBe('`basepath` "./services/payments/" is read as "services/payments"');
  });

  it("missing on the default branch but present in this commit is a warning", () => {
    const ds = check(withBase("services/new"), { onDefault: tree, onHead: { "services/new/index.ts": "x" } });
    expect(heads(ds)).toEqual(["12:17 warning BASEPATH_MISSING"]);
    expect(ds[0]!.message).toBe('`basepath` "services/new" does not exist on main yet, only in this commit: the catalog will find it once this is merged');
  });

  it("missing in both is an error with the nearest directory", () => {
    const ds = check(withBase("services/payment"), { onDefault: tree });
    expect(heads(ds)).toEqual(["12:17 error BASEPATH_MISSING"]);
    expect(ds[0]).toMatchObject({ message: '`basepath` "services/payment" is not a directory on main or in this commit; did you mean "services/payments"?', hint: "Set basepath: services/payments" });
  });

  it("missing in both, with a directory of that name elsewhere, suggests it", () => {
    const ds = check(withBase("payments"), { onDefault: tree });
    expect(only(ds, "BASEPATH_MISSING").hint).toBe("Set basepath: services/payments");
  });

  it("missing in both with nothing similar says where to point it", () => {
    const ds = check(withBase("frontend"), { onDefault: tree });
    expect(only(ds, "BASEPATH_MISSING").hint).toContain("Point basepath at the directory");
  });

  it("a case-only difference is BASEPATH_SPELLING", () => {
    const ds = check(withBase("Services/Payments"), { onDefault: tree });
    expect(heads(ds)).toEqual(["12:17 error BASEPATH_SPELLING"]);
    expect(ds[0]).toMatchObject({ message: expect.stringContaining('"services/payments" does: paths are case-sensitive'), hint: "Set basepath: services/payments" });
  });

  it("a file instead of a directory is BASEPATH_INVALID", () => {
    const ds = check(withBase("README.md"), { onDefault: tree });
    expect(heads(ds)).toEqual(["12:17 error BASEPATH_INVALID"]);
    expect(ds[0]!.message).toBe('`basepath` "README.md" is a file on main, not a directory');
  });

  it("a descriptor outside its own basepath is a warning", () => {
    const ds = check(withBase("services/payments"), { onDefault: { ...tree, "docs/cortex.yaml": "x" }, file: "docs/cortex.yaml" });
    expect(heads(ds)).toEqual(["12:17 warning DESCRIPTOR_OUTSIDE_BASEPATH"]);
    expect(ds[0]!.file).toBe("docs/cortex.yaml");
  });
});

describe("through the bundle, on real repositories", () => {
  beforeAll(() => {
    if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
  });
  afterAll(cleanup);
  const ENV = { BITBUCKET_REPO_FULL_NAME: "acme/payments", CODE_INSIGHTS: "false" };
  const own = (run: ReturnType<typeof runBundle>, file = "cortex.yaml") => run.report!.diagnostics.filter((d) => d.file === file);

  it("a descriptor over 1 MiB is YAML_LIMIT from the tree's size, exit 1", () => {
    const big = `${VALID}${"# padding padding padding padding padding padding padding padding\n".repeat(18_000)}`;
    const run = runBundle(makeRepo({ "cortex.yaml": big }), ENV);
    expect(run.code).toBe(1);
    expect(own(run)).toEqual([expect.objectContaining({ code: "YAML_LIMIT", severity: "error", message: expect.stringMatching(/^cortex\.yaml is 1\.1 MiB, over the 1\.0 MiB limit/) })]);
  });

  it("UTF-16 and CRLF files committed to git are read with correct places", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BAD_TAG, "utf16le")]);
    const run = runBundle(makeRepo({ "cortex.yaml": utf16, "b/cortex.yaml": BAD_TAG.replace("pay ments", "bill ing").replace(/\n/g, "\r\n") }), { ...ENV, DESCRIPTOR: "cortex.yaml,b/cortex.yaml" });
    expect(heads(own(run))).toEqual(["4:17 error TAG_INVALID", "1:1 warning ENCODING"]);
    expect(heads(own(run, "b/cortex.yaml"))).toEqual(["4:17 error TAG_INVALID"]);
  });

  it("basepath missing on the default branch but added by this commit is a warning, in a Pipelines clone", () => {
    const origin = makeOrigin({ "cortex.yaml": VALID }, { "cortex.yaml": descriptorYaml({ basepath: "services/new" }), "services/new/index.ts": "x" });
    const run = runBundle(pipelinesClone(origin.bare, "feature/x"), { ...ENV, BITBUCKET_BRANCH: "feature/x" });
    expect(run.code).toBe(0);
    const d = own(run).find((x) => x.code === "BASEPATH_MISSING")!;
    expect(d).toMatchObject({ severity: "warning", line: 12, column: 17 });
    expect(d.message).toContain("does not exist on main yet, only in this commit");
  });

  it("basepath present on the default branch but deleted by this commit is a warning", () => {
    const origin = makeOrigin({ "cortex.yaml": descriptorYaml({ basepath: "services/old" }), "services/old/index.ts": "x" }, { "services/old": null });
    const run = runBundle(pipelinesClone(origin.bare, "feature/x"), ENV);
    const d = own(run).find((x) => x.code === "BASEPATH_MISSING")!;
    expect(d).toMatchObject({ severity: "warning", line: 12, message: expect.stringContaining("is a directory on main but not in this commit") });
  });

  it("monorepo: two descriptors through a DESCRIPTOR glob are two valid entities", () => {
    const repo = makeRepo({
      "services/payments/cortex.yaml": descriptorYaml({ tag: "payments", basepath: "services/payments" }),
      "services/billing/cortex.yaml": descriptorYaml({ tag: "billing", basepath: "services/billing" }),
      "services/billing/notes.yaml2": "not: matched",
    });
    const run = runBundle(repo, { ...ENV, DESCRIPTOR: "services/*/cortex.yaml" });
    expect(run.code).toBe(0);
    expect(run.report!.entities.map((e) => [e.tag, e.descriptor, e.basepath, e.valid])).toEqual([
      ["billing", "services/billing/cortex.yaml", "services/billing", true],
      ["payments", "services/payments/cortex.yaml", "services/payments", true],
    ]);
    expect(run.report!.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("monorepo: a duplicate tag is an error at the second descriptor's tag; overlapping basepaths warn", () => {
    const repo = makeRepo({
      "services/a/cortex.yaml": descriptorYaml({ tag: "payments", basepath: "services" }),
      "services/b/cortex.yaml": descriptorYaml({ tag: "payments", basepath: "services/b" }),
    });
    const run = runBundle(repo, { ...ENV, DESCRIPTOR: "services/**/cortex.yaml" });
    expect(run.code).toBe(1);
    const dup = run.report!.diagnostics.find((d) => d.code === "DUPLICATE_TAG")!;
    expect(dup).toMatchObject({ severity: "error", file: "services/b/cortex.yaml", line: 4, column: 17, message: expect.stringContaining("services/a/cortex.yaml") });
    const overlap = run.report!.diagnostics.find((d) => d.code === "BASEPATH_OVERLAP")!;
    expect(overlap).toMatchObject({ severity: "warning", file: "services/b/cortex.yaml", message: expect.stringContaining('overlaps basepath "services"') });
  });

  it("REPOSITORY_MISMATCH without the workspace part, and case-insensitive slug equality, in one run", () => {
    const repo = makeRepo({
      "a/cortex.yaml": descriptorYaml({ tag: "a", repository: "Acme/Payments" }),
      "b/cortex.yaml": descriptorYaml({ tag: "b", repository: "payments" }),
    });
    const run = runBundle(repo, { ...ENV, DESCRIPTOR: "a/cortex.yaml,b/cortex.yaml" });
    expect(own(run, "a/cortex.yaml")).toEqual([]);
    expect(own(run, "b/cortex.yaml")).toEqual([
      expect.objectContaining({ code: "REPOSITORY_MISMATCH", line: 11, column: 19, message: expect.stringContaining('"payments" has no workspace part; this repository is "acme/payments"') }),
    ]);
    expect(run.stdout).toContain("b/cortex.yaml:11:19 error REPOSITORY_MISMATCH");
  });

  it("the voytekgar/test1 layout: cortex.yaml beside cortex.yml, and a nested descriptor", () => {
    const repo = makeRepo({
      "cortex.yaml": readFixture("voytekgar__test1__cortex.yaml"),
      "cortex.yml": readFixture("voytekgar__test1__cortex.yml.yaml"),
      "ble/cortex.yaml": readFixture("voytekgar__test1__ble_cortex.yaml"),
    });
    const byDefault = runBundle(repo, { ...ENV, BITBUCKET_REPO_FULL_NAME: "voytekgar/test1" });
    expect(byDefault.report!.diagnostics).toContainEqual(expect.objectContaining({ code: "DESCRIPTOR_AMBIGUOUS", file: "cortex.yml" }));
    expect(heads(own(byDefault))).toEqual(["2:1 error SCHEMA"]);
    const all = runBundle(repo, { ...ENV, BITBUCKET_REPO_FULL_NAME: "voytekgar/test1", DESCRIPTOR: "**/cortex.y*ml" });
    expect(all.report!.entities.map((e) => [e.descriptor, e.valid])).toEqual([
      ["ble/cortex.yaml", false],
      ["cortex.yaml", false],
      ["cortex.yml", false],
    ]);
    expect(heads(own(all, "cortex.yml"))).toEqual(["3:3 error SCHEMA", "7:5 error PROVIDER_MISMATCH"]);
  });
});

function readFixture(name: string): Buffer {
  return readFileSync(path.join(__dirname, "fixtures/descriptors", name));
}
