/**
 * `lockstep share export CASE --out FILE`: a case's indicators for another platform (STIX 2.1
 * bundle, validated before it is written, or the ThreatExchange-shaped CSV/JSON).
 * `lockstep share import BUNDLE`: a partner's bundle matched against the store; a case opened on
 * the matches.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { badOption, LockstepError, unreadableInput } from '../../model/index.js';
import type { Attribution } from '../../share/case-export.js';
import type { Tlp } from '../../share/stix.js';
import type { CliIo } from '../io.js';

// The STIX, ThreatExchange, schema and store modules load when a share command runs, not with every
// command; so the help's TLP list is spelled here, checked against the Tlp type (every level, no other).
const TLP_LEVELS: Record<Tlp, true> = { white: true, green: true, amber: true, red: true };
const TLPS = Object.keys(TLP_LEVELS) as Tlp[];

const EXPORT_FORMATS = ['stix', 'threatexchange-csv', 'threatexchange-json'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadableInput(file, error instanceof Error ? error.message : String(error), error);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw unreadableInput(file, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** The analyst's attribution from a JSON file (null without one). */
export async function readAttribution(file: string | undefined): Promise<Attribution | null> {
  if (file === undefined) return null;
  const { z } = await import('zod');
  const attributionSchema = z.object({
    actor: z.string().min(1), statement: z.string().min(1), confidence: z.number().min(0).max(100), actorTypes: z.array(z.string()).optional(),
  });
  const parsed = attributionSchema.safeParse(await readJsonFile(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badOption('--attribution', `${file}: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'} (expected {"actor", "statement", "confidence": 0..100, "actorTypes"?: [..]})`);
  }
  return parsed.data;
}

function number(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw badOption(option, `"${text}" is not a number in [${min}, ${max}]`);
  return value;
}


interface ExportFlags { db: string; out: string; format: string; tlp: string; producer: string; attribution?: string; container: string; minEntities?: string }
interface ImportFlags { db: string; out?: string; minStrength?: string; as: string }

export function registerShare(program: Command, config: Config, io: CliIo): void {
  const share = program.command('share').description('Share a case with other platforms (STIX 2.1, ThreatExchange-shaped) and match their indicators');
  share.command('export <case>')
    .description('Write a case as a STIX 2.1 bundle (validated against the shipped schemas) or ThreatExchange-shaped rows')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .requiredOption('--out <file>', 'file to write')
    .option('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`, 'stix')
    .option('--tlp <level>', `TLP marking: ${TLPS.join(', ')}`, 'amber')
    .option('--producer <name>', 'the sharing organisation (identity in the bundle)', 'lockstep')
    .option('--attribution <file>', 'JSON of the analyst\'s attribution {"actor","statement","confidence","actorTypes"}; without it no threat-actor is named')
    .option('--container <type>', 'intrusion-set or campaign', 'intrusion-set')
    .option('--min-entities <n>', 'an object is an indicator when at least this many of the case\'s entities carried it (default 2)')
    .action(async (caseId: string, flags: ExportFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) throw badOption('--format', `"${flags.format}" is not one of ${EXPORT_FORMATS.join(', ')}`);
      if (!(TLPS as readonly string[]).includes(flags.tlp)) throw badOption('--tlp', `"${flags.tlp}" is not one of ${TLPS.join(', ')}`);
      if (flags.container !== 'intrusion-set' && flags.container !== 'campaign') throw badOption('--container', `"${flags.container}" is not intrusion-set or campaign`);
      const container = flags.container;
      const format = flags.format as ExportFormat;
      const tlp = flags.tlp as Tlp;
      const attribution = await readAttribution(flags.attribution);
      const minEntities = number('--min-entities', flags.minEntities, 2, 1, 1_000_000);
      const [{ loadCaseExport }, { caseToStix }, { validateStixBundle }, { caseToThreatExchange, threatExchangeCsv }, { withCaseStore }] = await Promise.all([
        import('../../share/load-case.js'), import('../../share/stix.js'), import('../../share/stix-validate.js'), import('../../share/threatexchange.js'), import('../with-case-store.js'),
      ]);
      const input = await withCaseStore(flags.db, (store, workspace) => loadCaseExport(store.connection, workspace, caseId, { attribution, minEntities }));
      if (format === 'stix') {
        const bundle = caseToStix(input, { tlp, producer: flags.producer, container });
        const validation = validateStixBundle(bundle);
        if (!validation.valid) {
          throw new LockstepError('case/bad-request', `the bundle for case ${caseId} does not validate against the STIX 2.1 schemas: ${validation.problems.slice(0, 5).map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`);
        }
        await writeFile(flags.out, `${JSON.stringify(bundle, null, 2)}\n`);
        const count = (type: string): number => bundle.objects.filter((object) => object.type === type).length;
        io.out(`wrote ${flags.out}: STIX 2.1 bundle ${bundle.id}, ${bundle.objects.length} objects (${count('user-account')} accounts, ${count('indicator')} indicators, ${count('infrastructure')} infrastructure, ${count('attack-pattern')} DISARM techniques, TLP:${tlp.toUpperCase()}); valid against the STIX 2.1 schemas`);
        return;
      }
      const rows = caseToThreatExchange(input, { tlp });
      await writeFile(flags.out, format === 'threatexchange-csv' ? threatExchangeCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`);
      io.out(`wrote ${flags.out}: ${rows.length} ThreatExchange-shaped indicators`);
    });

  share.command('import <bundle>')
    .description('Match a partner\'s STIX 2.1 indicators against the store and open a case on what matched')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--out <file>', 'also write the match report as JSON')
    .option('--min-strength <x>', 'leave out entities whose combined match strength is below this (0..1, default 0)')
    .option('--as <name>', 'who imports (recorded in the audit log)', 'share-import')
    .action(async (file: string, flags: ImportFlags) => {
      const minStrength = number('--min-strength', flags.minStrength, 0, 0, 1);
      const bundle = await readJsonFile(file);
      const [{ importBundle }, { withCaseStore }] = await Promise.all([import('../../share/import-bundle.js'), import('../with-case-store.js')]);
      const report = await withCaseStore(flags.db, (store, workspace) => importBundle(store.connection, workspace, bundle, { minStrength, actor: flags.as }));
      if (flags.out !== undefined) await writeFile(flags.out, `${JSON.stringify(report, null, 2)}\n`);
      io.out(`${file}: ${report.terms} indicator terms from ${report.objects} objects; ${report.notUnderstood.length} not understood; ${report.matched.length} local entities matched`);
      for (const entity of report.matched.slice(0, 20)) {
        io.out(`  ${entity.kind} ${entity.platform}:${entity.id} strength ${entity.strength.toFixed(2)}: ${entity.reasons.map((reason) => reason.how).join('; ')}`);
      }
      if (report.matched.length > 20) io.out(`  ... and ${report.matched.length - 20} more${flags.out === undefined ? ' (--out FILE writes them all)' : ` (all in ${flags.out})`}`);
      for (const problem of report.notUnderstood.slice(0, 5)) io.err(`not matched: ${problem.source}: ${problem.reason}`);
      io.out(report.caseId === null ? 'no case opened (nothing matched)' : `opened case ${report.caseId}`);
    });
}
