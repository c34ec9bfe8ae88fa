import { diagnostic, type Diagnostic, type DiagnosticCode, type Severity } from "../diagnostics.js";
import { codeFrame } from "../yaml/frame.js";
import type { LoadedYaml } from "../yaml/load.js";
import { locate } from "../yaml/locate.js";

/**
 * A problem found by a pure check, addressed by its JSON path in the document. Checks return
 * findings; one function turns them into diagnostics with file, line, column and a code frame,
 * so no check has to know about YAML positions.
 */
export interface Finding {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  readonly path: readonly (string | number)[];
  /** Point at the key rather than its value (unknown keys, missing keys, whole blocks). */
  readonly atKey?: boolean;
}

export function toDiagnostic(yaml: LoadedYaml, f: Finding): Diagnostic {
  const p = locate(yaml.doc, yaml.lineCounter, f.path, { keyOf: f.atKey ?? false });
  return diagnostic(f.code, f.severity, f.message, {
    hint: f.hint,
    place: { file: yaml.file, line: p.line, column: p.column },
    frame: codeFrame(yaml.text, p.line, p.column),
  });
}
