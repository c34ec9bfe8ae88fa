import vm from "node:vm";

/**
 * User regexes run under a hard time bound: a catastrophic pattern like `(a+)+$` against a long
 * line becomes an error naming the rule, never a hung build. Matching runs inside a `vm` context
 * whose `timeout` lets V8 interrupt the regex engine; one context is reused for every call.
 *
 * Patterns follow Java's syntax where JavaScript differs in ways real rules hit: a leading inline
 * flag group (`(?i)`, `(?s)`, `(?m)`), `\A`, `\z`/`\Z`. `matches` is a whole-string match, like
 * Java's `String.matches`; `matchesIn` finds the pattern anywhere.
 */
export class RegexTimeout extends Error {}
export class RegexSyntax extends Error {}

export interface RegexRunner {
  test(pattern: string, input: string, whole: boolean): boolean;
}

export const REGEX_TIMEOUT_MS = 250;

export function translateJavaRegex(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = "";
  const inline = /^\(\?([imsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1] ?? "") if (f === "i" || f === "m" || f === "s") flags += f;
  }
  // Java's possessive quantifiers; escapes and character classes (`[*+]`) are not quantifiers.
  if (/[*+?}]\+/.test(source.replace(/\\[pP]\{[^}]*\}|\\./g, "").replace(/\[[^\]]*\]/g, ""))) {
    throw new RegexSyntax("possessive quantifiers (*+, ++, ?+) are not supported; use a plain quantifier");
  }
  // Unicode property classes (\p{L}) need JavaScript's `u` flag; without it `\p` means "p".
  if (/\\[pP]\{/.test(source)) flags += "u";
  // Java's anchors, independent of (?m): \A is the very start, \z the very end, \Z the end or
  // before a final line terminator.
  source = source.replace(/(?<!\\)((?:\\\\)*)\\A/g, "$1(?<![\\s\\S])").replace(/(?<!\\)((?:\\\\)*)\\z/g, "$1(?![\\s\\S])").replace(/(?<!\\)((?:\\\\)*)\\Z/g, "$1(?=(?:\\r?\\n)?(?![\\s\\S]))");
  return { source, flags };
}

export function makeRegexRunner(timeoutMs = REGEX_TIMEOUT_MS): RegexRunner {
  const context = vm.createContext(Object.create(null) as object);
  const script = new vm.Script("__result = new RegExp(__source, __flags).test(__input)");
  const compiled = new Map<string, { source: string; flags: string }>();
  return {
    test(pattern, input, whole) {
      const key = `${whole ? 1 : 0}${pattern}`;
      let re = compiled.get(key);
      if (!re) {
        const t = translateJavaRegex(pattern);
        try {
          new RegExp(t.source, t.flags);
        } catch (e) {
          throw new RegexSyntax(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`);
        }
        // Whole-string like Java's String.matches, with anchors that `(?m)` cannot turn into
        // line anchors (`^…$` would let "a\nb".matches("(?m)a") hold).
        re = whole ? { source: `(?<![\\s\\S])(?:${t.source})(?![\\s\\S])`, flags: t.flags } : t;
        compiled.set(key, re);
      }
      const ctx = context as Record<string, unknown>;
      ctx.__source = re.source;
      ctx.__flags = re.flags;
      ctx.__input = input;
      try {
        script.runInContext(context, { timeout: timeoutMs });
      } catch (e) {
        if ((e as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
          throw new RegexTimeout(`regular expression ${JSON.stringify(pattern)} took longer than ${timeoutMs} ms on ${input.length} characters (catastrophic backtracking?)`);
        }
        throw e;
      } finally {
        ctx.__input = undefined;
      }
      return ctx.__result === true;
    },
  };
}
