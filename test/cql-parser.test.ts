import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Node } from "../src/rules/cql/ast.js";
import { lineColumn, tokenize, type Token } from "../src/rules/cql/lexer.js";
import { MAX_EXPRESSION_LENGTH, parseCql, type CqlSyntaxError } from "../src/rules/cql/parser.js";

/** Renders the AST as a compact S-expression so expectations stay one readable line each. */
function sexpr(node: Node): string {
  switch (node.kind) {
    case "literal":
      return typeof node.value === "string" ? JSON.stringify(node.value) : String(node.value);
    case "identifier":
      return node.name;
    case "array":
      return list("array", ...node.items.map(sexpr));
    case "member":
      return list(node.optional ? "member?" : "member", sexpr(node.object), node.property);
    case "index":
      return list("index", sexpr(node.object), sexpr(node.index));
    case "call":
      return list(
        "call",
        sexpr(node.callee),
        ...node.args.map(sexpr),
        ...node.named.map((arg) => `${arg.name}=${sexpr(arg.value)}`),
      );
    case "lambda":
      return list("lambda", `(${node.params.join(" ")})`, sexpr(node.body));
    case "unary":
      return list(node.operator, sexpr(node.operand));
    case "binary":
      return list(node.operator, sexpr(node.left), sexpr(node.right));
    case "conditional":
      return list("?", sexpr(node.test), sexpr(node.consequent), sexpr(node.alternate));
  }
}

function list(...parts: string[]): string {
  return `(${parts.join(" ")})`;
}

function parseOk(text: string): Node {
  const result = parseCql(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.error.message}`);
  return result.ast;
}

function parseError(text: string): CqlSyntaxError {
  const result = parseCql(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got: ${sexpr(result.ast)}`);
  return result.error;
}

/** Every `expression` in the shared scorecard corpus, with the tree we expect. */
const CORPUS_CASES: readonly (readonly [string, string])[] = [
  ["entity.description().length > 0", "(> (member (call (member entity description)) length) 0)"],
  ["ownership.teams().length >= 1", "(>= (member (call (member ownership teams)) length) 1)"],
  ["git != null", "(!= git null)"],
  [
    'groups().any((group) => group.name.matchesIn("ai-model:"))',
    '(call (member (call groups) any) (lambda (group) (call (member (member group name) matchesIn) "ai-model:")))',
  ],
  [
    'groups().any((group) => group.name.matchesIn("tier-"))',
    '(call (member (call groups) any) (lambda (group) (call (member (member group name) matchesIn) "tier-")))',
  ],
  [
    'verifications().lastVerifiedAt() != null and verifications().lastVerifiedAt().fromNow() > duration("P-90D")',
    "(and (!= (call (member (call verifications) lastVerifiedAt)) null) " +
      '(> (call (member (call (member (call verifications) lastVerifiedAt)) fromNow)) (call duration "P-90D")))',
  ],
  ['deploys(lookback=duration("P1Y")).length > 0', '(> (member (call deploys lookback=(call duration "P1Y")) length) 0)'],
  ['deploys(lookback=duration("P30D")).length > 0', '(> (member (call deploys lookback=(call duration "P30D")) length) 0)'],
  ['deploys(lookback=duration("P7D")).length > 0', '(> (member (call deploys lookback=(call duration "P7D")) length) 0)'],
  ['custom("testField") == "100"', '(== (call custom "testField") "100")'],
  ['custom("testField") != null', '(!= (call custom "testField") null)'],
  ['sonarqube.metric("coverage") >= 90', '(>= (call (member sonarqube metric) "coverage") 90)'],
  ['sonarqube.metric("complexity") < 4', '(< (call (member sonarqube metric) "complexity") 4)'],
  ['jq(custom("test.coverage"), ".branch") > 75', '(> (call jq (call custom "test.coverage") ".branch") 75)'],
  [
    'sonarqube.metric("duplicated_lines_density") < 10',
    '(< (call (member sonarqube metric) "duplicated_lines_density") 10)',
  ],
  ['jq(custom("test.coverage"), ".line") > 85', '(> (call jq (call custom "test.coverage") ".line") 85)'],
  ['sonarqube.metric("sqale_rating") >= 0.95', '(>= (call (member sonarqube metric) "sqale_rating") 0.95)'],
  [
    'git.numOfVulnerabilities(severity=["CRITICAL", "HIGH"]) == 0',
    '(== (call (member git numOfVulnerabilities) severity=(array "CRITICAL" "HIGH")) 0)',
  ],
  [
    'git.pullRequests().filter((pr) => pr.status == "OPEN").length <= 5',
    '(<= (member (call (member (call (member git pullRequests)) filter) (lambda (pr) (== (member pr status) "OPEN"))) length) 5)',
  ],
  ["snyk.numOfIssues() == 0", "(== (call (member snyk numOfIssues)) 0)"],
  [
    'oncall.analysis(lookback = duration("P1W")).meanSecondsToFirstAck < 300',
    '(< (member (call (member oncall analysis) lookback=(call duration "P1W")) meanSecondsToFirstAck) 300)',
  ],
  ["git.numOfVulnerabilities() == 0", "(== (call (member git numOfVulnerabilities)) 0)"],
  ["jira.numOfIssues() == 0", "(== (call (member jira numOfIssues)) 0)"],
  [
    'oncall.analysis(lookback = duration("P1W")).meanSecondsToResolve < 3600',
    '(< (member (call (member oncall analysis) lookback=(call duration "P1W")) meanSecondsToResolve) 3600)',
  ],
  ["slack != null", "(!= slack null)"],
  ['git.fileExists("README.md")', '(call (member git fileExists) "README.md")'],
  ['git.fileExists("docs")', '(call (member git fileExists) "docs")'],
  ['custom("slos") != null', '(!= (call custom "slos") null)'],
  ['git.defaultBranch().matches("master")', '(call (member (call (member git defaultBranch)) matches) "master")'],
  [
    'links("dynatrace").anyMatch("https://.*.live.dynatrace.com/.*")',
    '(call (member (call links "dynatrace") anyMatch) "https://.*.live.dynatrace.com/.*")',
  ],
  ['custom("test.coverage") != null', '(!= (call custom "test.coverage") null)'],
  [
    'semver(jq(custom("runtime_info"), ".app_version")).isStable()',
    '(call (member (call semver (call jq (call custom "runtime_info") ".app_version")) isStable))',
  ],
  ['custom("project_id") != null', '(!= (call custom "project_id") null)'],
  ["datadog.monitors().length > 0", "(> (member (call (member datadog monitors)) length) 0)"],
  ["sonarqube != null", "(!= sonarqube null)"],
  ["oncall != null", "(!= oncall null)"],
  ['entity.tag() != "abcd"', '(!= (call (member entity tag)) "abcd")'],
  ["entity.description() != null", "(!= (call (member entity description)) null)"],
  ["ownership != null", "(!= ownership null)"],
];

const GRAMMAR_CASES: readonly (readonly [string, string])[] = [
  // precedence and associativity
  ["a or b and c", "(or a (and b c))"],
  ["a and b or c", "(or (and a b) c)"],
  ["!a and b", "(and (! a) b)"],
  ["-1 + 2 * 3", "(+ (- 1) (* 2 3))"],
  ["a == b or c != d", "(or (== a b) (!= c d))"],
  ["a AND b OR c", "(or (and a b) c)"],
  ["a && b || !c", "(or (and a b) (! c))"],
  ["1 + 2 < 4 == true", "(== (< (+ 1 2) 4) true)"],
  ["a - b - c", "(- (- a b) c)"],
  ["a / b % c * d", "(* (% (/ a b) c) d)"],
  ["a < b <= c > d >= e", "(>= (> (<= (< a b) c) d) e)"],
  ["(a or b) and c", "(and (or a b) c)"],
  ["!(a and b)", "(! (and a b))"],
  ["!!a", "(! (! a))"],
  ["- -1", "(- (- 1))"],
  ["-x.y", "(- (member x y))"],
  ['!custom("x")', '(! (call custom "x"))'],
  ["a ? b : c", "(? a b c)"],
  ["a ? b : c ? d : e", "(? a b (? c d e))"],
  ["a ? b ? c : d : e", "(? a (? b c d) e)"],
  ["a or b ? 1 : 2", "(? (or a b) 1 2)"],
  ["a != null ? a.length : 0", "(? (!= a null) (member a length) 0)"],
  // postfix
  ["x?.y", "(member? x y)"],
  ["x?.y.z", "(member (member? x y) z)"],
  ["x?.y()", "(call (member? x y))"],
  ["items[0]", "(index items 0)"],
  ['custom("m")["key"].value', '(member (index (call custom "m") "key") value)'],
  ["a[b[1]]", "(index a (index b 1))"],
  ["x.length", "(member x length)"],
  ["x.null", "(member x null)"],
  ["x.and.or", "(member (member x and) or)"],
  ['(git).fileExists("x")', '(call (member git fileExists) "x")'],
  ['"abc".length', '(member "abc" length)'],
  // literals and primaries
  ["42", "42"],
  ["0.95", "0.95"],
  ["1.foo", "(member 1 foo)"],
  ["true", "true"],
  ["false", "false"],
  ["null", "null"],
  ["[]", "(array)"],
  ['[1, "two", null, true, false]', '(array 1 "two" null true false)'],
  ["[[1], [2, 3]].length", "(member (array (array 1) (array 2 3)) length)"],
  ["'single \"quoted\"'", '"single \\"quoted\\""'],
  ['"esc \\" \\\\ \\n \\t \\\' \\u00e9"', '"esc \\" \\\\ \\n \\t \' é"'],
  ["$x_1 + _y", "(+ $x_1 _y)"],
  ["(a)", "a"],
  ["((1))", "1"],
  // lambdas
  ["g => g.name", "(lambda (g) (member g name))"],
  ["() => true", "(lambda () true)"],
  ["(a, b) => a + b", "(lambda (a b) (+ a b))"],
  ["list.any(g => g.x == 1 and g.y)", "(call (member list any) (lambda (g) (and (== (member g x) 1) (member g y))))"],
  ["list.reduce((acc, x) => acc + x, 0)", "(call (member list reduce) (lambda (acc x) (+ acc x)) 0)"],
  ['x.filter((pr) => pr.status == "OPEN" ? 1 : 0)', '(call (member x filter) (lambda (pr) (? (== (member pr status) "OPEN") 1 0)))'],
  // calls and named arguments
  ["f()", "(call f)"],
  ["f(a == 1)", "(call f (== a 1))"],
  ['deploys(lookback = duration("P7D"))', '(call deploys lookback=(call duration "P7D"))'],
  ["f(1, 2, x = 3, y = [4])", "(call f 1 2 x=3 y=(array 4))"],
  ['jq(custom("x"), ".a | length") > 0', '(> (call jq (call custom "x") ".a | length") 0)'],
  // whitespace and YAML block scalars
  ["\t a \r\n == \n b ", "(== a b)"],
  [
    'custom("a") != null\n  and custom("b") != null\n',
    '(and (!= (call custom "a") null) (!= (call custom "b") null))',
  ],
];

describe("parseCql: scorecard corpus expressions", () => {
  it.each(CORPUS_CASES)("%s", (text, expected) => {
    expect(sexpr(parseOk(text))).toBe(expected);
  });

  const corpusDir = join(__dirname, "fixtures/scorecards");
  it("parses every expression found in the corpus YAML files", () => {
    const expressions = readdirSync(corpusDir)
      .filter((name) => name.endsWith(".yaml"))
      .flatMap((name) => collectExpressions(parseYaml(readFileSync(join(corpusDir, name), "utf8"))));
    expect(expressions.length).toBeGreaterThan(0);
    const covered = new Set(CORPUS_CASES.map(([text]) => text));
    for (const text of expressions) {
      expect(parseCql(text).ok, text).toBe(true);
      expect(covered.has(text), `add ${JSON.stringify(text)} to CORPUS_CASES`).toBe(true);
    }
  });
});

/** Walks parsed YAML for `expression:` string values, wherever rules are nested. */
function collectExpressions(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectExpressions);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === "expression" && typeof child === "string" ? [child] : collectExpressions(child),
  );
}

describe("parseCql: grammar", () => {
  it.each(GRAMMAR_CASES)("%j", (text, expected) => {
    expect(sexpr(parseOk(text))).toBe(expected);
  });
});

describe("parseCql: spans", () => {
  it("covers each node from its first to its last token", () => {
    const ast = parseOk('git.fileExists("README.md") and x');
    expect(ast.span).toEqual({ start: 0, end: 33 });
    if (ast.kind !== "binary" || ast.left.kind !== "call") throw new Error("unexpected shape");
    expect(ast.left.span).toEqual({ start: 0, end: 27 });
    expect(ast.left.callee.span).toEqual({ start: 0, end: 14 });
    expect(ast.left.args[0]?.span).toEqual({ start: 15, end: 26 });
    expect(ast.right.span).toEqual({ start: 32, end: 33 });
  });

  it("includes parentheses written around a node", () => {
    const ast = parseOk("(a or b) and c");
    if (ast.kind !== "binary") throw new Error("unexpected shape");
    expect(ast.left.span).toEqual({ start: 0, end: 8 });
    expect(ast.span).toEqual({ start: 0, end: 14 });
  });

  it("records named argument and lambda spans", () => {
    const ast = parseOk('f((g) => g, lookback = duration("P7D"))');
    if (ast.kind !== "call") throw new Error("unexpected shape");
    expect(ast.args[0]?.span).toEqual({ start: 2, end: 10 });
    expect(ast.named[0]?.span).toEqual({ start: 12, end: 38 });
    expect(ast.span).toEqual({ start: 0, end: 39 });
  });
});

/** [text, expected column, message fragment, expected line (default 1)] */
const ERROR_CASES: readonly (readonly [string, number, string, number?])[] = [
  ["", 1, "empty expression"],
  ["   \n ", 1, "empty expression"],
  ['git.fileExists("README.md"', 27, 'expected ")" to close the call to fileExists opened at column 15, found end of expression'],
  ['git.fileExists("README.md) and x', 16, "unterminated string starting at column 16"],
  ["a = b", 3, 'unexpected "=" — did you mean "=="?'],
  ['custom("x") = null', 13, 'did you mean "=="?'],
  ["f(a.b = 1)", 7, 'did you mean "=="?'],
  ["a and", 6, 'expected an expression after "and", found end of expression'],
  ["a or or b", 6, 'expected an expression after "or", found "or"'],
  ["(a", 3, 'expected ")" to close the "(" opened at column 1, found end of expression'],
  ["(a b) => 1", 4, 'expected ")" to close the "(" opened at column 1, found identifier "b"'],
  ["a)", 2, 'unexpected ")" at column 2: there is no "(" for it to close'],
  ["a b", 3, 'unexpected identifier "b" at column 3'],
  ['x == 1 "y"', 8, 'unexpected string "y" at column 8'],
  ["[1, 2", 6, 'expected "]" to close the array opened at column 1, found end of expression'],
  ["[1 2]", 4, 'expected "," or "]" in the array opened at column 1, found number 2'],
  ["f(1 2)", 5, 'expected "," or ")" in the call to f opened at column 2, found number 2'],
  ["f(1,)", 5, 'expected an expression after ",", found ")"'],
  ["f(,1)", 3, 'expected an expression after "(", found ","'],
  ["f(a = 1, 2)", 10, 'positional argument after named argument "a" in the call to f'],
  ["f(a = 1, a = 2)", 10, 'named argument "a" is given twice'],
  ["x.", 3, 'expected a property name after ".", found end of expression'],
  ["x.1", 3, 'expected a property name after ".", found number 1'],
  ["x?.", 4, 'expected a property name after "?.", found end of expression'],
  ["x?.[0]", 4, 'expected a property name after "?.", found "["'],
  ["a ? b", 6, 'expected ":" to complete the "? :" started at column 3, found end of expression'],
  ["a ? : b", 5, 'expected an expression after "?", found ":"'],
  ["x[]", 3, 'expected an expression after "[", found "]"'],
  ["x[1", 4, 'expected "]" to close the index opened at column 2, found end of expression'],
  ['"abc\\d"', 5, 'invalid escape "\\d" in string'],
  ['"\\u12G4"', 2, 'invalid unicode escape "\\u12G4"'],
  ['"abc\\', 5, "unterminated string"],
  ["'unterminated", 1, "unterminated string starting at column 1"],
  ["a === b", 3, '"===" is not a CQL operator — use "=="'],
  ["a !== b", 3, '"!==" is not a CQL operator — use "!="'],
  ["a & b", 3, 'did you mean "&&"'],
  ["a | b", 3, 'did you mean "||"'],
  ["a # b", 3, 'unexpected character "#"'],
  ["12abc", 1, 'invalid number "12abc"'],
  ["() + 1", 1, "empty parentheses at column 1"],
  ["(a, a) => a", 5, 'duplicate lambda parameter "a"'],
  ["(a) =>", 7, 'expected an expression after "=>", found end of expression'],
  ["f(x => )", 8, 'expected an expression after "=>", found ")"'],
  ["1 => 2", 3, 'unexpected "=>" at column 3: a lambda needs parameter names'],
  ["f()()", 4, "only a function (like custom(...)) or a method"],
  ['"abc"(1)', 6, "only a function"],
  ["and", 1, 'expected an expression, found "and"'],
  ["*a", 1, 'expected an expression, found "*"'],
  ["!", 2, 'expected an expression after "!", found end of expression'],
  ["a == b ==", 10, 'expected an expression after "==", found end of expression'],
  // Multi-line expressions (YAML block scalars) report line and column within the expression text.
  ['custom("a") != null\n  and (b', 9, 'expected ")" to close the "(" opened at line 2, column 7', 2],
  ['a ==\n  "oops', 3, "unterminated string starting at line 2, column 3", 2],
  ["a\r\nb", 1, 'unexpected identifier "b" at line 2, column 1', 2],
];

describe("parseCql: syntax errors", () => {
  // A plain loop keeps the tuple types precise (it.each would widen each position to a union).
  for (const [text, column, message, line = 1] of ERROR_CASES) {
    it(`${JSON.stringify(text)} fails at line ${line}, column ${column}`, () => {
      const error = parseError(text);
      expect(error.message).toContain(message);
      expect(error.column).toBe(column);
      expect(error.line).toBe(line);
      expect(lineColumn(text, error.offset)).toEqual({ line, column });
    });
  }

  it("rejects every invalid prefix of a valid rule with a column inside the text", () => {
    const full = 'git.fileExists("README.md") and !custom("x")';
    const validPrefixes = new Set([
      "g",
      "gi",
      "git",
      ...["f", "fi", "fil", "file", "fileE", "fileEx", "fileExi", "fileExis", "fileExist", "fileExists"].map(
        (word) => `git.${word}`,
      ),
      'git.fileExists("README.md")',
      ...["c", "cu", "cus", "cust", "custo", "custom"].map((word) => `git.fileExists("README.md") and !${word}`),
      full,
    ]);
    let invalid = 0;
    for (let length = 0; length <= full.length; length++) {
      const prefix = full.slice(0, length);
      const result = parseCql(prefix);
      expect(result.ok, JSON.stringify(prefix)).toBe(validPrefixes.has(prefix.trimEnd()));
      if (result.ok) continue;
      invalid++;
      expect(result.error.line).toBe(1);
      expect(result.error.column).toBeGreaterThanOrEqual(1);
      expect(result.error.column).toBeLessThanOrEqual(prefix.length + 1);
    }
    expect(invalid).toBeGreaterThan(20);
  });

  it("returns an error instead of throwing for a non-string input", () => {
    const result = parseCql(5 as unknown as string);
    expect(result.ok).toBe(false);
  });
});

describe("parseCql: limits", () => {
  const nested = (depth: number): string => `${"(".repeat(depth)}a${")".repeat(depth)}`;

  it("accepts reasonable nesting", () => {
    expect(sexpr(parseOk(nested(150)))).toBe("a");
    expect(parseCql(`a${" or a".repeat(300)}`).ok).toBe(true);
  });

  it.each([
    ["250 parentheses", nested(250)],
    ["a long unary chain", `${"!".repeat(5_000)}a`],
    ["unclosed arrays", "[".repeat(10_000)],
    ["nested calls", "f(".repeat(3_000)],
    ["chained conditionals", `${"a ? b : ".repeat(1_000)}c`],
    ["a long operator chain", `a${" + a".repeat(1_500)}`],
  ])("reports %s as nested too deeply", (_label, text) => {
    const error = parseError(text);
    expect(error.message).toContain("nested too deeply");
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeLessThanOrEqual(text.length + 1);
  });

  it(`rejects expressions longer than ${MAX_EXPRESSION_LENGTH} characters`, () => {
    expect(parseCql("a".repeat(MAX_EXPRESSION_LENGTH)).ok).toBe(true);
    const error = parseError("a".repeat(MAX_EXPRESSION_LENGTH + 1));
    expect(error.message).toContain("too long");
    expect(error.column).toBe(MAX_EXPRESSION_LENGTH + 1);
  });
});

describe("tokenize", () => {
  const brief = (tokens: Token[]): string[] => tokens.map((token) => `${token.kind}:${token.text}@${token.start}-${token.end}`);

  it("produces tokens with offsets and a final eof", () => {
    expect(brief(tokenize("a?.b >= 0.95 && 'x'"))).toEqual([
      "identifier:a@0-1",
      "punct:?.@1-3",
      "identifier:b@3-4",
      "operator:>=@5-7",
      "number:0.95@8-12",
      "operator:&&@13-15",
      "string:'x'@16-19",
      "eof:@19-19",
    ]);
  });

  it("decodes string escapes and keeps keywords apart from identifiers", () => {
    const [str, kw, ident] = tokenize('"a\\"b\\u0041" AND And');
    expect(str?.kind === "string" && str.value).toBe('a"bA');
    expect(kw?.kind).toBe("keyword");
    expect(ident?.kind).toBe("identifier");
  });

  it("lexes every punctuation and operator symbol", () => {
    const symbols = "( ) [ ] , . ?. ? : => = ! && || == != < <= > >= + - * / %".split(" ");
    expect(tokenize(symbols.join(" ")).map((token) => token.text)).toEqual([...symbols, ""]);
  });

  it("stops at the first lexical error", () => {
    expect(brief(tokenize('a "open b c'))).toEqual(['identifier:a@0-1', 'error:"open b c@2-11', "eof:@11-11"]);
  });
});

describe("parseCql: fuzz", () => {
  const alphabet = [
    "a", "git", "x1", "1", "0.95", '"s"', "'t'", "(", ")", "[", "]", ",", ".", "?.", "?", ":", "=>", "=",
    "!", "&&", "||", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "and", "or", "AND", "OR",
    "true", "false", "null", " ", "\n", '"', "'", "\\", "&", "#",
  ];

  /** mulberry32: a tiny seeded PRNG so a failing case is reproducible. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("never throws and always reports a column inside the text", () => {
    const next = random(20240601);
    let failures = 0;
    for (let i = 0; i < 2_000; i++) {
      const length = Math.floor(next() * 16);
      const text = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)] ?? "").join("");
      const result = parseCql(text);
      if (result.ok) continue;
      failures++;
      const { error } = result;
      expect(error.message.length, JSON.stringify(text)).toBeGreaterThan(0);
      expect(error.offset, JSON.stringify(text)).toBeGreaterThanOrEqual(0);
      expect(error.offset, JSON.stringify(text)).toBeLessThanOrEqual(text.length);
      expect(error.column, JSON.stringify(text)).toBeGreaterThanOrEqual(1);
      expect(error.column, JSON.stringify(text)).toBeLessThanOrEqual(text.length + 1);
      expect(lineColumn(text, error.offset), JSON.stringify(text)).toEqual({ line: error.line, column: error.column });
    }
    expect(failures).toBeGreaterThan(0);
  });
});
