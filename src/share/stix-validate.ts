/**
 * Validation of STIX 2.1 bundles against the JSON schemas shipped in schemas/stix2.1 (JSON Schema
 * 2020-12, ajv), plus the rules the specification states in prose: time order, and references
 * that point at objects in the bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** schemas/stix2.1 of the repository (or of the installed package): two levels up from src/share or dist/share. */
export const STIX_SCHEMA_DIR = fileURLToPath(new URL('../../schemas/stix2.1/', import.meta.url));
const BUNDLE_SCHEMA_ID = 'https://lockstep.invalid/schemas/stix2.1/common/bundle.json';

export interface StixProblem { path: string; message: string }
export interface StixValidation { valid: boolean; problems: StixProblem[] }

let compiled: ValidateFunction | null = null;

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return schemaFiles(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

// ajv-formats is CommonJS with `export default`: under NodeNext the callable is the module's default.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats));

function bundleValidator(): ValidateFunction {
  if (compiled !== null) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const file of schemaFiles(STIX_SCHEMA_DIR)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  const validate = ajv.getSchema(BUNDLE_SCHEMA_ID);
  if (validate === undefined) throw new Error(`the STIX bundle schema is missing from ${STIX_SCHEMA_DIR}`);
  compiled = validate;
  return validate;
}

const REF_KEYS = ['created_by_ref', 'source_ref', 'target_ref'] as const;

function proseRules(bundle: unknown): StixProblem[] {
  const problems: StixProblem[] = [];
  if (bundle === null || typeof bundle !== 'object') return problems;
  const objects = (bundle as { objects?: unknown }).objects;
  if (!Array.isArray(objects)) return problems;
  const ids = new Set<string>();
  for (const object of objects as Record<string, unknown>[]) if (typeof object['id'] === 'string') ids.add(object['id']);
  const order = (object: Record<string, unknown>, path: string, early: string, late: string, strict: boolean): void => {
    const from = object[early];
    const to = object[late];
    if (typeof from !== 'string' || typeof to !== 'string') return;
    if (strict ? Date.parse(to) <= Date.parse(from) : Date.parse(to) < Date.parse(from)) problems.push({ path, message: `${late} must be ${strict ? 'later than' : 'no earlier than'} ${early}` });
  };
  (objects as Record<string, unknown>[]).forEach((object, index) => {
    const path = `/objects/${index}`;
    order(object, path, 'created', 'modified', false);
    order(object, path, 'first_seen', 'last_seen', false);
    order(object, path, 'valid_from', 'valid_until', true);
    order(object, path, 'start_time', 'stop_time', true);
    for (const key of REF_KEYS) {
      const ref = object[key];
      if (typeof ref === 'string' && !ids.has(ref)) problems.push({ path: `${path}/${key}`, message: `refers to ${ref}, which is not in the bundle` });
    }
    const markings = object['object_marking_refs'];
    if (Array.isArray(markings)) {
      for (const ref of markings) if (typeof ref === 'string' && !ids.has(ref)) problems.push({ path: `${path}/object_marking_refs`, message: `refers to ${ref}, which is not in the bundle` });
    }
  });
  if (ids.size !== objects.length) problems.push({ path: '/objects', message: 'two objects share an id' });
  return problems;
}

/**
 * Checks a bundle against the shipped STIX 2.1 schemas and the spec's prose rules.
 * @example const { valid, problems } = validateStixBundle(caseToStix(input));
 */
export function validateStixBundle(bundle: unknown): StixValidation {
  const validate = bundleValidator();
  const schemaOk = validate(bundle) === true;
  const problems: StixProblem[] = schemaOk ? [] : (validate.errors ?? []).map((error) => ({ path: error.instancePath || '/', message: error.message ?? error.keyword }));
  problems.push(...proseRules(bundle));
  return { valid: problems.length === 0, problems };
}
