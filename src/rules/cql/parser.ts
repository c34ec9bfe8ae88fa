/**
 * CQL parser: recursive descent over the tokens from `tokenize`, producing the AST in `ast.ts`.
 *
 * Precedence, lowest first: `a ? b : c`; `or`/`OR`/`||`; `and`/`AND`/`&&`; `==` `!=`; `<` `<=` `>` `>=`;
 * `+` `-`; `*` `/` `%`; unary `!` `-`; postfix `.name` `?.name` `(...)` `[...]`; primary.
 *
 * `parseCql` never throws: internally a `SyntaxFailure` unwinds to the entry point, which turns it into the
 * `CqlSyntaxError` value. Every node's span runs from its first token to its last, including any
 * parentheses written around it.
 */
import type { BinaryOperator, Node, Span } from "./ast.js";
import { describeOffset, lineColumn, tokenize, type Token } from "./lexer.js";

export interface CqlSyntaxError {
  readonly message: string;
  /** 0-based offset into the expression text. */
  readonly offset: number;
  /** 1-based, counted within the expression text (which may span lines in a YAML block scalar). */
  readonly line: number;
  readonly column: number;
}

export type CqlParseResult = { readonly ok: true; readonly ast: Node } | { readonly ok: false; readonly error: CqlSyntaxError };

/** Longer than any hand-written rule; keeps a pasted blob from costing real time. */
export const MAX_EXPRESSION_LENGTH = 20_000;
/** Syntactic nesting (parentheses, calls, arrays, unary chains, ternaries) before we give up. */
export const MAX_NESTING_DEPTH = 200;
/**
 * Depth of the finished tree. Operator chains (`a or b or c ...`) are parsed iteratively but still produce a
 * left-deep tree, which a recursive evaluator would walk; this bounds that walk.
 */
export const MAX_TREE_DEPTH = 1_000;

/** Binary precedence levels, lowest first; each maps source spellings to the AST operator. */
const BINARY_LEVELS: readonly ReadonlyMap<string, BinaryOperator>[] = [
  new Map([
    ["or", "or"],
    ["OR", "or"],
    ["||", "or"],
  ]),
  new Map([
    ["and", "and"],
    ["AND", "and"],
    ["&&", "and"],
  ]),
  new Map([
    ["==", "=="],
    ["!=", "!="],
  ]),
  new Map([
    ["<", "<"],
    ["<=", "<="],
    [">", ">"],
    [">=", ">="],
  ]),
  new Map([
    ["+", "+"],
    ["-", "-"],
  ]),
  new Map([
    ["*", "*"],
    ["/", "/"],
    ["%", "%"],
  ]),
];

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

export function parseCql(text: string): CqlParseResult {
  // The signature says string, but rule files are YAML: `expression: 5` arrives as a number from JS callers.
  if (typeof text !== "string") return failure("", "expression must be a string", 0);
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return failure(
      text,
      `expression is too long (${text.length} characters; the limit is ${MAX_EXPRESSION_LENGTH})`,
      MAX_EXPRESSION_LENGTH,
    );
  }
  try {
    const ast = new Parser(text, tokenize(text)).parseAll();
    const tooDeep = findTooDeep(ast);
    if (tooDeep !== undefined) {
      return failure(
        text,
        `expression nested too deeply: more than ${MAX_TREE_DEPTH} levels of operators, calls and members`,
        tooDeep.span.start,
      );
    }
    return { ok: true, ast };
  } catch (error) {
    if (error instanceof SyntaxFailure) return failure(text, error.message, error.offset);
    throw error;
  }
}

function failure(text: string, message: string, offset: number): CqlParseResult {
  const { line, column } = lineColumn(text, offset);
  return { ok: false, error: { message, offset, line, column } };
}

/** What a closing bracket closes, for "expected \")\" to close the call to fileExists opened at column 15". */
interface Opener {
  readonly token: Token;
  readonly what: string;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseAll(): Node {
    if (this.peek().kind === "eof") throw new SyntaxFailure("empty expression", 0);
    const ast = this.parseExpression();
    const next = this.peek();
    if (next.kind !== "eof") this.failTrailing(next);
    return ast;
  }

  // ---- expression levels -------------------------------------------------------------------------

  /** Full expression: the conditional level. Entry point for every nested context (parens, args, bodies). */
  private parseExpression(): Node {
    return this.nested(() => this.parseConditional());
  }

  private parseConditional(): Node {
    const start = this.peek().start;
    const test = this.parseBinary(0);
    const question = this.peek();
    if (!isPunct(question, "?")) return test;
    this.advance();
    const consequent = this.parseExpression();
    this.expectPunct(":", `expected ":" to complete the "? :" started at ${this.where(question.start)}`);
    const alternate = this.parseExpression();
    return { kind: "conditional", test, consequent, alternate, span: this.spanFrom(start) };
  }

  /** Left-associative binary level `level`; iterative so long `a or b or c` chains don't recurse. */
  private parseBinary(level: number): Node {
    const operators = BINARY_LEVELS[level];
    if (operators === undefined) return this.parseUnary();
    const start = this.peek().start;
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peek();
      if (isPunct(token, "=")) throw new SyntaxFailure('unexpected "=" — did you mean "=="?', token.start);
      const operator = binaryOperatorOf(token, operators);
      if (operator === undefined) return left;
      this.advance();
      const right = this.parseBinary(level + 1);
      left = { kind: "binary", operator, left, right, span: this.spanFrom(start) };
    }
  }

  private parseUnary(): Node {
    const token = this.peek();
    if (token.kind === "operator" && (token.value === "!" || token.value === "-")) {
      const operator = token.value;
      this.advance();
      const operand = this.nested(() => this.parseUnary());
      return { kind: "unary", operator, operand, span: this.spanFrom(token.start) };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Node {
    const start = this.peek().start;
    let node = this.parsePrimary();
    for (;;) {
      const token = this.peek();
      if (isPunct(token, ".") || isPunct(token, "?.")) {
        this.advance();
        const property = this.expectPropertyName(token);
        node = { kind: "member", object: node, property, optional: token.value === "?.", span: this.spanFrom(start) };
      } else if (isPunct(token, "(")) {
        node = this.parseCall(node, start);
      } else if (isPunct(token, "[")) {
        this.advance();
        const index = this.parseExpectingExpression(token);
        this.expectClose("]", { token, what: "the index" });
        node = { kind: "index", object: node, index, span: this.spanFrom(start) };
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): Node {
    const token = this.peek();
    switch (token.kind) {
      case "number":
      case "string":
        this.advance();
        return { kind: "literal", value: token.value, span: spanOf(token) };
      case "keyword":
        if (token.value === "true" || token.value === "false" || token.value === "null") {
          this.advance();
          return { kind: "literal", value: keywordValue(token.value), span: spanOf(token) };
        }
        return this.failExpectedExpression(token);
      case "identifier":
        if (isPunct(this.peekAt(1), "=>")) return this.parseLambda([token.value], token.start, this.pos + 1);
        this.advance();
        return { kind: "identifier", name: token.value, span: spanOf(token) };
      case "punct":
        if (token.value === "(") return this.parseParenthesised(token);
        if (token.value === "[") return this.parseArray(token);
        return this.failExpectedExpression(token);
      default:
        return this.failExpectedExpression(token);
    }
  }

  // ---- compound forms ----------------------------------------------------------------------------

  /** `(` starts either a lambda's parameter list or a parenthesised expression; lookahead decides. */
  private parseParenthesised(open: Token): Node {
    const lambda = this.scanLambdaParams(this.pos);
    if (lambda !== undefined) return this.parseLambda(lambda.params, open.start, lambda.arrowIndex);
    this.advance();
    if (isPunct(this.peek(), ")")) {
      throw new SyntaxFailure(
        `empty parentheses at ${this.where(open.start)}: expected an expression, or "=>" after "()" for a lambda`,
        open.start,
      );
    }
    const inner = this.parseExpression();
    this.expectClose(")", { token: open, what: 'the "("' });
    // Widen the span to the parentheses so diagnostics underline what the author wrote.
    return { ...inner, span: this.spanFrom(open.start) };
  }

  /**
   * Parses a lambda whose parameters are already known; `arrowIndex` is the token index of `=>`.
   * The body is a full expression and extends as far right as possible, as in JavaScript.
   */
  private parseLambda(params: readonly string[], start: number, arrowIndex: number): Node {
    this.pos = arrowIndex;
    const arrow = this.advance();
    const body = this.parseExpectingExpression(arrow);
    return { kind: "lambda", params, body, span: this.spanFrom(start) };
  }

  /**
   * Looks ahead from a `(` at `index` for `()`, `(a)` or `(a, b, ...)` followed by `=>`. Never consumes and
   * never throws (it may look past an error token the parser has not reached yet).
   */
  private scanLambdaParams(index: number): { readonly params: readonly string[]; readonly arrowIndex: number } | undefined {
    const params: string[] = [];
    let i = index + 1;
    if (!isPunct(this.tokenAt(i), ")")) {
      for (;;) {
        const name = this.tokenAt(i);
        if (name.kind !== "identifier") return undefined;
        params.push(name.value);
        i++;
        if (!isPunct(this.tokenAt(i), ",")) break;
        i++;
      }
      if (!isPunct(this.tokenAt(i), ")")) return undefined;
    }
    if (!isPunct(this.tokenAt(i + 1), "=>")) return undefined;
    this.checkDistinctParams(params, index);
    return { params, arrowIndex: i + 1 };
  }

  private checkDistinctParams(params: readonly string[], openIndex: number): void {
    const seen = new Set<string>();
    let i = openIndex + 1;
    for (const param of params) {
      const token = this.tokenAt(i);
      if (seen.has(param)) throw new SyntaxFailure(`duplicate lambda parameter "${param}"`, token.start);
      seen.add(param);
      i += 2;
    }
  }

  private parseArray(open: Token): Node {
    this.advance();
    const items: Node[] = [];
    if (!isPunct(this.peek(), "]")) {
      for (;;) {
        items.push(this.parseExpectingExpression(items.length === 0 ? open : this.previous()));
        if (!this.acceptSeparator("]", { token: open, what: "the array" })) break;
      }
    }
    this.expectClose("]", { token: open, what: "the array" });
    return { kind: "array", items, span: this.spanFrom(open.start) };
  }

  private parseCall(callee: Node, start: number): Node {
    const open = this.peek();
    if (callee.kind !== "identifier" && callee.kind !== "member") {
      throw new SyntaxFailure(
        `unexpected "(" at ${this.where(open.start)}: only a function (like custom(...)) or a method (like git.fileExists(...)) can be called`,
        open.start,
      );
    }
    this.advance();
    const opener: Opener = { token: open, what: `the call to ${callee.kind === "identifier" ? callee.name : callee.property}` };
    const args: Node[] = [];
    const named: { readonly name: string; readonly value: Node; readonly span: Span }[] = [];
    if (!isPunct(this.peek(), ")")) {
      for (;;) {
        const argStart = this.peek();
        if (argStart.kind === "identifier" && isPunct(this.peekAt(1), "=")) {
          this.checkNewName(named, argStart);
          this.advance();
          const value = this.parseExpectingExpression(this.advance());
          named.push({ name: argStart.value, value, span: this.spanFrom(argStart.start) });
        } else {
          const previousNamed = named[named.length - 1];
          const value = this.parseExpectingExpression(args.length + named.length === 0 ? open : this.previous());
          if (previousNamed !== undefined) {
            throw new SyntaxFailure(
              `positional argument after named argument "${previousNamed.name}" in ${opener.what}: put positional arguments first`,
              value.span.start,
            );
          }
          args.push(value);
        }
        if (!this.acceptSeparator(")", opener)) break;
      }
    }
    this.expectClose(")", opener);
    return { kind: "call", callee, args, named, span: this.spanFrom(start) };
  }

  private checkNewName(named: readonly { readonly name: string }[], token: Token & { kind: "identifier" }): void {
    if (named.some((arg) => arg.name === token.value)) {
      throw new SyntaxFailure(`named argument "${token.value}" is given twice`, token.start);
    }
  }

  // ---- token helpers -----------------------------------------------------------------------------

  /**
   * The current token. Lexical errors surface here, i.e. only once parsing reaches them, so an earlier
   * syntax error is still reported first.
   */
  private peek(): Token {
    const token = this.tokenAt(this.pos);
    if (token.kind === "error") throw new SyntaxFailure(token.message, token.start);
    return token;
  }

  private peekAt(ahead: number): Token {
    return this.tokenAt(this.pos + ahead);
  }

  /** Raw access for lookahead; past the end is `eof` (the token list always ends with one). */
  private tokenAt(index: number): Token {
    const last = this.tokens[this.tokens.length - 1];
    const token = this.tokens[index] ?? last;
    if (token === undefined) throw new Error("tokenize() returned no eof token");
    return token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.pos++;
    return token;
  }

  /** The last consumed token; only called after at least one `advance`. */
  private previous(): Token {
    return this.tokenAt(Math.max(0, this.pos - 1));
  }

  private spanFrom(start: number): Span {
    return { start, end: this.previous().end };
  }

  private where(offset: number): string {
    return describeOffset(this.text, offset);
  }

  /** Runs `parse` one nesting level deeper; the guard turns a would-be stack overflow into a message. */
  private nested<T>(parse: () => T): T {
    if (this.depth >= MAX_NESTING_DEPTH) {
      throw new SyntaxFailure(
        `expression nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`,
        this.tokenAt(this.pos).start,
      );
    }
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** A full expression that must be present, e.g. after `=>`, `[` or `,`; `after` names what preceded it. */
  private parseExpectingExpression(after: Token): Node {
    const next = this.peek();
    if (isPunct(next, ")") || isPunct(next, "]") || isPunct(next, ",") || next.kind === "eof") {
      throw new SyntaxFailure(`expected an expression after ${quoteToken(after)}, found ${describeToken(next)}`, next.start);
    }
    return this.parseExpression();
  }

  /** After a list item: consumes "," and returns true, or returns false at the closer; anything else fails. */
  private acceptSeparator(close: ")" | "]", opener: Opener): boolean {
    const token = this.peek();
    if (isPunct(token, ",")) {
      this.advance();
      return true;
    }
    if (isPunct(token, close) || token.kind === "eof") return false;
    throw new SyntaxFailure(
      `expected "," or "${close}" in ${opener.what} opened at ${this.where(opener.token.start)}, found ${describeToken(token)}`,
      token.start,
    );
  }

  private expectClose(close: ")" | "]", opener: Opener): void {
    const token = this.peek();
    if (isPunct(token, close)) {
      this.advance();
      return;
    }
    throw new SyntaxFailure(
      `expected "${close}" to close ${opener.what} opened at ${this.where(opener.token.start)}, found ${describeToken(token)}`,
      token.start,
    );
  }

  private expectPunct(value: string, message: string): void {
    const token = this.peek();
    if (isPunct(token, value)) {
      this.advance();
      return;
    }
    throw new SyntaxFailure(`${message}, found ${describeToken(token)}`, token.start);
  }

  /** Any identifier-shaped word is a property name after `.` / `?.`, keywords included (`x.null` is legal). */
  private expectPropertyName(dot: Token): string {
    const token = this.peek();
    if (token.kind === "identifier" || token.kind === "keyword") {
      this.advance();
      return token.text;
    }
    throw new SyntaxFailure(`expected a property name after ${quoteToken(dot)}, found ${describeToken(token)}`, token.start);
  }

  private failExpectedExpression(token: Token): never {
    const message =
      this.pos === 0
        ? `expected an expression, found ${describeToken(token)}`
        : `expected an expression after ${quoteToken(this.previous())}, found ${describeToken(token)}`;
    throw new SyntaxFailure(message, token.start);
  }

  /** A complete expression followed by more input; say what is probably wrong. */
  private failTrailing(token: Token): never {
    const at = this.where(token.start);
    if (isPunct(token, "=>")) {
      throw new SyntaxFailure(`unexpected "=>" at ${at}: a lambda needs parameter names before it, e.g. (g) => g.name`, token.start);
    }
    if (isPunct(token, ")") || isPunct(token, "]")) {
      const open = token.value === ")" ? "(" : "[";
      throw new SyntaxFailure(`unexpected "${token.value}" at ${at}: there is no "${open}" for it to close`, token.start);
    }
    throw new SyntaxFailure(
      `unexpected ${describeToken(token)} at ${at}: expected an operator (like "and" or "==") or the end of the expression`,
      token.start,
    );
  }
}

// ---- pure helpers ------------------------------------------------------------------------------

function isPunct(token: Token, value: string): token is Token & { kind: "punct" } {
  return token.kind === "punct" && token.value === value;
}

function binaryOperatorOf(token: Token, operators: ReadonlyMap<string, BinaryOperator>): BinaryOperator | undefined {
  if (token.kind !== "operator" && token.kind !== "keyword") return undefined;
  return operators.get(token.value);
}

function keywordValue(keyword: "true" | "false" | "null"): boolean | null {
  if (keyword === "null") return null;
  return keyword === "true";
}

function spanOf(token: Token): Span {
  return { start: token.start, end: token.end };
}

function quoteToken(token: Token): string {
  return token.kind === "eof" ? "the start of the expression" : JSON.stringify(token.text);
}

/** "end of expression", "identifier \"foo\"", "\")\"": what the author will recognise in their rule. */
function describeToken(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of expression";
    case "identifier":
      return `identifier ${JSON.stringify(token.text)}`;
    case "number":
      return `number ${token.text}`;
    case "string":
      return `string ${truncate(token.text, 30)}`;
    default:
      return JSON.stringify(token.text);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function children(node: Node): readonly Node[] {
  switch (node.kind) {
    case "literal":
    case "identifier":
      return [];
    case "array":
      return node.items;
    case "member":
      return [node.object];
    case "index":
      return [node.object, node.index];
    case "call":
      return [node.callee, ...node.args, ...node.named.map((arg) => arg.value)];
    case "lambda":
      return [node.body];
    case "unary":
      return [node.operand];
    case "binary":
      return [node.left, node.right];
    case "conditional":
      return [node.test, node.consequent, node.alternate];
  }
}

/** Iterative, so checking a deep tree cannot itself overflow the stack. Returns the first node past the limit. */
function findTooDeep(root: Node): Node | undefined {
  const stack: { readonly node: Node; readonly depth: number }[] = [{ node: root, depth: 1 }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    if (entry.depth > MAX_TREE_DEPTH) return entry.node;
    for (const child of children(entry.node)) stack.push({ node: child, depth: entry.depth + 1 });
  }
  return undefined;
}
