import type { Node } from "./cql/ast.js";
import type { CqlSyntaxError } from "./cql/parser.js";

export interface Level {
  readonly name: string;
  readonly rank: number;
}

export interface EntityFilter {
  readonly typesInclude?: readonly string[];
  readonly typesExclude?: readonly string[];
  readonly groupsInclude?: readonly string[];
  readonly groupsExclude?: readonly string[];
  /** A CQL query the entity must satisfy, parsed. */
  readonly query?: ParsedExpression;
}

export interface ParsedExpression {
  readonly text: string;
  readonly ast: Node | undefined;
  readonly error: CqlSyntaxError | undefined;
  /** Where the expression's text starts in the file (line 1-based), for pointing into it. */
  readonly line: number;
  readonly column: number;
  /** Where a syntax error is in the file, whatever the scalar's style (quoted, folded, block). */
  readonly errorPlace?: { readonly line: number; readonly column: number };
}

export interface Rule {
  readonly identifier: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly expression: ParsedExpression;
  readonly weight: number;
  readonly level: string | undefined;
  readonly failureMessage: string | undefined;
  readonly effectiveFrom: Date | undefined;
  readonly filter: EntityFilter | undefined;
  /** Line of the rule in its scorecard file, for annotations. */
  readonly line: number;
}

export interface Scorecard {
  readonly tag: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly draft: boolean;
  readonly levels: readonly Level[];
  readonly rules: readonly Rule[];
  readonly filter: EntityFilter | undefined;
  /** Repository path of the file, or `catalog:<tag>` when fetched from the API. */
  readonly source: string;
}
