/**
 * Text from the repository (rule titles, failure messages) and from servers (error bodies) is
 * printed to a terminal and to Markdown. Control characters could rewrite the screen (ANSI
 * escapes) or forge lines (`\nresult: PASSED`), so they are made visible instead.
 */
export function terminalSafe(text: string, keepNewlines = false): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\r?\n/g, keepNewlines ? "\n" : " ↵ ")
    .replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** One Markdown table cell: no control characters, no HTML, no row breaks. */
export function markdownCell(text: string): string {
  return terminalSafe(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|");
}
