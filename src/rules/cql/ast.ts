/**
 * The CQL syntax tree. Every node carries the offset range it came from in the expression text
 * (0-based, end exclusive) so diagnostics and failure messages can point back into the rule.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type BinaryOperator =
  | "or"
  | "and"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

export type Node =
  | { readonly kind: "literal"; readonly value: string | number | boolean | null; readonly span: Span }
  | { readonly kind: "identifier"; readonly name: string; readonly span: Span }
  | { readonly kind: "array"; readonly items: readonly Node[]; readonly span: Span }
  | {
      readonly kind: "member";
      readonly object: Node;
      readonly property: string;
      /** `a?.b`: null-safe navigation (Groovy style, accepted by the catalog). */
      readonly optional: boolean;
      readonly span: Span;
    }
  | { readonly kind: "index"; readonly object: Node; readonly index: Node; readonly span: Span }
  | {
      readonly kind: "call";
      /** An identifier (`custom(...)`) or a member (`git.fileExists(...)`). */
      readonly callee: Node;
      readonly args: readonly Node[];
      /** `deploys(lookback = duration("P7D"))`: named arguments, in source order. */
      readonly named: readonly { readonly name: string; readonly value: Node; readonly span: Span }[];
      readonly span: Span;
    }
  | { readonly kind: "lambda"; readonly params: readonly string[]; readonly body: Node; readonly span: Span }
  | { readonly kind: "unary"; readonly operator: "!" | "-"; readonly operand: Node; readonly span: Span }
  | {
      readonly kind: "binary";
      readonly operator: BinaryOperator;
      readonly left: Node;
      readonly right: Node;
      readonly span: Span;
    }
  | {
      readonly kind: "conditional";
      readonly test: Node;
      readonly consequent: Node;
      readonly alternate: Node;
      readonly span: Span;
    };

export type NodeKind = Node["kind"];
