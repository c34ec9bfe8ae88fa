/**
 * The yaml library's error codes → plain words and the usual fix. Its own messages are correct
 * but speak parser ("Implicit keys need to be on a single line"); users need to know what to
 * change in the file.
 */
export interface PlainYamlError {
  readonly message: string;
  readonly hint: string;
}

const BY_CODE: Readonly<Record<string, PlainYamlError>> = {
  TAB_AS_INDENT: {
    message: "a tab is used for indentation; YAML allows only spaces there",
    hint: "Replace the tab characters at the start of this line with spaces.",
  },
  BAD_INDENT: {
    message: "this line is not indented like the lines around it",
    hint: "Align the key with the other keys of the same block (same number of spaces), or close an open [ or { above.",
  },
  BLOCK_AS_IMPLICIT_KEY: {
    message: "a value here runs on into something that looks like another key",
    hint: 'Put the nested key on its own line, indented under its parent, or quote the value if it contains ": ".',
  },
  MULTILINE_IMPLICIT_KEY: {
    message: 'a key runs over more than one line: a ":" is missing or a line is indented too far',
    hint: 'Write "key: value" on one line, and indent the next key exactly like this one.',
  },
  BLOCK_IN_FLOW: {
    message: "an indented block is inside [ ] or { }",
    hint: "Use either the [a, b] / {k: v} form or indented lines, not both, or close the bracket first.",
  },
  UNEXPECTED_TOKEN: {
    message: "unexpected character for YAML here",
    hint: "Remove it, or quote the value that contains it.",
  },
  BAD_ALIAS: {
    message: "an alias (*name) is not valid here",
    hint: "Aliases refer to an anchor (&name) defined earlier in the file; check the spelling or quote the value.",
  },
  BAD_DIRECTIVE: {
    message: "unknown % directive",
    hint: "Remove the line; catalog YAML needs no directives.",
  },
  TAG_RESOLVE_FAILED: {
    message: "unknown YAML tag (!name); the value is read as plain text",
    hint: "Remove the !tag, or quote the value if the ! is part of it.",
  },
  BAD_SCALAR_START: {
    message: "a value cannot start with this character unquoted",
    hint: "Quote the value.",
  },
  KEY_OVER_1024_CHARS: {
    message: "a key is longer than 1024 characters",
    hint: "Shorten the key; if this is a value, it is missing the key before it.",
  },
};

/** MISSING_CHAR covers several different slips; the library's message tells them apart. */
const MISSING: readonly (readonly [RegExp, PlainYamlError])[] = [
  [/map keys need to be followed by map values/, { message: 'this line has no ":": YAML reads it as a key without a value', hint: 'Write "key: value", or indent the line to continue the value above it.' }],
  [/Sequence item without - indicator/, { message: 'a list item here is missing its "- "', hint: 'Start each list item with "- ", aligned with the other items.' }],
  [/Missing , between flow/, { message: "two items inside [ ] or { } have no comma between them", hint: 'Separate the items with ", ", or quote a value that contains spaces.' }],
  [/directives-end/, { message: 'a "%" directive line must be followed by a "---" line', hint: 'Add "---" after the directive, or delete the directive.' }],
];

/** A plain message and hint for a yaml error or warning; unknown codes keep the library's words. */
export function plainYamlError(code: string, libraryMessage: string): PlainYamlError {
  const known = BY_CODE[code];
  if (code === "MISSING_CHAR" && /quote/.test(libraryMessage)) {
    const q = libraryMessage.includes("'") ? "'" : '"';
    return { message: `the ${q}quoted${q} string that starts here is never closed`, hint: `Add the closing ${q} at the end of the value, or remove the opening one.` };
  }
  const missing = code === "MISSING_CHAR" ? MISSING.find(([re]) => re.test(libraryMessage)) : undefined;
  if (missing) return missing[1];
  const token = /: "(.{1,20})"$/.exec(firstLine(libraryMessage))?.[1];
  if (code === "UNEXPECTED_TOKEN" && token) return { message: `unexpected "${token}" here`, hint: "Remove it, or quote the value that contains it; check the indentation of this line." };
  if (code === "UNEXPECTED_TOKEN" && /scalar at node end/.test(libraryMessage)) {
    return { message: "more text follows a complete value on this line", hint: 'Quote the whole value, or put what follows on its own line as "key: value".' };
  }
  if (code === "BAD_SCALAR_START") {
    const c = /character (.)$/.exec(firstLine(libraryMessage))?.[1];
    if (c) return { message: `a value cannot start with "${c}" unless it is quoted`, hint: `Quote the value: "${c}…".` };
  }
  if (known) return known;
  return {
    message: firstLine(libraryMessage),
    hint: "Fix the YAML at this place; an editor with YAML support shows such problems as you type.",
  };
}

/** The library appends its own position and a code frame; ours are printed instead. */
function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "");
}
