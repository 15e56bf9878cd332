/**
 * `lockstep disclose CASE --out DIR [--threshold 5000]`: the transparency archive of a case
 * (users and tweets CSV in the Information Operations layout, keyed HMAC pseudonyms for accounts
 * under the follower threshold, a README). Refuses to run without LOCKSTEP_DISCLOSURE_KEY.
 * `lockstep disclose reach CASE`: the unique followers and engagement of the case's entities.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { parseDisclosureKey } from '../../report/keyed-hash.js';
import { caseNotFound } from '../../cases/errors.js';
import { badOption } from '../../model/index.js';
import type { ReachPeriod } from '../../report/reach.js';
import { readAttribution } from './share.js';
import type { CliIo } from '../io.js';

// The report, reach and store modules load when a command runs, not with every command; so the
// help's period list is spelled here, checked against the ReachPeriod type (every period, no other).
const PERIODS: Record<ReachPeriod, true> = { day: true, week: true, month: true, year: true };
const REACH_PERIODS = Object.keys(PERIODS) as ReachPeriod[];

interface DiscloseFlags { db: string; out: string; threshold: string; name?: string }
interface ReachFlags { db: string; period: string; json?: boolean }
interface ReportFlags { db: string; out: string; pdf: boolean; producer: string; attribution?: string; threshold: string; chromium: string }

export function registerDisclose(program: Command, config: Config, io: CliIo): void {
  program.command('disclose')
    .description('Write the transparency archive of a case (Information Operations layout, keyed HMAC pseudonyms under the follower threshold; needs LOCKSTEP_DISCLOSURE_KEY)')
    .argument('<case>', 'case id')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .requiredOption('--out <dir>', 'directory to write the archive into')
    .option('--threshold <n>', 'accounts with fewer followers (or an unknown count) are pseudonymised', '5000')
    .option('--name <name>', 'file name prefix (default lockstep_CASE)')
    .action(async (caseId: string, flags: DiscloseFlags) => {
      const threshold = Number(flags.threshold);
      if (!Number.isInteger(threshold) || threshold < 0) throw badOption('--threshold', `"${flags.threshold}" is not a whole number of followers`);
      const key = parseDisclosureKey(config.disclosureKey);
      const [{ discloseCase }, { withCaseStore }] = await Promise.all([import('../../report/disclose-case.js'), import('../with-case-store.js')]);
      const result = await withCaseStore(flags.db, (store, workspace) =>
        discloseCase(store.connection, workspace, caseId, flags.out, key, { threshold, ...(flags.name === undefined ? {} : { name: flags.name }) }));
      io.out(`wrote ${result.files.join(', ')}: ${result.stats.accounts} accounts (${result.stats.hashedAccounts} under ${threshold} followers pseudonymised with HMAC-SHA256), ${result.stats.tweets} posts`);
    });

  program.command('reach')
    .description('Reach of a case\'s entities: unique accounts that followed or joined any of them (a union, not a sum), engagement, by period')
    .argument('<case>', 'case id')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--period <period>', `one of ${REACH_PERIODS.join(', ')}`, 'month')
    .option('--json', 'print one JSON object')
    .action(async (caseId: string, flags: ReachFlags) => {
      if (!(REACH_PERIODS as readonly string[]).includes(flags.period)) throw badOption('--period', `"${flags.period}" is not one of ${REACH_PERIODS.join(', ')}`);
      const [{ reach }, { withCaseStore }] = await Promise.all([import('../../report/reach.js'), import('../with-case-store.js')]);
      const report = await withCaseStore(flags.db, async (store, workspace) => {
        if (await workspace.getCase(caseId) === null) throw caseNotFound(`case ${caseId}`);
        return reach(store.connection, await workspace.caseEntities(caseId), { period: flags.period as ReachPeriod });
      });
      if (flags.json === true) {
        io.out(JSON.stringify(report));
        return;
      }
      io.out(`${report.entities} entities reached ${report.uniqueFollowers} unique followers/members (the per-entity counts sum to ${report.summedFollowers}); ${report.engagement.total} engagements by ${report.engagement.uniqueEngagers} accounts`);
      for (const period of report.byPeriod) io.out(`  ${period.period}  new followers ${String(period.newFollowers).padStart(8)}  engagements ${String(period.engagements).padStart(8)}`);
      if (report.followersWithoutTime > 0) io.out(`  (${report.followersWithoutTime} followers without a follow time are in the total, in no period)`);
    });

  program.command('report')
    .description('Write the public disclosure report of a case: report.html, and report.pdf + report.png rendered by headless Chromium')
    .argument('<case>', 'case id')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--no-pdf', 'write the HTML only')
    .option('--producer <name>', 'who discloses', 'lockstep')
    .option('--attribution <file>', 'JSON of the analyst\'s attribution {"actor","statement","confidence"}')
    .option('--threshold <n>', 'sample posts name only accounts with at least this many followers', '5000')
    .option('--chromium <path>', 'Chromium binary', '/usr/bin/chromium')
    .action(async (caseId: string, flags: ReportFlags) => {
      const threshold = Number(flags.threshold);
      if (!Number.isInteger(threshold) || threshold < 0) throw badOption('--threshold', `"${flags.threshold}" is not a whole number of followers`);
      const attribution = await readAttribution(flags.attribution);
      const [{ loadReportData }, { reportHtml }, { renderReport }, { withCaseStore }] = await Promise.all([
        import('../../report/report-data.js'), import('../../report/report-html.js'), import('../../report/report-pdf.js'), import('../with-case-store.js'),
      ]);
      const html = reportHtml(await withCaseStore(flags.db, (store, workspace) =>
        loadReportData(store.connection, workspace, caseId, { producer: flags.producer, attribution, threshold })));
      await mkdir(flags.out, { recursive: true });
      await writeFile(join(flags.out, 'report.html'), html);
      io.out(`wrote ${join(flags.out, 'report.html')}`);
      if (!flags.pdf) return;
      const rendered = await renderReport(html, { pdf: join(flags.out, 'report.pdf'), screenshot: join(flags.out, 'report.png'), executablePath: flags.chromium });
      io.out(`wrote ${join(flags.out, 'report.pdf')} (${rendered.pdfBytes} bytes) and ${join(flags.out, 'report.png')}`);
    });
}
