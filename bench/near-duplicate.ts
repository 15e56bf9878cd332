// Near-duplicate trace throughput: run with `node --import tsx bench/near-duplicate.ts [--texts N] [--seed S]`.
// --repeat R reports the best of R runs.
// Input: N short posts, half English and half Chinese; 40% are copies of 2,000 copypasta families
// (half verbatim, half with small edits: a word or character changed, an emoji, a hashtag, a new
// t.co link, an `RT @x:` prefix, punctuation), 60% are unique texts from random words or
// characters. Prints texts/s, peak RSS, the trace's stats, and how well families were recovered
// (share of edited copies grouped with their family's original; unique texts wrongly grouped).
import { resourceUsage } from 'node:process';
import { nearDuplicateTrace } from '../src/detect/traces/near-duplicate.js';
import { mulberry32 } from '../src/model/index.js';


function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const total = arg('--texts', 1_000_000);
const rand = mulberry32(arg('--seed', 7));
const int = (n: number): number => Math.floor(rand() * n);

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'po', 'de', 'an', 'el', 'in', 'or', 'us', 'ba', 'ce', 'fi', 'go', 'hu'];
const VOCABULARY = Array.from({ length: 8_000 }, () => Array.from({ length: 1 + int(3) }, () => SYLLABLES[int(SYLLABLES.length)]).join(''));
const EMOJI = ['🙏', '😂', '❤️', '🇭🇰', '👍', '🔥'];
const HAN_BASE = 0x4e00;

function englishText(words: number): string[] {
  return Array.from({ length: words }, () => VOCABULARY[int(VOCABULARY.length)]!);
}

function chineseText(chars: number): string[] {
  // Common-range Han characters with a comma now and then.
  return Array.from({ length: chars }, (_, i) => (i > 0 && i % 9 === 0 ? '，' : String.fromCodePoint(HAN_BASE + int(3_000))));
}

function render(tokens: string[], lang: 'en' | 'zh'): string {
  return lang === 'en' ? tokens.join(' ') : tokens.join('');
}

/** A copy of a family's tokens with one small edit. */
function edited(tokens: string[], lang: 'en' | 'zh'): string {
  const copy = tokens.slice();
  switch (int(6)) {
    case 0:
      copy[int(copy.length)] = lang === 'en' ? VOCABULARY[int(VOCABULARY.length)]! : String.fromCodePoint(HAN_BASE + int(3_000));
      return render(copy, lang);
    case 1: return `${render(copy, lang)} ${EMOJI[int(EMOJI.length)]!}`;
    case 2: return `${render(copy, lang)} ${lang === 'en' ? '#StandWithHK' : '#香港#'}`;
    case 3: return `${render(copy, lang)}https://t.co/${int(1e9).toString(36)}`;
    case 4: return `RT @user${int(1e5)}: ${render(copy, lang)}`;
    default: return `${render(copy, lang)}!!!`;
  }
}

const FAMILIES = 2_000;
const families = Array.from({ length: FAMILIES }, (_, f) => {
  const lang: 'en' | 'zh' = f % 2 === 0 ? 'en' : 'zh';
  return { lang, tokens: lang === 'en' ? englishText(30 + int(20)) : chineseText(30 + int(60)) };
});

const text: string[] = new Array<string>(total);
const family = new Int32Array(total).fill(-1);
const editedCopy = new Uint8Array(total);
for (let i = 0; i < total; i++) {
  if (i < FAMILIES) {
    family[i] = i;
    text[i] = render(families[i]!.tokens, families[i]!.lang);
  } else if (rand() < 0.4) {
    const f = int(FAMILIES);
    family[i] = f;
    const { tokens, lang } = families[f]!;
    if (rand() < 0.5) {
      text[i] = render(tokens, lang);
    } else {
      editedCopy[i] = 1;
      text[i] = edited(tokens, lang);
    }
  } else {
    text[i] = rand() < 0.5 ? render(englishText(8 + int(20)), 'en') : render(chineseText(12 + int(50)), 'zh');
  }
}
const actorCount = Math.max(1, Math.floor(total / 20));
const actor = Int32Array.from({ length: total }, () => int(actorCount));
const t0 = Date.UTC(2019, 7, 1);
const time = Float64Array.from({ length: total }, (_, i) => t0 + i * 100);

const rssBefore = process.memoryUsage().rss;
// Best of --repeat runs (the first includes JIT warm-up and the one-off Unicode class table).
const repeat = arg('--repeat', 1);
let seconds = Infinity;
let cpuSeconds = Infinity;
let result = nearDuplicateTrace({ actor: new Int32Array(0), time: new Float64Array(0), text: [], actorCount });
for (let r = 0; r < repeat; r++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  result = nearDuplicateTrace({ actor, time, text, actorCount });
  seconds = Math.min(seconds, (performance.now() - start) / 1_000);
  const cpu = process.cpuUsage(cpuStart);
  cpuSeconds = Math.min(cpuSeconds, (cpu.user + cpu.system) / 1e6);
}
const peak = resourceUsage().maxRSS * 1024;

// Recovery: times are unique per post (t0 + 100 ms × index), so an event's time names its post.
const keyOfPost = new Int32Array(total).fill(-1);
for (let e = 0; e < result.events.key.length; e++) keyOfPost[(result.events.time[e]! - t0) / 100] = result.events.key[e]!;
let edits = 0;
let editsFound = 0;
let uniques = 0;
let uniquesGrouped = 0;
for (let i = FAMILIES; i < total; i++) {
  const f = family[i]!;
  if (f < 0) {
    uniques++;
    if (keyOfPost[i]! >= 0) uniquesGrouped++;
  } else if (editedCopy[i] === 1) {
    edits++;
    if (keyOfPost[i]! >= 0 && keyOfPost[i] === keyOfPost[f]) editsFound++;
  }
}
const { stats } = result;
console.log(`texts ${total.toLocaleString('en')}  ${seconds.toFixed(2)} s  ${Math.round(total / seconds).toLocaleString('en')} texts/s (wall)  ` +
  `${cpuSeconds.toFixed(2)} s CPU  ${Math.round(total / cpuSeconds).toLocaleString('en')} texts/s (CPU)  ` +
  `RSS with the input built ${(rssBefore / 2 ** 20).toFixed(0)} MB, peak ${(peak / 2 ** 20).toFixed(0)} MB`);
console.log(`edited copies grouped with their family ${(editsFound / edits * 100).toFixed(2)}% (${editsFound}/${edits}); unique texts grouped ${uniquesGrouped}/${uniques}`);
console.log(JSON.stringify(stats));
