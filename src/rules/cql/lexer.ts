/**
 * CQL lexer: turns rule expression text into tokens with 0-based [start, end) offsets.
 *
 * The lexer never throws. A lexical problem (unterminated string, bad escape, stray character) becomes a
 * single `error` token followed by `eof`, and lexing stops there: the parser only reports it when parsing
 * actually reaches that offset, so an earlier syntax error is reported first, in text order.
 */

export type Keyword = "and" | "or" | "AND" | "OR" | "true" | "false" | "null";

export type Punct = "(" | ")" | "[" | "]" | "," | "." | "?." | "?" | ":" | "=>" | "=";

export type Operator = "!" | "&&" | "||" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%";

interface TokenBase {
  readonly start: number;
  readonly end: number;
  /** The raw source slice, for messages ("found identifier \"foo\""). */
  readonly text: string;
}

export type Token =
  | (TokenBase & { readonly kind: "number"; readonly value: number })
  | (TokenBase & { readonly kind: "string"; readonly value: string })
  | (TokenBase & { readonly kind: "identifier"; readonly value: string })
  | (TokenBase & { readonly kind: "keyword"; readonly value: Keyword })
  | (TokenBase & { readonly kind: "punct"; readonly value: Punct })
  | (TokenBase & { readonly kind: "operator"; readonly value: Operator })
  | (TokenBase & { readonly kind: "error"; readonly message: string })
  | (TokenBase & { readonly kind: "eof" });

export type TokenKind = Token["kind"];

type ErrorToken = Extract<Token, { readonly kind: "error" }>;

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(["and", "or", "AND", "OR", "true", "false", "null"]);

/** Longest first, so `?.` wins over `?` and `<=` over `<`. */
const SYMBOLS: readonly { readonly text: string; readonly kind: "punct" | "operator" }[] = [
  { text: "?.", kind: "punct" },
  { text: "=>", kind: "punct" },
  { text: "&&", kind: "operator" },
  { text: "||", kind: "operator" },
  { text: "==", kind: "operator" },
  { text: "!=", kind: "operator" },
  { text: "<=", kind: "operator" },
  { text: ">=", kind: "operator" },
  { text: "(", kind: "punct" },
  { text: ")", kind: "punct" },
  { text: "[", kind: "punct" },
  { text: "]", kind: "punct" },
  { text: ",", kind: "punct" },
  { text: ".", kind: "punct" },
  { text: "?", kind: "punct" },
  { text: ":", kind: "punct" },
  { text: "=", kind: "punct" },
  { text: "!", kind: "operator" },
  { text: "<", kind: "operator" },
  { text: ">", kind: "operator" },
  { text: "+", kind: "operator" },
  { text: "-", kind: "operator" },
  { text: "*", kind: "operator" },
  { text: "/", kind: "operator" },
  { text: "%", kind: "operator" },
];

/** Operators people bring from other languages; a targeted hint beats "unexpected \"=\"". */
const MISTAKES: readonly { readonly text: string; readonly message: string }[] = [
  { text: "===", message: '"===" is not a CQL operator — use "=="' },
  { text: "!==", message: '"!==" is not a CQL operator — use "!="' },
  { text: "&", message: 'unexpected "&" — did you mean "&&" (or "and")?' },
  { text: "|", message: 'unexpected "|" — did you mean "||" (or "or")?' },
];

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "\\": "\\",
  "/": "/",
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
};

const IDENT_START = /[\p{L}_$]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;
const DIGIT = /[0-9]/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const WHITESPACE = /\s/;

export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** 1-based line and column of an offset; `\r\n`, `\n` and `\r` each end a line (YAML block scalars). */
export function lineColumn(text: string, offset: number): LineColumn {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    const ch = text[i];
    if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: clamped - lineStart + 1 };
}

/** "column 7" for one-line expressions, "line 2, column 7" once the text spans lines. */
export function describeOffset(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return /[\r\n]/.test(text) ? `line ${line}, column ${column}` : `column ${column}`;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const ch = text[pos] ?? "";
    if (WHITESPACE.test(ch)) {
      pos++;
      continue;
    }
    const token = lexOne(text, pos);
    tokens.push(token);
    if (token.kind === "error") {
      pos = text.length;
      break;
    }
    pos = token.end;
  }
  tokens.push({ kind: "eof", start: text.length, end: text.length, text: "" });
  return tokens;
}

/** Lexes the token that starts at `pos` (which is not whitespace). */
function lexOne(text: string, pos: number): Token {
  const ch = text[pos] ?? "";
  if (DIGIT.test(ch)) return lexNumber(text, pos);
  if (ch === '"' || ch === "'") return lexString(text, pos);
  if (IDENT_START.test(ch)) return lexWord(text, pos);
  return lexSymbol(text, pos);
}

function lexNumber(text: string, start: number): Token {
  let end = skipDigits(text, start);
  // A "." only belongs to the number when a digit follows: `1.foo` stays a member access on 1.
  if (text[end] === "." && DIGIT.test(text[end + 1] ?? "")) end = skipDigits(text, end + 1);
  const next = text[end] ?? "";
  if (IDENT_PART.test(next)) {
    const wordEnd = skipWhile(text, end, IDENT_PART);
    const raw = text.slice(start, wordEnd);
    return errorToken(text, start, wordEnd, `invalid number "${raw}"`);
  }
  const raw = text.slice(start, end);
  return { kind: "number", value: Number(raw), start, end, text: raw };
}

function lexWord(text: string, start: number): Token {
  const end = skipWhile(text, start, IDENT_PART);
  const word = text.slice(start, end);
  if (KEYWORDS.has(word)) return { kind: "keyword", value: word as Keyword, start, end, text: word };
  return { kind: "identifier", value: word, start, end, text: word };
}

function lexString(text: string, start: number): Token {
  const quote = text[start];
  let value = "";
  let pos = start + 1;
  while (pos < text.length) {
    const ch = text[pos] ?? "";
    if (ch === quote) {
      const end = pos + 1;
      return { kind: "string", value, start, end, text: text.slice(start, end) };
    }
    if (ch !== "\\") {
      value += ch;
      pos++;
      continue;
    }
    const escape = readEscape(text, pos);
    if (escape.kind === "error") return escape;
    value += escape.value;
    pos = escape.end;
  }
  return errorToken(text, start, text.length, `unterminated string starting at ${describeOffset(text, start)}`);
}

type Escape = { readonly kind: "ok"; readonly value: string; readonly end: number } | ErrorToken;

/** Decodes the escape whose backslash is at `pos`. */
function readEscape(text: string, pos: number): Escape {
  const next = text[pos + 1];
  if (next === undefined) {
    return errorToken(text, pos, text.length, `unterminated string: "\\" at ${describeOffset(text, pos)} escapes nothing`);
  }
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { kind: "ok", value: simple, end: pos + 2 };
  if (next === "u") {
    const hex = text.slice(pos + 2, pos + 6);
    if (HEX4.test(hex)) return { kind: "ok", value: String.fromCharCode(parseInt(hex, 16)), end: pos + 6 };
    return errorToken(text, pos, pos + 2, `invalid unicode escape "\\u${hex}" — expected 4 hex digits, e.g. "\\u00e9"`);
  }
  // Unknown escapes are rejected rather than kept: a regex like "\d" would otherwise silently change meaning.
  return errorToken(
    text,
    pos,
    pos + 2,
    `invalid escape "\\${next}" in string — write "\\\\${next}" for a literal backslash`,
  );
}

function lexSymbol(text: string, start: number): Token {
  for (const mistake of MISTAKES) {
    if (text.startsWith(mistake.text, start) && !isPartOfLongerSymbol(text, start, mistake.text)) {
      return errorToken(text, start, start + mistake.text.length, mistake.message);
    }
  }
  for (const symbol of SYMBOLS) {
    if (!text.startsWith(symbol.text, start)) continue;
    const end = start + symbol.text.length;
    return symbol.kind === "punct"
      ? { kind: "punct", value: symbol.text as Punct, start, end, text: symbol.text }
      : { kind: "operator", value: symbol.text as Operator, start, end, text: symbol.text };
  }
  const char = String.fromCodePoint(text.codePointAt(start) ?? 0);
  return errorToken(text, start, start + char.length, `unexpected character "${char}"`);
}

/** A lone `&` / `|` is a mistake, but not the first half of `&&` / `||`. */
function isPartOfLongerSymbol(text: string, start: number, mistake: string): boolean {
  return mistake.length === 1 && text[start + 1] === mistake;
}

function errorToken(text: string, start: number, end: number, message: string): ErrorToken {
  return { kind: "error", message, start, end, text: text.slice(start, end) };
}

function skipDigits(text: string, pos: number): number {
  return skipWhile(text, pos, DIGIT);
}

function skipWhile(text: string, pos: number, pattern: RegExp): number {
  let end = pos;
  while (end < text.length && pattern.test(text[end] ?? "")) end++;
  return end;
}
