import type { Severity } from "../diagnostics.js";
import { describeValue } from "../text.js";

/**
 * The tag rule (documented in docs/diagnostics.md): tags go into URL paths (`/api/v1/catalog/{tag}`), so
 *  - error: empty, not a string, a template placeholder (`$VAR`, `${VAR}`, `<SERVICE_TAG>`,
 *    `{{ name }}`), `.` or `..`, whitespace or control characters, over 255 characters
 *    (a missing tag is the schema's `SCHEMA` error, not this rule's);
 *  - warning: characters outside `A-Z a-z 0-9 . _ -` (e.g. `@scope/name`, slashes): the catalog
 *    accepts them but they must be percent-encoded and break tools that build URLs naively;
 *  - info: upper-case letters (tags are compared case-sensitively by some tools, and most
 *    catalogs write them lower-case).
 */
export interface TagProblem {
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
}

export const TAG_MAX_LENGTH = 255;

/** `$VAR`, `${VAR}`, `<SERVICE_TAG>`, `{{ name }}`: a template that was committed unrendered. */
export function isPlaceholder(value: string): boolean {
  return /\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^<>]+>|\{\{[^}]*\}\}/.test(value);
}

export function tagProblems(value: unknown): TagProblem[] {
  if (value === undefined) return [];
  if (value === null || value === "") {
    return [{ severity: "error", message: "`info.x-cortex-tag` is empty: every entity needs a tag", hint: "Give the entity a unique tag, e.g. x-cortex-tag: payments-api (lower case, digits and dashes)." }];
  }
  if (typeof value !== "string") {
    const scalar = typeof value === "number" || typeof value === "boolean";
    return [
      {
        severity: "error",
        message: `\`info.x-cortex-tag\` must be a string, found ${describeValue(value)}`,
        hint: scalar ? `Quote it, so YAML reads it as text: x-cortex-tag: "${String(value)}".` : "Write the tag as one word of text, e.g. x-cortex-tag: payments-api.",
      },
    ];
  }
  const out: TagProblem[] = [];
  const suggestion = suggestTag(value);
  const suggest = suggestion ? ` e.g. "${suggestion}".` : "";
  if (isPlaceholder(value)) {
    out.push({
      severity: "error",
      message: `\`info.x-cortex-tag\` "${value}" is an unfilled template placeholder`,
      hint: "Replace the placeholder with the entity's real tag; the catalog does not expand variables.",
    });
    return out;
  }
  if (value === "." || value === "..") {
    out.push({ severity: "error", message: `\`info.x-cortex-tag\` "${value}" is a path segment, not a name: in a URL it points at another resource`, hint: "Give the entity a real tag, e.g. payments-api." });
    return out;
  }
  if (/[\s\x00-\x1f\x7f]/.test(value)) {
    out.push({ severity: "error", message: `\`info.x-cortex-tag\` "${value}" contains whitespace`, hint: `Use "-" instead of spaces,${suggest}` });
  }
  if (value.length > TAG_MAX_LENGTH) {
    out.push({ severity: "error", message: `\`info.x-cortex-tag\` is ${value.length} characters long (limit ${TAG_MAX_LENGTH})`, hint: "Shorten the tag." });
  }
  const odd = [...new Set(value.replace(/[A-Za-z0-9._\-\s]/g, ""))];
  if (odd.length) {
    out.push({
      severity: "warning",
      message: `\`info.x-cortex-tag\` "${value}" contains ${odd.map((c) => `"${c}"`).join(", ")}, which must be percent-encoded in catalog URLs`,
      hint: `Prefer letters, digits, ".", "_" and "-",${suggest}`,
    });
  }
  if (!out.length && /[A-Z]/.test(value)) {
    out.push({ severity: "info", message: `\`info.x-cortex-tag\` "${value}" has upper-case letters`, hint: `Catalog tags are usually lower-case,${suggest}` });
  }
  return out;
}

function suggestTag(value: string): string | undefined {
  const s = value
    .toLowerCase()
    .replace(/^@/, "")
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s && s !== value ? s : undefined;
}
