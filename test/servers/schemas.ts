/**
 * Loads the schemas copied from the official OpenAPI files (test/fixtures/openapi/) into ajv.
 *
 * The fixtures stay byte-for-byte what the platforms publish (a test checks that); each server
 * module applies, in code and with a reason, the few places where the real API differs from its
 * own spec (the spec describes a response where a request is meant, a Java `@Pattern` that is
 * anchored in Java but not in JSON Schema, limits stated only in prose). This keeps "what the
 * vendor says" and "what we know beyond it" apart and reviewable.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/** A JSON Schema object as plain data (fixtures are JSON, so this is all they can hold). */
export type Schema = { [keyword: string]: unknown };

export interface SchemaFixture {
  readonly $comment: string;
  readonly source: string;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> };
}

export const FIXTURE_DIR = new URL("../fixtures/openapi/", import.meta.url);

export function loadFixture(file: string): SchemaFixture {
  return JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), "utf8")) as SchemaFixture;
}

/** A deep, mutable copy of a fixture's schemas, for a server to patch before compiling. */
export function copySchemas(fixture: SchemaFixture): Record<string, Schema> {
  return structuredClone(fixture.components.schemas) as Record<string, Schema>;
}

const compiled = new Map<string, SchemaSet>();

/** A schema set built once per `key` (compiling takes ~50–150 ms; e2e tests start many servers). */
export function cachedSchemaSet(key: string, build: () => SchemaSet): SchemaSet {
  let set = compiled.get(key);
  if (!set) compiled.set(key, (set = build()));
  return set;
}

/** One compiled set of schemas; `validator(name)` validates a value against `name`. */
export class SchemaSet {
  readonly #ajv: Ajv;
  readonly #id: string;

  constructor(id: string, schemas: Readonly<Record<string, Schema>>) {
    this.#id = id;
    // allErrors: report every problem at once, like the platforms' field lists do.
    // Strict, to catch typos in our patches; but not strictTypes: the vendors' schemas often
    // leave out `type: "object"`. Union types come from the data-value rules.
    this.#ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    addOpenApiFormats(this.#ajv);
    const defs = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, toJsonSchema(s)]));
    this.#ajv.addSchema({ $id: id, $defs: defs });
    // Compile now, so a bad patch fails the server's start rather than some later request.
    for (const name of Object.keys(defs)) this.validator(name);
  }

  validator(name: string): ValidateFunction {
    const fn = this.#ajv.getSchema(`${this.#id}#/$defs/${name}`);
    if (!fn) throw new Error(`no schema ${name} in ${this.#id}`);
    return fn;
  }
}

export interface FieldError {
  /** `data[0].value`, `[3].summary`, `title`; empty for the body itself. */
  readonly field: string;
  readonly message: string;
}

/** ajv's errors as field/message pairs, without the noise of `if`/`allOf` wrappers. */
export function fieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === "if" || e.keyword === "allOf") continue;
    let field = fieldPath(e.instancePath);
    let message = e.message ?? "is invalid";
    if (e.keyword === "required") {
      field = joinField(field, String(e.params["missingProperty"]));
      message = "is required";
    }
    if (e.keyword === "additionalProperties") {
      field = joinField(field, String(e.params["additionalProperty"]));
      message = "is not a known field";
    }
    if (e.keyword === "enum") message += `: ${(e.params["allowedValues"] as unknown[]).join(", ")}`;
    if (!out.some((o) => o.field === field && o.message === message)) out.push({ field, message });
  }
  return out;
}

function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : joinField(acc, part)), "");
}

function joinField(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

/** OpenAPI 3.0 schema → JSON Schema for ajv: refs into `$defs`, OpenAPI-only keywords dropped. */
function toJsonSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    // Annotations that mean nothing to a validator (and that strict ajv would reject).
    if (key === "discriminator" || key === "example" || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") {
      out[key] = value.replace("#/components/schemas/", "#/$defs/");
    } else if (key === "properties" && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSchema(v) ? toJsonSchema(v) : v]));
    } else if (Array.isArray(value)) {
      out[key] = value.map((v: unknown) => (isSchema(v) ? toJsonSchema(v) : v));
    } else {
      out[key] = isSchema(value) ? toJsonSchema(value) : value;
    }
  }
  return out;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `format`s the copied schemas use. ajv ships none; ajv-formats is not a dependency. */
function addOpenApiFormats(ajv: Ajv): void {
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("uri", (s: string) => URL.canParse(s));
  ajv.addFormat("date-time", (s: string) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)));
}

/** Anchors a Java `@Pattern` regex: Java matches the whole string, JSON Schema any substring. */
export function anchorPatterns(schema: Schema): void {
  const props = schema["properties"];
  if (!isSchema(props)) return;
  for (const prop of Object.values(props)) {
    if (isSchema(prop) && typeof prop["pattern"] === "string") prop["pattern"] = `^(?:${prop["pattern"]})$`;
  }
}

/** Property `name` of an object schema, for patching. */
export function prop(schema: Schema | undefined, name: string): Schema {
  const props = schema?.["properties"];
  const p = isSchema(props) ? props[name] : undefined;
  if (!isSchema(p)) throw new Error(`schema has no property ${name}`);
  return p;
}

/** The inline object schema of a `{allOf: [{$ref: object}, {...}]}` Cloud schema. */
export function allOfBody(schema: Schema | undefined): Schema {
  const parts = schema?.["allOf"];
  const body = Array.isArray(parts) ? parts.find((p: unknown) => isSchema(p) && "properties" in p) : undefined;
  if (!isSchema(body)) throw new Error("schema has no inline allOf member");
  return body;
}
